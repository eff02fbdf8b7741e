"""Bad plugins in real subprocesses: the host stays up, reports each clearly, restarts with backoff."""

from __future__ import annotations

import asyncio
import itertools
import logging
import os
import signal
import sys
import textwrap
import time
from collections.abc import Awaitable, Callable
from datetime import UTC, datetime
from pathlib import Path

import orjson
import pytest

from grafana_plugin_host.errors import PluginCallError, PluginUnavailableError
from grafana_plugin_host.plugins import PluginManager, ProcessOptions, Supervisor
from grafana_plugin_sdk.backend import (
    CallResourceRequest,
    CheckHealthRequest,
    DataQuery,
    HealthStatus,
    PluginContext,
    QueryDataRequest,
    TimeRange,
)

MakePlugin = Callable[..., Path]
StartManager = Callable[..., Awaitable[PluginManager]]
ProcGroup = Callable[[int], list[int]]
ProcsUnder = Callable[[Path], list[int]]
CTX = PluginContext(org_id=1)
RANGE = TimeRange(datetime(2024, 1, 1, tzinfo=UTC), datetime(2024, 1, 2, tzinfo=UTC))


def query(ref_id: str, **model: object) -> DataQuery:
    return DataQuery(ref_id=ref_id, time_range=RANGE, json=orjson.dumps(model))


def supervisor_of(manager: PluginManager, plugin_id: str) -> Supervisor:
    supervisor = manager.supervisor(plugin_id)
    assert supervisor is not None
    return supervisor


async def wait_for(condition: Callable[[], bool], seconds: float, what: str) -> float:
    """Poll ``condition`` until true; the seconds it took. Fails the test after ``seconds``."""
    start = time.monotonic()
    while not condition():
        if time.monotonic() - start > seconds:
            pytest.fail(f"{what} did not happen within {seconds} s")
        await asyncio.sleep(0.02)
    return time.monotonic() - start


async def assert_unavailable_at_once(manager: PluginManager, plugin_id: str, fragment: str) -> None:
    start = time.monotonic()
    with pytest.raises(PluginUnavailableError) as info:
        await manager.client(plugin_id).check_health(CheckHealthRequest(CTX))
    assert time.monotonic() - start < 0.2
    assert fragment in str(info.value)


async def test_crash_at_start_is_reported_and_backs_off(
    make_plugin: MakePlugin, start_manager: StartManager, caplog: pytest.LogCaptureFixture
) -> None:
    make_plugin("good")
    make_plugin("crash", "crash")
    manager = await start_manager()
    await assert_unavailable_at_once(manager, "crash", "exited with code 3 before printing a handshake line")
    await assert_unavailable_at_once(manager, "crash", "panic: cannot start")
    # The host and the other plugin are fine.
    assert (await manager.client("good").check_health(CheckHealthRequest(CTX))).status == HealthStatus.OK

    def failures() -> list[logging.LogRecord]:
        return [
            r
            for r in caplog.records
            if r.name == "grafana_plugin_host.plugins" and "crash failed to start" in r.getMessage()
        ]

    await wait_for(lambda: len(failures()) >= 4, 15, "four failed starts")
    times = [r.created for r in failures()[:4]]
    gaps = [b - a for a, b in itertools.pairwise(times)]
    # Retries wait 0, 0.3, 0.6 s (FAST options): the announced waits grow instead of spinning, and each was kept.
    delays = [float(r.args[2]) for r in failures()[:3]]  # type: ignore[index, arg-type]
    assert delays == pytest.approx([0.0, 0.3, 0.6]), delays
    assert all(gap >= delay for gap, delay in zip(gaps, delays, strict=True)), (gaps, delays)
    assert supervisor_of(manager, "crash").starts == 0


async def test_dies_mid_query(make_plugin: MakePlugin, start_manager: StartManager) -> None:
    make_plugin("fragile")
    manager = await start_manager()
    client = manager.client("fragile")
    first_pid = supervisor_of(manager, "fragile").process.pid  # type: ignore[union-attr]
    slow = asyncio.create_task(client.query_data(QueryDataRequest(CTX, [query("S", action="sleep", seconds=30)])))
    await asyncio.sleep(0.2)
    start = time.monotonic()
    with pytest.raises(PluginCallError) as info:
        await client.query_data(QueryDataRequest(CTX, [query("A", action="die", after=0.2)]))
    assert info.value.code == "UNAVAILABLE"
    assert "fragile exited with code 7 during QueryData" in info.value.message
    with pytest.raises(PluginCallError, match="exited with code 7"):
        await asyncio.wait_for(slow, 2.0)  # the other call in flight fails too, it does not hang
    assert time.monotonic() - start < 2.0
    supervisor = supervisor_of(manager, "fragile")
    await wait_for(lambda: supervisor.process is not None, 5, "restart")
    assert supervisor.process is not None and supervisor.process.pid != first_pid
    assert (await client.check_health(CheckHealthRequest(CTX))).status == HealthStatus.OK


async def test_sigkilled_plugin_is_back_within_two_seconds(
    make_plugin: MakePlugin, start_manager: StartManager
) -> None:
    make_plugin("victim")
    manager = await start_manager()
    supervisor = supervisor_of(manager, "victim")
    assert supervisor.process is not None and supervisor.process.pid is not None
    old = supervisor.process.pid
    os.kill(old, signal.SIGKILL)
    await wait_for(lambda: supervisor.process is None, 1, "noticing the exit")
    await assert_unavailable_at_once(manager, "victim", "was killed by SIGKILL")
    took = await wait_for(lambda: supervisor.process is not None, 2.0, "restart after SIGKILL")
    assert supervisor.process is not None and supervisor.process.pid != old
    assert (await manager.client("victim").check_health(CheckHealthRequest(CTX))).status == HealthStatus.OK
    assert took < 2.0


