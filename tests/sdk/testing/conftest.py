"""Helpers for the harness tests: run pytest on a generated test file in a child process."""

from __future__ import annotations

import os
import subprocess
import sys
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[3]


@dataclass
class PytestRun:
    """The outcome of a child pytest run."""

    returncode: int
    output: str


RunPytest = Callable[..., PytestRun]


@pytest.fixture
def run_pytest(tmp_path: Path) -> RunPytest:
    """``run_pytest(source, *args)``: write ``source`` as test_generated.py and run pytest on it (plugin by entry
    point, as in a plugin author's project)."""

    def run(source: str, *args: str) -> PytestRun:
        test_file = tmp_path / "test_generated.py"
        test_file.write_text(source, encoding="utf-8")
        env = {**os.environ, "PYTHONPATH": os.pathsep.join(filter(None, [str(ROOT), os.environ.get("PYTHONPATH")]))}
        env.pop("GRAFANA_PLUGIN_SDK_UPDATE_GOLDEN", None)
        proc = subprocess.run(
            [
                sys.executable,
                "-m",
                "pytest",
                "-q",
                "-p",
                "no:cacheprovider",
                "--rootdir",
                str(tmp_path),
                str(test_file),
                *args,
            ],
            cwd=tmp_path,
            env=env,
            capture_output=True,
            text=True,
            timeout=120,
        )
        return PytestRun(proc.returncode, proc.stdout + proc.stderr)

    return run
