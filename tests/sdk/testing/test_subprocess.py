"""Subprocess depth: a real plugin process started by the host's launcher code, over real gRPC."""

from __future__ import annotations

import sys
from collections.abc import Callable
from pathlib import Path

import pytest

from grafana_plugin_sdk.backend import HealthStatus
from grafana_plugin_sdk.client import FetchError
from grafana_plugin_sdk.testing import (
    PluginCallError,
    PluginTestClient,
    assert_frames_equal,
    async_start_plugin,
    data_source_settings,
    in_process,
    start_plugin,
)
from grafana_plugin_sdk.wire import PluginStartError
from tests.sdk.testing.conftest import RunPytest
from tests.sdk.testing.handlers import EchoDataSource

ECHO = "tests.sdk.testing.handlers"


def _alive(pid: int) -> bool:
    try:
        state = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()[0]
    except FileNotFoundError:
        return False
    return state not in ("Z", "X")


def test_module_plugin_answers_like_in_process() -> None:
    settings = data_source_settings(name="Echo", secure_json_data={"token": "xyz"})
    model = {"values": [1.0, None, 2.5]}
    with start_plugin(module=ECHO, plugin_id="echo-datasource", settings=settings) as plugin:
        pid = plugin.aio.transport.pid  # type: ignore[attr-defined]
        assert pid is not None and _alive(pid)
        remote = plugin.query(model)
        health = plugin.check_health()
        assert plugin.resource("GET", "chunks").text == "one,two,three"
        with pytest.raises(FetchError) as info:
            plugin.get_resource("nothing")
        assert info.value.status == 404
        with pytest.raises(PluginCallError) as failed:
            plugin.resource("GET", "raise")
        assert failed.value.code == "UNKNOWN"
    assert not _alive(pid), "stopped: Shutdown, then kill"
    with in_process(factory=EchoDataSource, settings=settings) as local:
        assert_frames_equal(remote["A"].frames, local.query(model)["A"].frames, check_ref_id=True)
        assert health == local.check_health() and health.details == {"tokenLength": 3}


def test_logs_are_captured_per_line() -> None:
    with start_plugin(module=ECHO, plugin_id="echo-datasource") as plugin:
        plugin.check_health()
        logs = plugin.logs()
    assert any(line.startswith("DEBUG Plugin Request Completed") and "endpoint=checkHealth" in line for line in logs)


def test_plugin_folder_as_the_host_finds_it(tmp_path: Path) -> None:
    folder = tmp_path / "echo"
    folder.mkdir()
    (folder / "plugin.json").write_text(
        '{"id": "echo-datasource", "type": "datasource", "name": "Echo", "backend": true, "executable": "gpx_echo"}'
    )
    launcher = folder / "gpx_echo_linux_amd64"
    root = Path(__file__).resolve().parents[3]
    launcher.write_text(f'#!/bin/sh\nPYTHONPATH="{root}" exec "{sys.executable}" -m {ECHO} "$@"\n')
    launcher.chmod(0o755)
    with start_plugin(folder) as plugin:
        assert plugin.context.plugin_id == "echo-datasource"
        assert plugin.check_health().status is HealthStatus.OK
    with start_plugin(launcher, plugin_id="echo") as plugin:
        assert plugin.context.plugin_id == "echo"
        assert plugin.query({})["A"].frames


def test_start_failure_names_the_exit_and_the_output() -> None:
    client = start_plugin(module="tests.sdk.testing.crashing_plugin", start_timeout=10)
    with pytest.raises(PluginStartError, match=r"exited with code 3 .*permission denied"):
        client.start()
    assert any("permission denied" in line for line in client.logs())
    client.close()


def test_calls_before_start_are_refused() -> None:
    client = start_plugin(module=ECHO)
    with pytest.raises(PluginCallError, match="not running"):
        client.check_health()
    client.close()


def test_bad_arguments() -> None:
    with pytest.raises(TypeError):
        start_plugin()
    with pytest.raises(FileNotFoundError):
        start_plugin("/nonexistent/plugin")


async def test_async_client() -> None:
    async with async_start_plugin(module=ECHO, plugin_id="echo-datasource") as plugin:
        resp = await plugin.query({"values": [3.0]}, {"fail": True})
        assert resp["A"].error == "RuntimeError: boom"


def test_fixture(plugin_process: Callable[..., PluginTestClient]) -> None:
    plugin = plugin_process(module=ECHO, plugin_id="echo-datasource")
    assert plugin.check_health().message == "echo is working"


FAILING_TEST = """
def test_fails(plugin_process):
    plugin = plugin_process(module="tests.sdk.testing.handlers", plugin_id="echo-datasource")
    plugin.check_health()
    assert False, "deliberately"

def test_passes(plugin_process):
    plugin_process(module="tests.sdk.testing.handlers", plugin_id="echo-datasource").check_health()
"""


def test_failed_test_report_shows_the_plugin_log(run_pytest: RunPytest) -> None:
    run = run_pytest(FAILING_TEST, "-rA")
    assert run.returncode == 1, run.output
    assert "plugin echo-datasource log" in run.output
    section = run.output.split("plugin echo-datasource log", 1)[1]
    assert "endpoint=checkHealth" in section.split("short test summary")[0]
    assert run.output.count("plugin echo-datasource log") == 1, "only the failed test gets the section"
