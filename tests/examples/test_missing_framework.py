"""An example plugin whose web framework is not installed exits with the command that installs it."""

from __future__ import annotations

import subprocess
from pathlib import Path

import pytest

from tests.python_without import ROOT, python_without


@pytest.mark.parametrize(
    ("folder", "package", "plugin_id", "framework"),
    [
        ("sqlite", "python_sqlite_datasource", "python-sqlite-datasource", "flask"),
        ("iot", "python_iot_datasource", "python-iot-datasource", "starlette"),
    ],
)
def test_plugin_names_the_missing_framework(
    tmp_path: Path, folder: str, package: str, plugin_id: str, framework: str
) -> None:
    result = subprocess.run(
        [python_without(tmp_path, framework), "-m", package],
        cwd=ROOT / "example_plugins" / folder,
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
    )
    assert result.returncode == 1
    assert result.stderr.strip().splitlines()[-1] == f"{plugin_id} needs {framework}: pip install {framework}"
