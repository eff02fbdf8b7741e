"""Two real hosts sharing Live channels through a real Redis (``[live] ha_engine = redis``).

Redis comes from ``GRAFANA_PLUGIN_HOST_TEST_REDIS`` (``host:port``; CI's ``.ci/setup.d/30-redis.sh`` sets it), or
a ``redis-server`` on PATH started here; without either the tests are skipped.
"""

from __future__ import annotations

import asyncio
import os
import shutil
import signal
import socket
import subprocess
import time
from collections.abc import Iterator
from pathlib import Path

import pytest

from grafana_plugin_sdk.testing import Stack
from tests.live.conftest import LiveClient, metric, stack_with_testdata, walk_channel

REDIS_ENV = "GRAFANA_PLUGIN_HOST_TEST_REDIS"


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port: int = sock.getsockname()[1]
        return port


@pytest.fixture(scope="module")
def redis_address(tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    """A Redis server's ``host:port`` on loopback."""
    if address := os.environ.get(REDIS_ENV):
        yield address
        return
    server = shutil.which("redis-server")
    if server is None:
        pytest.skip(f"no Redis: set {REDIS_ENV} or install redis-server (CI: .ci/setup.d/30-redis.sh)")
    port = _free_port()
    folder = tmp_path_factory.mktemp("redis")
    args = [
        server,
        "--port",
        str(port),
        "--bind",
        "127.0.0.1",
        "--save",
        "",
        "--appendonly",
        "no",
        "--dir",
        str(folder),
    ]
    process = subprocess.Popen(args, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    try:
        deadline = time.monotonic() + 10
        while True:
            with socket.socket() as sock:
                if sock.connect_ex(("127.0.0.1", port)) == 0:
                    break
            assert time.monotonic() < deadline and process.poll() is None, "redis-server did not start"
            time.sleep(0.05)
        yield f"127.0.0.1:{port}"
    finally:
        process.terminate()
        process.wait(10)


@pytest.fixture
def two_hosts(redis_address: str, tmp_path: Path) -> Iterator[list[Stack]]:
    """Hosts A and B on one Redis, each with its own database and TestData process."""
    env = {"GF_LIVE_HA_ENGINE": "redis", "GF_LIVE_HA_ENGINE_ADDRESS": redis_address}
    stacks: list[Stack] = []
    try:
        for name in ("a", "b"):
            folder = tmp_path / name
            folder.mkdir()
            stacks.append(stack_with_testdata(env, folder))
        yield stacks
    finally:
        for stack in stacks:
            stack.close()


def _points(pubs: list[dict[str, object]]) -> dict[int, float]:
    points: dict[int, float] = {}
    for pub in pubs:
        data = pub["data"]
        assert isinstance(data, dict)
        times, values = data["values"]
        points.update(zip(times, values, strict=True))
    return points


async def _streams(stacks: list[Stack]) -> list[float]:
    return [await metric(s.url, "grafana_live_streams") for s in stacks]


async def test_both_hosts_receive_one_stream_and_survivor_takes_over(two_hosts: list[Stack]) -> None:
    channel = walk_channel(path="random-walk-ha")
    data = {"interval": 50}
    a = await LiveClient.open(two_hosts[0].url)
    b = await LiveClient.open(two_hosts[1].url)
    assert "subscribe" in await a.call("subscribe", {"channel": channel, "data": data})
    assert "subscribe" in await b.call("subscribe", {"channel": channel, "data": data})
    await asyncio.sleep(0.5)  # both hosts watch the channel now
    a.pushes.clear()
    b.pushes.clear()
    on_a, on_b = _points(await a.publications(channel, 10)), _points(await b.publications(channel, 10))
    shared = on_a.keys() & on_b.keys()
    assert len(shared) >= 8, "both clients see the same packets"
    assert all(on_a[t] == on_b[t] for t in shared)
    assert sorted(await _streams(two_hosts)) == [0, 1], "one RunStream for both hosts"

    leader = 0 if (await _streams(two_hosts))[0] == 1 else 1
    survivor, client = two_hosts[1 - leader], (b if leader == 0 else a)
    os.killpg(two_hosts[leader].pid, signal.SIGKILL)  # the host and its plugin die at once
    await asyncio.sleep(0.2)
    client.pushes.clear()
    started = time.monotonic()
    await client.publications(channel, 1, seconds=15)
    takeover = time.monotonic() - started
    assert takeover < 8, f"the survivor took {takeover:.1f} s to take the stream over"
    assert len(await client.publications(channel, 5)) == 5
    assert await metric(survivor.url, "grafana_live_streams") == 1
    await a.close()
    await b.close()


async def test_publish_on_one_host_reaches_the_other(two_hosts: list[Stack]) -> None:
    channel = walk_channel(path="echo")
    listener = await LiveClient.open(two_hosts[1].url)
    writer = await LiveClient.open(two_hosts[0].url)
    assert "subscribe" in await listener.call("subscribe", {"channel": channel})
    await asyncio.sleep(0.3)
    assert "publish" in await writer.call("publish", {"channel": channel, "data": {"via": "redis"}})
    assert await listener.publications(channel, 1) == [{"via": "redis"}]
    await listener.close()
    await writer.close()