async def test_never_prints_handshake(
    make_plugin: MakePlugin, start_manager: StartManager, procs_under: ProcsUnder
) -> None:
    folder = make_plugin("silent", "silent")
    options = ProcessOptions(start_timeout=1.0, restart_delay=5, max_restart_delay=5)
    start = time.monotonic()
    manager = await start_manager(options=options)
    assert 0.9 < time.monotonic() - start < 5
    await assert_unavailable_at_once(manager, "silent", "printed no handshake line within 1 s")
    # One immediate retry, which times out too; then a 5 s wait with no process: each silent one was killed.
    await wait_for(lambda: not procs_under(folder), 3, "the silent processes to be killed")


async def test_garbage_handshake(make_plugin: MakePlugin, start_manager: StartManager) -> None:
    make_plugin("garbage", "garbage")
    manager = await start_manager(options=ProcessOptions(start_timeout=10, restart_delay=5, max_restart_delay=5))
    await assert_unavailable_at_once(
        manager, "garbage", "unrecognized handshake line 'Welcome to my plugin! Starting up...'"
    )


async def test_missing_executable(plugins_dir: Path, start_manager: StartManager) -> None:
    (plugins_dir / "noexe").mkdir()
    meta = {"id": "noexe", "type": "datasource", "backend": True, "executable": "gpx_noexe"}
    (plugins_dir / "noexe" / "plugin.json").write_bytes(orjson.dumps(meta))
    manager = await start_manager()
    await assert_unavailable_at_once(manager, "noexe", "has no executable for")
    await assert_unavailable_at_once(manager, "noexe", "gpx_noexe_")


async def test_stderr_flood_does_not_block_the_plugin(
    make_plugin: MakePlugin, start_manager: StartManager, caplog: pytest.LogCaptureFixture
) -> None:
    caplog.set_level(logging.INFO, logger="plugin.flood")
    make_plugin("flood", "flood")
    manager = await start_manager()
    client = manager.client("flood")
    for _ in range(5):  # calls work while the flood runs
        assert (await client.check_health(CheckHealthRequest(CTX))).status == HealthStatus.OK

    async def flooded() -> int:
        [reply] = [m async for m in client.call_resource(CallResourceRequest(CTX, path="flood"))]
        return int(reply.body)

    start = time.monotonic()
    while await flooded() < 10 * 1024 * 1024:
        assert time.monotonic() - start < 30, "the plugin is blocked writing stderr"
        await asyncio.sleep(0.1)

    def last_line_logged() -> bool:
        return any(r.name == "plugin.flood" and r.getMessage().startswith("flood done") for r in caplog.records)

    await wait_for(last_line_logged, 10, "the host to read the flood to its end")
    assert (await client.check_health(CheckHealthRequest(CTX))).status == HealthStatus.OK
    assert supervisor_of(manager, "flood").starts == 1


async def test_unhealthy_plugin_is_restarted(make_plugin: MakePlugin, start_manager: StartManager) -> None:
    make_plugin("sick", "sick")
    manager = await start_manager()
    supervisor = supervisor_of(manager, "sick")
    await wait_for(lambda: supervisor.starts >= 2, 10, "a restart after failed health checks")


async def test_no_orphans_when_the_host_is_killed(
    make_plugin: MakePlugin, plugins_dir: Path, proc_group: ProcGroup
) -> None:
    make_plugin("child")
    script = textwrap.dedent(
        f"""
        import asyncio, sys
        from grafana_plugin_host.config import load_settings
        from grafana_plugin_host.plugins import PluginManager

        async def main():
            env = {{"GF_PATHS_PLUGINS": {str(plugins_dir)!r}, "GF_PLUGINS_ALLOW_LOADING_UNSIGNED_PLUGINS": "child"}}
            manager = PluginManager(load_settings("", env))
            await manager.start()
            print(manager.supervisor("child").process.pid, flush=True)
            await asyncio.sleep(3600)

        asyncio.run(main())
        """
    )
    host = await asyncio.create_subprocess_exec(sys.executable, "-c", script, stdout=asyncio.subprocess.PIPE)
    try:
        assert host.stdout is not None
        plugin_pid = int(await asyncio.wait_for(host.stdout.readline(), 30))
        assert proc_group(plugin_pid)
        host.kill()
        await host.wait()
        await wait_for(lambda: not proc_group(plugin_pid), 2, "the plugin to die with its host")
    finally:
        if host.returncode is None:
            host.kill()
            await host.wait()


async def test_handshake_pointing_nowhere_fails_fast(
    make_plugin: MakePlugin, start_manager: StartManager, tmp_path: Path
) -> None:
    folder = make_plugin("liar")
    launcher = next(folder.glob("gpx_liar_*"))
    launcher.write_text(f"#!/bin/sh\necho '1|2|unix|{tmp_path}/nobody.sock|grpc|'\nexec sleep 3600\n", encoding="utf-8")
    start = time.monotonic()
    manager = await start_manager(options=ProcessOptions(start_timeout=30, restart_delay=5, max_restart_delay=5))
    assert time.monotonic() - start < 10
    await assert_unavailable_at_once(manager, "liar", f"did not answer the health check at {tmp_path}/nobody.sock")
