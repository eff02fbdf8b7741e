"""Fixtures for the ``grafana-plugin`` tests: scaffolded projects and a venv that can install them fast."""

from __future__ import annotations

import subprocess
import sys
import sysconfig
from pathlib import Path

import pytest

from grafana_plugin_sdk.cli import host_platform, main


def run_cli(*args: str | Path) -> int:
    """Run ``grafana-plugin`` in process; its exit status."""
    return main([str(a) for a in args])


@pytest.fixture(scope="session")
def project_venv(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The python of a new venv that sees this environment's packages (the SDK, pytest) through a .pth file,
    so a scaffolded project installs in seconds with ``--no-deps``."""
    venv = tmp_path_factory.mktemp("project-venv")
    subprocess.run([sys.executable, "-m", "venv", "--without-pip", str(venv)], check=True)
    python = venv / "bin" / "python"
    purelib = subprocess.run(
        [python, "-c", "import sysconfig; print(sysconfig.get_paths()['purelib'])"],
        capture_output=True,
        text=True,
        check=True,
    ).stdout.strip()
    ours = sysconfig.get_paths()["purelib"]
    Path(purelib, "parent-env.pth").write_text(f"import site; site.addsitedir({ours!r})\n")
    return python


def pip_install_editable(python: Path, project: Path) -> None:
    """``pip install -e project`` into the venv of ``python``, without dependencies or build isolation."""
    pip = [sys.executable, "-m", "pip", "--python", str(python), "install", "-q"]
    subprocess.run(
        [*pip, "--no-deps", "--no-build-isolation", "-e", str(project)],
        check=True,
        timeout=300,
    )


THIS_PYTHON = f"{sys.version_info.major}.{sys.version_info.minor}"


@pytest.fixture(scope="session")
def built_project(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A scaffolded data source project built for this machine's platform and Python only."""
    project = tmp_path_factory.mktemp("built") / "acme-built-datasource"
    assert run_cli("new", "acme-built-datasource", "--directory", project) == 0
    assert run_cli("build", project, "--target", host_platform(), "--python", THIS_PYTHON) == 0
    return project


@pytest.fixture(scope="session")
def bare_python(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The interpreter of a venv with nothing installed (not even pip): no SDK, no gRPC, no pyarrow."""
    venv = tmp_path_factory.mktemp("bare-venv")
    subprocess.run([sys.executable, "-m", "venv", "--without-pip", str(venv)], check=True)
    python = venv / "bin" / "python"
    probe = subprocess.run([python, "-c", "import grpc"], capture_output=True, check=False)
    assert probe.returncode != 0, "the bare venv can import grpc"
    return python
