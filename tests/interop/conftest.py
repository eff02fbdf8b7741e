"""Interop test fixtures: build the Go programs once (cached by source hash) and run them.

The Go programs live in ``tests/interop/go`` (one module): ``gohost`` (a host configured like Grafana's
plugin client), ``goplugin`` (a data source built with grafana-plugin-sdk-go), ``gocodec`` (the Go SDK's
frame codecs), and the benchmark's ``gofront`` (a minimal Go ``/api/ds/query`` front) and ``gotestdata`` (TestData's
benchmark scenarios in Go). Without a ``go`` toolchain the tests skip, unless ``GRAFANA_PLUGIN_SDK_REQUIRE_GO=1``
(CI), where they fail.
"""

from __future__ import annotations

import fcntl
import hashlib
import importlib.util
import json
import os
import shutil
import subprocess
import sys
import time
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path
from types import ModuleType
from typing import Any

import pytest

HERE = Path(__file__).resolve().parent
GO_DIR = HERE / "go"
CACHE_DIR = HERE / ".cache"
ROOT = HERE.parent.parent
EXAMPLE_PLUGINS = ROOT / "example_plugins"
REQUIRE_GO_ENV = "GRAFANA_PLUGIN_SDK_REQUIRE_GO"
GO_PLUGIN_ID = "go-interop-datasource"
GO_PLUGIN_EXECUTABLE = "gpx_go_interop"
PROGRAMS = ("gohost", "goplugin", "gocodec", "gofront", "gotestdata")
BUILD_TIMEOUT = 900.0


@dataclass(frozen=True)
class GoPrograms:
    """Paths of the built Go programs and the platform they were built for."""

    host: Path
    plugin: Path
    codec: Path
    goos: str
    goarch: str
    build_seconds: float
    front: Path
    testdata: Path

    @property
    def platform_suffix(self) -> str:
        """``<os>_<arch>``, the suffix Grafana appends to a plugin's executable name."""
        return f"{self.goos}_{self.goarch}"


def _go_or_skip() -> str:
    go = shutil.which("go")
    if go is None:
        reason = "the Go toolchain (`go`) is not on PATH; interop tests against grafana-plugin-sdk-go need it"
        if os.environ.get(REQUIRE_GO_ENV) == "1":
            pytest.fail(f"{reason} and {REQUIRE_GO_ENV}=1 requires them to run", pytrace=False)
        pytest.skip(reason)
    return go


def _go(go: str, *args: str, timeout: float = 60.0) -> str:
    proc = subprocess.run([go, *args], cwd=GO_DIR, capture_output=True, text=True, timeout=timeout, check=False)
    if proc.returncode != 0:
        pytest.fail(f"`go {' '.join(args)}` failed:\n{proc.stdout}{proc.stderr}", pytrace=False)
    return proc.stdout


def _sources_key(go_version: str) -> str:
    digest = hashlib.sha256(go_version.encode())
    for path in sorted(GO_DIR.rglob("*")):
        if path.is_file() and (path.suffix == ".go" or path.name in ("go.mod", "go.sum")):
            digest.update(str(path.relative_to(GO_DIR)).encode() + b"\0" + path.read_bytes() + b"\0")
    return digest.hexdigest()[:16]


def build_go_programs() -> GoPrograms:
    """Build (or reuse from the cache) the Go programs; skips or fails as described in the module docstring."""
    go = _go_or_skip()
    goos, goarch = _go(go, "env", "GOOS", "GOARCH").split()
    out = CACHE_DIR / _sources_key(_go(go, "version"))
    CACHE_DIR.mkdir(exist_ok=True)
    with (CACHE_DIR / "build.lock").open("w") as lock:
        fcntl.flock(lock, fcntl.LOCK_EX)  # one build at a time, across concurrent pytest runs
        start = time.monotonic()
        if not all((out / name).is_file() for name in PROGRAMS):
            staging = out.with_name(out.name + ".tmp")
            shutil.rmtree(staging, ignore_errors=True)
            staging.mkdir()
            _go(
                go,
                "build",
                "-trimpath",
                "-buildvcs=false",
                "-o",
                str(staging),
                *(f"./{p}" for p in PROGRAMS),
                timeout=BUILD_TIMEOUT,
            )
            shutil.rmtree(out, ignore_errors=True)
            staging.rename(out)
            for stale in CACHE_DIR.iterdir():  # builds of older sources
                if stale.is_dir() and stale != out:
                    shutil.rmtree(stale, ignore_errors=True)
        seconds = time.monotonic() - start
    return GoPrograms(
        out / "gohost", out / "goplugin", out / "gocodec", goos, goarch, seconds, out / "gofront", out / "gotestdata"
    )


@pytest.fixture(scope="session")
def go_programs() -> GoPrograms:
    """The Go programs, built once per session."""
    return build_go_programs()


def write_plugin_dir(parent: Path, plugin_id: str, executable: str, suffix: str, target: Sequence[str]) -> Path:
    """Create a Grafana plugin folder: ``plugin.json`` and ``<executable>_<suffix>`` that execs ``target``."""
    folder = parent / plugin_id
    folder.mkdir(parents=True)
    manifest = {
        "id": plugin_id,
        "type": "datasource",
        "name": plugin_id,
        "backend": True,
        "executable": executable,
        "info": {"version": "1.0.0", "description": "interop test plugin"},
    }
    (folder / "plugin.json").write_text(json.dumps(manifest, indent=2))
    launcher = folder / f"{executable}_{suffix}"
    if len(target) == 1:
        shutil.copy2(target[0], launcher)
    else:
        quoted = " ".join(_sh_quote(part) for part in target)
        launcher.write_text(f'#!/bin/sh\nexec {quoted} "$@"\n')
    launcher.chmod(0o755)
    return folder


