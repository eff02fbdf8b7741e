"""The generic frontend's node tests (frontend/test) against Grafana's real npm packages and a running host."""

from __future__ import annotations

import os
import re
import shutil
import subprocess
from pathlib import Path

import pytest

from grafana_plugin_sdk.testing import Stack

from .conftest import FRONTEND


def _run_node_tests(node: str, files: list[str], env: dict[str, str]) -> dict[str, int]:
    """Run node's test runner on ``files``; every test must pass (none skipped); returns its counts."""
    done = subprocess.run(
        [node, "--test", *files], cwd=FRONTEND, env=env, capture_output=True, text=True, timeout=300, check=False
    )
    assert done.returncode == 0, done.stdout[-6000:] + done.stderr[-2000:]
    summary = {k: int(v) for k, v in re.findall(r"^# (tests|pass|fail|skipped|cancelled) (\d+)$", done.stdout, re.M)}
    assert summary["fail"] == summary["skipped"] == summary["cancelled"] == 0, summary
    assert summary["pass"] == summary["tests"], summary
    return summary


def test_editors_and_data_source_in_jsdom(node: str, stack: Stack, editor_token: str) -> None:
    env = {**os.environ, "EDITORS_TEST_HOST_URL": stack.url, "EDITORS_TEST_HOST_TOKEN": editor_token}
    files = sorted(str(p.relative_to(FRONTEND)) for p in (FRONTEND / "test").glob("*.test.cjs"))
    assert len(files) == 3
    assert _run_node_tests(node, files, env)["pass"] >= 10


def test_editors_in_headless_chromium(node: str, stack: Stack, editor_token: str, tmp_path: Path) -> None:
    chromium = os.environ.get("EDITORS_CHROMIUM") or shutil.which("chromium")
    if chromium is None:
        pytest.skip("Debian's chromium is not installed (CI installs it: .ci/setup.d/40-node.sh)")
    env = {
        **os.environ,
        "EDITORS_TEST_HOST_URL": stack.url,
        "EDITORS_TEST_HOST_TOKEN": editor_token,
        "EDITORS_CHROMIUM": chromium,
        "EDITORS_SCREENSHOT_DIR": str(tmp_path),
    }
    assert _run_node_tests(node, ["test/browser/editors.browser.cjs"], env)["pass"] == 3
    shots = sorted(p.name for p in tmp_path.glob("*.png"))
    assert shots == ["editors-iot.png", "editors-sqlite.png", "editors-testdata.png"]
    for shot in tmp_path.glob("*.png"):
        assert shot.read_bytes()[:8] == b"\x89PNG\r\n\x1a\n" and shot.stat().st_size > 5000
