"""Installing the SDK alone gives a working plugin side: its modules import only declared base dependencies.

Module-level imports only: an import inside a function is an optional feature (pandas, httpx) that loads on use.
"""

from __future__ import annotations

import ast
import sys
import tomllib
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
#: Distribution name -> the top-level module it installs.
IMPORT_NAMES = {
    "grpcio": "grpc",
    "grpcio-health-checking": "grpc_health",
    "protobuf": "google",
    "prometheus-client": "prometheus_client",
}
#: Imported at module level only where a tool loads the module itself (pytest loads its own plugin).
TOOL_IMPORTS = {
    "grafana_plugin_sdk/testing/pytest_plugin.py": {"pytest"},
    # Imported only by grafana_plugin_sdk.tracing once tracing is on (the ``tracing`` extra).
    "grafana_plugin_sdk/_rate_sampler.py": {"opentelemetry"},
}


def _base_dependencies() -> set[str]:
    project = tomllib.loads((ROOT / "pyproject.toml").read_text())["project"]
    names = set()
    for requirement in project["dependencies"]:
        name = requirement.split(">")[0].split("=")[0].split("[")[0].strip().lower()
        names.add(IMPORT_NAMES.get(name, name.replace("-", "_")))
    return names


def _module_level_imports(path: Path) -> set[str]:
    tree = ast.parse(path.read_text(), str(path))
    names: set[str] = set()
    for node in tree.body:
        if isinstance(node, ast.If) and "TYPE_CHECKING" in ast.unparse(node.test):
            continue
        for inner in ast.walk(node) if isinstance(node, ast.If | ast.Try) else [node]:
            if isinstance(inner, ast.Import):
                names.update(alias.name.split(".")[0] for alias in inner.names)
            elif isinstance(inner, ast.ImportFrom) and inner.level == 0 and inner.module:
                names.add(inner.module.split(".")[0])
    return names


def _files() -> list[Path]:
    return [p for p in (ROOT / "grafana_plugin_sdk").rglob("*.py") if "genproto" not in p.parts]


def test_sdk_modules_import_only_base_dependencies() -> None:
    allowed = _base_dependencies() | set(sys.stdlib_module_names) | {"grafana_plugin_sdk", "__future__"}
    undeclared = {}
    for path in _files():
        rel = path.relative_to(ROOT).as_posix()
        extra = _module_level_imports(path) - allowed - TOOL_IMPORTS.get(rel, set())
        if extra:
            undeclared[rel] = sorted(extra)
    assert undeclared == {}, "imported at module level but not a base dependency in pyproject.toml"


def test_the_check_sees_module_level_imports_only(tmp_path: Path) -> None:
    sample = tmp_path / "sample.py"
    sample.write_text(
        "from __future__ import annotations\nimport numpy as np\nfrom pyarrow import compute\n"
        "from typing import TYPE_CHECKING\nif TYPE_CHECKING:\n    import pandas\n"
        "try:\n    import uvloop\nexcept ImportError:\n    pass\n"
        "def later():\n    import httpx\n"
    )
    assert _module_level_imports(sample) == {"__future__", "numpy", "pyarrow", "typing", "uvloop"}
