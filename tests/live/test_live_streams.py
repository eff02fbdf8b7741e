"""Streams through a real host: one RunStream per channel for many subscribers, cancellation, slow subscribers,
a plugin that crashes."""

from __future__ import annotations

import asyncio
import os
import signal
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import orjson
import pytest
from websockets.asyncio.client import connect
from websockets.exceptions import ConnectionClosed, InvalidStatus

from grafana_plugin_sdk.testing import Stack
from tests.live.conftest import ADMIN_HEADERS, LiveClient, metric, stack_with_testdata, wait_metric, walk_channel


def _ws_url(url: str) -> str:
    return url.rstrip("/").replace("http://", "ws://") + "/api/live/ws"


def _walk_points(pub: dict[str, Any]) -> list[tuple[int, float]]:
    """(time ms, value) of each row of a TestData publication (full or data-only frame JSON)."""
    times, values = pub["data"]["values"]
    return list(zip(times, values, strict=True))


async def test_one_stream_fans_out_to_many_subscribers_and_stops_with_the_last(stack: Stack) -> None:
    channel = walk_channel(path="random-walk-many")
    clients = [await LiveClient.open(stack.url) for _ in range(40)]
    for client in clients:
        reply = await client.call("subscribe", {"channel": channel, "data": {"interval": 20}})
        assert "subscribe" in reply
    assert await metric(stack.url, "grafana_live_streams") == 1
    assert await metric(stack.url, "grafana_live_subscribers") == 40
    seen: dict[int, set[float]] = {}
    for client in clients:
        for pub in await client.publications(channel, 5):
            for when, value in _walk_points(pub):
                seen.setdefault(when, set()).add(value)
    # One stream: every client saw points of the same walk (40 streams would give ~200 distinct points).
    assert all(len(values) == 1 for values in seen.values())
    assert len(seen) < 5 + 40
    for client in clients[:-1]:
        await client.close()
    await wait_metric(stack.url, "grafana_live_subscribers", 1)
    assert await metric(stack.url, "grafana_live_streams") == 1
    await clients[-1].call("unsubscribe", {"channel": channel})
    await wait_metric(stack.url, "grafana_live_streams", 0)
    assert await metric(stack.url, "grafana_live_channels") == 0
    await clients[-1].close()
    await wait_metric(stack.url, "grafana_live_clients", 0)


@pytest.fixture(scope="module")
def small_queue_stack(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Stack]:
    """A host whose clients may have only 64 KiB queued, and only two connections."""
    env = {"GF_LIVE_CLIENT_QUEUE_MAX_SIZE": "65536", "GF_LIVE_MAX_CONNECTIONS": "2"}
    with stack_with_testdata(env, tmp_path_factory.mktemp("small-queue")) as running:
        yield running


async def test_slow_subscriber_is_dropped_with_3008_and_others_go_on(small_queue_stack: Stack) -> None:
    url = small_queue_stack.url
    channel = walk_channel(path="random-walk-fast")
    data = {"interval": 5, "points": 500}
    fast = await LiveClient.open(url)
    await fast.call("subscribe", {"channel": channel, "data": data})
    # The slow client reads nothing after subscribing (and sends no keepalive pings of its own).
    async with connect(_ws_url(url), additional_headers=ADMIN_HEADERS, max_queue=1, ping_interval=None) as slow:
        commands = [{"id": 1, "connect": {}}, {"id": 2, "subscribe": {"channel": channel, "data": data}}]
        await slow.send("\n".join(orjson.dumps(c).decode() for c in commands))
        await wait_metric(url, "grafana_live_messages_dropped_total", 1, seconds=60)
        before = len(await fast.publications(channel, 1))
        with pytest.raises(ConnectionClosed) as closed:
            async with asyncio.timeout(20):
                while True:
                    await slow.recv()
        assert closed.value.rcvd is not None and closed.value.rcvd.code == 3008
    assert len(await fast.publications(channel, 20)) == 20  # the fast subscriber still receives
    assert await metric(url, "grafana_live_subscribers") == 1
    assert before == 1
    await fast.close()


async def test_connections_past_the_limit_are_refused(small_queue_stack: Stack) -> None:
    url = small_queue_stack.url
    await wait_metric(url, "grafana_live_clients", 0)
    first, second = await LiveClient.open(url), await LiveClient.open(url)
    with pytest.raises(InvalidStatus) as refused:
        await LiveClient.open(url)
    assert refused.value.response.status_code == 503
    await first.close()
    await wait_metric(url, "grafana_live_clients", 1)
    third = await LiveClient.open(url)
    await second.close()
    await third.close()


def _plugin_pids(host_pid: int) -> list[int]:
    """Processes whose parent is the host (the plugin processes)."""
    pids = []
    for entry in Path("/proc").iterdir():
        if not entry.name.isdigit():
            continue
        try:
            stat = (entry / "stat").read_text()
        except OSError:
            continue
        if int(stat.rsplit(")", 1)[1].split()[1]) == host_pid:
            pids.append(int(entry.name))
    return pids


async def test_stream_resumes_after_the_plugin_crashes(stack: Stack) -> None:
    channel = walk_channel(path="random-walk-crash")
    client = await LiveClient.open(stack.url)
    await client.call("subscribe", {"channel": channel, "data": {"interval": 20}})
    await client.publications(channel, 2)
    [plugin] = _plugin_pids(stack.pid)
    os.kill(plugin, signal.SIGKILL)
    async with asyncio.timeout(30):  # a new RunStream: its first packet carries the schema again
        while "schema" not in (await client.publications(channel, 1, seconds=30))[0]:
            pass
    assert len(await client.publications(channel, 2)) == 2
    assert _plugin_pids(stack.pid) != [plugin]
    assert await metric(stack.url, "grafana_live_streams") == 1
    assert not [p for p in client.pushes if "unsubscribe" in p]
    await client.close()