def _sh_quote(text: str) -> str:
    return "'" + text.replace("'", "'\"'\"'") + "'"


@pytest.fixture(scope="session")
def go_plugins_dir(go_programs: GoPrograms, tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A plugins directory holding the Go SDK plugin as ``go-interop-datasource``."""
    parent = tmp_path_factory.mktemp("go-plugins")
    write_plugin_dir(parent, GO_PLUGIN_ID, GO_PLUGIN_EXECUTABLE, go_programs.platform_suffix, [str(go_programs.plugin)])
    return parent


def plugin_executable(folder: Path, suffix: str) -> Path:
    """The executable Grafana would start for a plugin folder (``<executable>_<os>_<arch>``, else bare)."""
    manifest = json.loads((folder / "plugin.json").read_text())
    executable = manifest["executable"]
    for candidate in (folder / f"{executable}_{suffix}", folder / executable):
        if candidate.is_file() and os.access(candidate, os.X_OK):
            return candidate
    raise FileNotFoundError(f"{folder}: no executable {executable}_{suffix} or {executable}")


def example_plugin_folders() -> list[Path]:
    """Backend plugin folders under ``example_plugins/`` (empty until they exist)."""
    if not EXAMPLE_PLUGINS.is_dir():
        return []
    folders = []
    for manifest in sorted(EXAMPLE_PLUGINS.glob("*/plugin.json")):
        if json.loads(manifest.read_text()).get("backend"):
            folders.append(manifest.parent)
    return folders


class GoTools:
    """Runs the built Go programs."""

    def __init__(self, programs: GoPrograms) -> None:
        self.programs = programs

    def host(
        self, command: Sequence[str | Path], script: dict[str, Any], stderr: Path | None = None, timeout: float = 120.0
    ) -> dict[str, Any]:
        """Run ``gohost`` against a plugin command with a script of calls; returns its JSON report.

        ``stderr`` receives a raw copy of the plugin's stderr.
        """
        options = ["-stderr", str(stderr)] if stderr is not None else []
        proc = subprocess.run(
            [str(self.programs.host), *options, "--", *map(str, command)],
            input=json.dumps(script),
            capture_output=True,
            text=True,
            timeout=timeout,
            check=False,
        )
        assert proc.returncode == 0, f"gohost failed ({proc.returncode}):\n{proc.stderr}"
        report: dict[str, Any] = json.loads(proc.stdout)
        return report

    def codec(self, *args: str | Path) -> Any:
        """Run ``gocodec`` and return its JSON output."""
        proc = subprocess.run(
            [str(self.programs.codec), *map(str, args)], capture_output=True, text=True, timeout=60, check=False
        )
        assert proc.returncode == 0, f"gocodec failed ({proc.returncode}):\n{proc.stderr}"
        return json.loads(proc.stdout)


@pytest.fixture(scope="session")
def go(go_programs: GoPrograms) -> GoTools:
    """The Go programs, ready to run."""
    return GoTools(go_programs)


@pytest.fixture(scope="session")
def go_frames(go: GoTools, tmp_path_factory: pytest.TempPathFactory) -> dict[str, tuple[bytes, Any]]:
    """The Go sample frames: name -> (Arrow file written by Go, frame JSON written by Go, parsed)."""
    out = tmp_path_factory.mktemp("go-frames")
    names = go.codec("write", out)
    return {n: ((out / f"{n}.arrow").read_bytes(), json.loads((out / f"{n}.json").read_bytes())) for n in names}


@pytest.fixture
def example_plugin_executable(example_plugin: Path, go_programs: GoPrograms) -> Path:
    """The executable Grafana would start for the example plugin under test."""
    return plugin_executable(example_plugin, go_programs.platform_suffix)


@pytest.fixture(scope="session")
def example_executables(go_programs: GoPrograms) -> dict[str, Path]:
    """Plugin id -> executable of every backend plugin in ``example_plugins/``."""
    return {
        json.loads((folder / "plugin.json").read_text())["id"]: plugin_executable(folder, go_programs.platform_suffix)
        for folder in example_plugin_folders()
    }


def pytest_generate_tests(metafunc: pytest.Metafunc) -> None:
    """Run a test taking ``example_plugin`` once per backend plugin folder in ``example_plugins/``."""
    if "example_plugin" in metafunc.fixturenames:
        folders = example_plugin_folders()
        metafunc.parametrize("example_plugin", folders, ids=[f.name for f in folders])


PY_PLUGIN = HERE / "interop_plugin.py"
PY_PLUGIN_ID = "py-interop-datasource"
PY_PLUGIN_EXECUTABLE = "gpx_py_interop"


@pytest.fixture(scope="session")
def py_plugins_dir(go_programs: GoPrograms, tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A plugins directory holding our Python interop plugin as ``py-interop-datasource``."""
    parent = tmp_path_factory.mktemp("py-plugins")
    target = [sys.executable, str(PY_PLUGIN)]
    write_plugin_dir(parent, PY_PLUGIN_ID, PY_PLUGIN_EXECUTABLE, go_programs.platform_suffix, target)
    return parent


@pytest.fixture(scope="session")
def interop_plugin() -> ModuleType:
    """Our interop plugin's module (its frame builders are shared with the codec tests)."""
    spec = importlib.util.spec_from_file_location("interop_plugin", PY_PLUGIN)
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module
