"""The package borders hold: the SDK stands alone, and nobody reaches into another package's private modules.

Unit tests may test a package's private modules directly; product code (the SDK, the host, the examples, the
benchmarks and scripts) may not. An SDK-only install has no host, and its harness still runs a plugin process.
"""

from __future__ import annotations

import ast
import os
import subprocess
import sys
import sysconfig
import textwrap
from collections.abc import Iterator
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
#: Each source tree and the folder its import names start from.
PRODUCT_TREES = {
    ROOT / "grafana_plugin_sdk": ROOT,
    ROOT / "host" / "grafana_plugin_host": ROOT / "host",
    ROOT / "example_plugins": None,
    ROOT / "bench": ROOT,
    ROOT / "scripts": ROOT,
}


def _module_files() -> Iterator[tuple[Path, list[str]]]:
    """Every product module with its package path (``["grafana_plugin_sdk", "wire"]`` for wire/convert.py)."""
    for tree, base in PRODUCT_TREES.items():
        for path in sorted(tree.rglob("*.py")):
            if "genproto" in path.parts or "node_modules" in path.parts:
                continue
            # An example plugin's imports start at its project folder.
            start = base if base is not None else next(p for p in path.parents if p.parent == tree)
            parts = list(path.relative_to(start).with_suffix("").parts)
            package = parts if parts[-1] == "__init__" else parts[:-1]
            yield path, [p for p in package if p != "__init__"]


def _imported_names(tree: ast.AST, package: list[str]) -> Iterator[list[str]]:
    """Every dotted name an import statement reaches, relative imports resolved against ``package``."""
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            yield from (alias.name.split(".") for alias in node.names)
        elif isinstance(node, ast.ImportFrom):
            base = package[: len(package) - node.level + 1] if node.level else []
            base = base + (node.module.split(".") if node.module else [])
            yield from ([*base, alias.name] for alias in node.names)


def _private_prefix(name: list[str]) -> list[str] | None:
    """The package a private name belongs to (``a.b._c.d`` → ``a.b``), or None when nothing in it is private."""
    for index, part in enumerate(name):
        if part.startswith("_") and not part.startswith("__"):
            return name[:index]
    return None


def test_sdk_never_imports_the_host() -> None:
    offenders = [
        f"{path.relative_to(ROOT)}: {'.'.join(name)}"
        for path, package in _module_files()
        if package and package[0] == "grafana_plugin_sdk"
        for name in _imported_names(ast.parse(path.read_text()), package)
        if name[0] in ("grafana_plugin_host", "host")
    ]
    assert offenders == []


def test_no_module_imports_another_packages_private_modules() -> None:
    offenders = []
    for path, package in _module_files():
        for name in _imported_names(ast.parse(path.read_text()), package):
            owner = _private_prefix(name)
            if owner is not None and package[: len(owner)] != owner and name[0] != "grpc":
                offenders.append(f"{path.relative_to(ROOT)}: {'.'.join(name)}")
    assert offenders == []


def test_the_sdk_distribution_ships_no_host(tmp_path: Path) -> None:
    """Build the SDK's wheel, install it alone into a fresh venv: no host package, no host command, and the
    testing harness runs a plugin as a subprocess over gRPC."""
    wheels = tmp_path / "wheels"
    subprocess.run(
        [sys.executable, "-m", "pip", "wheel", "--no-deps", "--no-build-isolation", "-q", "-w", str(wheels), str(ROOT)],
        check=True,
        timeout=300,
    )
    (wheel,) = wheels.glob("grafana_plugin_sdk-*.whl")
    venv = tmp_path / "venv"
    subprocess.run([sys.executable, "-m", "venv", "--without-pip", str(venv)], check=True, timeout=120)
    python = venv / "bin" / "python"
    site = Path(
        subprocess.run(
            [python, "-c", "import sysconfig; print(sysconfig.get_path('purelib'))"],
            capture_output=True,
            text=True,
            check=True,
        ).stdout.strip()
    )
    # The SDK's third-party dependencies come from this environment's site-packages, added as a plain path: its
    # .pth files (the editable installs of this checkout) are not processed, so only the wheel's SDK is seen.
    (site / "deps.pth").write_text(sysconfig.get_path("purelib") + "\n")
    subprocess.run(
        [sys.executable, "-m", "pip", "--python", str(python), "install", "--no-deps", "-q", str(wheel)],
        check=True,
        timeout=300,
    )
    assert not (venv / "bin" / "grafana-plugin-host").exists()
    plugin = tmp_path / "work" / "tiny_plugin.py"
    plugin.parent.mkdir()
    plugin.write_text(
        textwrap.dedent(
            """
            from grafana_plugin_sdk import serve
            from grafana_plugin_sdk.backend import CheckHealthResult

            class Tiny:
                def check_health(self, request):
                    return CheckHealthResult.ok("tiny is fine")

            if __name__ == "__main__":
                serve(Tiny())
            """
        )
    )
    script = textwrap.dedent(
        """
        import importlib.util, sys
        import grafana_plugin_sdk
        assert "/site-packages/grafana_plugin_sdk" in grafana_plugin_sdk.__file__, grafana_plugin_sdk.__file__
        for name in ("grafana_plugin_host", "host"):
            assert importlib.util.find_spec(name) is None, name
        from grafana_plugin_sdk.testing import start_plugin
        with start_plugin(module="tiny_plugin") as plugin:
            result = plugin.check_health()
        assert "grafana_plugin_host" not in sys.modules
        print(result.status.name, result.message)
        """
    )
    env = {key: value for key, value in os.environ.items() if key not in ("PYTHONPATH", "VIRTUAL_ENV")}
    done = subprocess.run(
        [python, "-c", script], cwd=plugin.parent, env=env, capture_output=True, text=True, timeout=120
    )
    assert done.returncode == 0, done.stderr
    assert done.stdout.strip() == "OK tiny is fine"


@pytest.mark.parametrize("path", ["README.md", "docs", "grafana_plugin_sdk", "host", "example_plugins"])
def test_docs_stand_alone(path: str) -> None:
    """No doc or docstring cites a document that is not in the repository."""
    outside = ("HTTP_API.md", "PROTOCOL.md", "DESIGN.md", "seed 0", "seeds/", "../shared")
    target = ROOT / path
    files = [target] if target.is_file() else [p for p in target.rglob("*") if p.suffix in (".py", ".md")]
    hits = [
        f"{file.relative_to(ROOT)}: {word}"
        for file in files
        if "genproto" not in file.parts
        for word in outside
        if word in file.read_text()
    ]
    assert hits == []
