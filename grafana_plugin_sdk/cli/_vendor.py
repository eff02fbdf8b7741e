"""Vendoring: every dependency of a plugin installed per target with pip (wheels only), pure-Python packages
shared between targets, and what the plugin never needs at run time stripped."""

from __future__ import annotations

import csv
import fnmatch
import importlib.metadata
import shutil
import subprocess
import sys
from collections.abc import Iterable, Sequence
from pathlib import Path

import grafana_plugin_sdk

from ._project import SDK_DISTRIBUTION, distribution_name
from ._targets import Target

#: Sub-packages of the SDK a plugin never imports at run time (the CLI and the test harness).
_SDK_DEV_ONLY = ("cli", "testing")
_STRIPPED_DIRS = frozenset({"__pycache__", "tests"})
_STRIPPED_SUFFIXES = (".pyc", ".pyo", ".pyi", ".pyx", ".pxd", ".pxi", ".h", ".hpp", ".c", ".cc", ".cpp")
_STRIPPED_DIST_INFO = frozenset({"RECORD", "INSTALLER", "REQUESTED", "direct_url.json"})


class VendorError(Exception):
    """pip could not provide a dependency for a target; the message has pip's reason."""


def sdk_requirements() -> list[str]:
    """The SDK's own run-time requirements (its extras left out)."""
    return [r for r in importlib.metadata.requires(SDK_DISTRIBUTION) or [] if "extra ==" not in r]


def split_requirements(requirements: Iterable[str]) -> tuple[bool, list[str]]:
    """(whether the SDK is required, the requirements pip installs: the SDK's own in place of the SDK)."""
    needs_sdk = False
    others = []
    for requirement in requirements:
        if distribution_name(requirement) == SDK_DISTRIBUTION:
            needs_sdk = True
        else:
            others.append(requirement)
    return needs_sdk, [*sdk_requirements(), *others] if needs_sdk else others


def copy_sdk(destination: Path) -> None:
    """The installed SDK (the one the plugin was tested with), without its CLI and test harness."""
    source = Path(grafana_plugin_sdk.__file__).parent

    def ignored(folder: str, names: list[str]) -> set[str]:
        top = Path(folder) == source
        return {n for n in names if n == "__pycache__" or (top and n in _SDK_DEV_ONLY)}

    shutil.copytree(source, destination / source.name, ignore=ignored)
    version = importlib.metadata.version(SDK_DISTRIBUTION)
    info = destination / f"grafana_plugin_sdk-{version}.dist-info"
    info.mkdir()
    (info / "METADATA").write_text(f"Metadata-Version: 2.1\nName: {SDK_DISTRIBUTION}\nVersion: {version}\n")


def pip_install(target: Target, requirements: Sequence[str], destination: Path, cache_dir: Path | None) -> None:
    """``pip install --target`` the requirements as wheels for the target's platform and CPython."""
    command = [sys.executable, "-m", "pip", "install", "--target", str(destination), "--only-binary=:all:"]
    command += ["--implementation", "cp", "--python-version", target.python, "--abi", target.abi]
    for platform in target.pip_platforms:
        command += ["--platform", platform]
    command += ["--no-compile", "--disable-pip-version-check", "--no-warn-script-location", "-q"]
    if cache_dir is not None:
        command += ["--cache-dir", str(cache_dir)]
    proc = subprocess.run([*command, *requirements], capture_output=True, text=True, check=False)
    if proc.returncode != 0:
        reason = "\n".join((proc.stderr or proc.stdout).strip().splitlines()[-6:])
        raise VendorError(f"pip could not vendor for {target.platform} Python {target.python}:\n{reason}")


def _dist_infos(folder: Path) -> dict[tuple[str, str], Path]:
    """(normalised name, version) -> dist-info folder of every distribution installed in ``folder``."""
    found = {}
    for info in folder.glob("*.dist-info"):
        name, _, version = info.name.removesuffix(".dist-info").rpartition("-")
        found[(distribution_name(name), version)] = info
    return found


def _is_pure(info: Path) -> bool:
    tags = [
        line.split(":", 1)[1].strip() for line in (info / "WHEEL").read_text().splitlines() if line.startswith("Tag:")
    ]
    return bool(tags) and all(tag.endswith("-none-any") for tag in tags)


def _record_files(info: Path) -> list[str]:
    with (info / "RECORD").open(newline="") as fh:
        return [row[0] for row in csv.reader(fh) if row and not row[0].startswith("..")]


def _top_level(files: list[str]) -> set[str]:
    return {f.split("/", 1)[0] for f in files if not f.split("/", 1)[0].endswith(".dist-info")}


def share_pure_packages(stages: Sequence[Path], shared: Path) -> None:
    """Move every pure-Python distribution that all stages hold in the same version into ``shared`` (once).

    One that puts files into a top-level package of a distribution staying per target stays too: a regular
    package split across two import path entries would not import.
    """
    holdings = [_dist_infos(stage) for stage in stages]
    common = set(holdings[0]).intersection(*holdings[1:])
    files = {key: _record_files(info) for key, info in holdings[0].items()}
    movable = {key for key in common if _is_pure(holdings[0][key])}
    staying: set[str] = set()
    for holding in holdings:
        for key, info in holding.items():
            if key not in movable:
                staying |= _top_level(_record_files(info))
    for key in sorted(movable):
        if _top_level(files[key]) & staying:
            continue
        for stage in stages:
            for relative in files[key]:
                source, target = stage / relative, shared / relative
                if not source.exists():
                    continue
                if stage is stages[0]:
                    target.parent.mkdir(parents=True, exist_ok=True)
                    shutil.move(source, target)
                else:
                    source.unlink()
        for info in (h[key] for h in holdings[1:]):
            shutil.rmtree(info, ignore_errors=True)
        for stage in stages:  # the folders the moved files leave empty
            for top in {f.split("/", 1)[0] for f in files[key]}:
                folder = stage / top
                if folder.is_dir() and not any(p.is_file() for p in folder.rglob("*")):
                    shutil.rmtree(folder)


def remove_matching(folder: Path, patterns: Sequence[str]) -> None:
    """Delete the files whose path relative to ``folder`` matches one of the globs (``*`` crosses ``/``)."""
    if not patterns:
        return
    for path in [p for p in folder.rglob("*") if p.is_file()]:
        relative = path.relative_to(folder).as_posix()
        if any(fnmatch.fnmatchcase(relative, pattern) for pattern in patterns):
            path.unlink()


def strip(folder: Path) -> None:
    """Remove what no plugin imports at run time: bytecode, tests, scripts, C sources and headers, type stubs,
    header-only ``include`` folders and pip's bookkeeping; then empty folders."""
    shutil.rmtree(folder / "bin", ignore_errors=True)  # console scripts pip wrote for the build machine
    for path in sorted(folder.rglob("*"), key=lambda p: len(p.parts), reverse=True):
        if path.is_dir():
            if path.name in _STRIPPED_DIRS or (path.name == "include" and _headers_only(path)):
                shutil.rmtree(path)
            elif not any(path.iterdir()):
                path.rmdir()
        elif path.name.endswith(_STRIPPED_SUFFIXES) or (
            path.parent.name.endswith(".dist-info") and path.name in _STRIPPED_DIST_INFO
        ):
            path.unlink()


def _headers_only(folder: Path) -> bool:
    return all(p.is_dir() or p.name.endswith(_STRIPPED_SUFFIXES) for p in folder.rglob("*"))
