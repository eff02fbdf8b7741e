"""Fixtures for the ``grafana-plugin`` tests: scaffolded projects and a venv that can install them fast."""

from __future__ import annotations

import subprocess
import sys
import sysconfig
from pathlib import Path

import pytest

from grafana_plugin_sdk.cli.main import main


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
