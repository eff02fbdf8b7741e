"""The generic frontend's node tests (frontend/test) against Grafana's real npm packages and a running host."""

from __future__ import annotations

import os
import re
import subprocess

from grafana_plugin_sdk.testing import Stack

from .conftest import FRONTEND


def test_node_tests_pass_against_a_running_host(node: str, stack: Stack, editor_token: str) -> None:
    env = {**os.environ, "EDITORS_TEST_HOST_URL": stack.url, "EDITORS_TEST_HOST_TOKEN": editor_token}
    files = sorted(str(p.relative_to(FRONTEND)) for p in (FRONTEND / "test").glob("*.test.cjs"))
    assert len(files) == 3
    done = subprocess.run(
        [node, "--test", *files], cwd=FRONTEND, env=env, capture_output=True, text=True, timeout=300, check=False
    )
    summary = dict(re.findall(r"^# (tests|pass|fail|skipped|cancelled) (\d+)$", done.stdout, re.MULTILINE))
    assert done.returncode == 0, done.stdout[-6000:] + done.stderr[-2000:]
    assert summary["fail"] == summary["skipped"] == summary["cancelled"] == "0", summary
    assert int(summary["pass"]) == int(summary["tests"]) >= 10, summary
