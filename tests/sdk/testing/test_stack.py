"""Full-stack depth: the host CLI with plugin folders, provisioned data sources and a client; clean stop."""

from __future__ import annotations

import re
import subprocess
from collections.abc import Callable
from pathlib import Path

import pytest

from grafana_plugin_sdk.backend import HealthStatus
from grafana_plugin_sdk.testing import Stack, StackStartError, start_stack
from tests.python_without import python_without
from tests.sdk.testing.conftest import RunPytest

EXAMPLES = Path(__file__).resolve().parents[3] / "example_plugins"


def _alive(pid: int) -> bool:
    try:
        return Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()[0] not in ("Z", "X")
    except FileNotFoundError:
        return False


def test_stack_serves_the_plugins_and_stops_everything(grafana_stack: Callable[..., Stack], tmp_path: Path) -> None:
    stack = grafana_stack(
        plugins=[EXAMPLES / "testdata", EXAMPLES / "sqlite"],
        datasources=[
            {"name": "TD", "type": "python-testdata-datasource", "uid": "td"},
            {"name": "Demo", "type": "python-sqlite-datasource", "uid": "demo", "jsonData": {"demo": True}},
        ],
    )
    assert stack.url.startswith("http://127.0.0.1:")
    assert {ds["uid"] for ds in stack.client.list_datasources()} == {"td", "demo"}
    assert stack.client.check_health("td").status is HealthStatus.OK
    plugin_pids = [int(p) for p in re.findall(r"started \(pid (\d+)\)", "\n".join(stack.logs()))]
    assert len(plugin_pids) == 2 and all(map(_alive, plugin_pids))
    stack.close()
    assert not _alive(stack.pid) and not any(map(_alive, plugin_pids)), "host and plugins are gone"
    assert (stack.root / "data").is_dir(), "a data folder given by the fixture is kept for inspection"


def test_start_failure_shows_the_log(tmp_path: Path) -> None:
    with pytest.raises(StackStartError, match="exited with code 2"):
        start_stack(data_dir=tmp_path, env={"GF_SERVER_HTTP_PORT": "not-a-port"})


def test_start_without_the_hosts_dependencies_names_the_install_command(tmp_path: Path) -> None:
    """A Python with the SDK and the host's code but not its dependency uvicorn, as the issue met it."""
    script = "from grafana_plugin_sdk.testing import start_stack\nstart_stack(start_timeout=30)"
    result = subprocess.run(
        [python_without(tmp_path, "uvicorn"), "-c", script],
        cwd=tmp_path,
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
    )
    assert "StackStartError: the host did not start (exited with code 1): 'uvicorn' is not installed" in result.stderr
    assert "start_stack runs grafana-plugin-host, install it with `pip install ./host`" in result.stderr


def test_missing_plugin_folder(tmp_path: Path) -> None:
    with pytest.raises(FileNotFoundError):
        start_stack(plugins=[tmp_path], data_dir=tmp_path / "stack")


STACK_TEST = f"""
from pathlib import Path

def test_fails(grafana_stack):
    stack = grafana_stack(plugins=[Path({str(EXAMPLES / "testdata")!r})])
    assert stack.client.get("/api/health")
    assert False, "deliberately"
"""


def test_failed_test_report_shows_the_host_log(run_pytest: RunPytest) -> None:
    run = run_pytest(STACK_TEST)
    assert run.returncode == 1, run.output
    assert "host log" in run.output and "listening on http://127.0.0.1:" in run.output
