"""Benchmark Grafana Live fan-out: one TestData stream delivered to 1, 100 and 1,000 WebSocket subscribers.

The host runs in its own process with the TestData plugin; the subscribers are ``websockets`` clients in this
process, all on one channel. For each size it reports publications delivered per second (all subscribers
together), the host process's CPU time per delivered publication (from ``/proc``, the plugin excluded), and
publications dropped for slow subscribers. The 1-subscriber row is the reference the others are compared with.

Usage: ``PYTHONPATH=. python bench/bench_live.py [--seconds 10]``.
"""

from __future__ import annotations

import argparse
import asyncio
import base64
import contextlib
import os
import re
import time
from pathlib import Path

import httpx
import orjson
from websockets.asyncio.client import ClientConnection, connect
from websockets.exceptions import ConnectionClosed

from grafana_plugin_sdk.testing import start_stack

ROOT = Path(__file__).resolve().parent.parent
ADMIN = ("admin", "harness-admin-password")
#: (subscribers, stream interval in ms): the stream slows as subscribers grow so the 2 cores are not saturated.
SIZES = ((1, 1), (100, 10), (1000, 100))
_TICKS = os.sysconf("SC_CLK_TCK")


def _cpu_seconds(pid: int) -> float:
    fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    return (int(fields[11]) + int(fields[12])) / _TICKS  # utime + stime


def _metric(url: str, name: str) -> float:
    text = httpx.get(url.rstrip("/") + "/metrics", timeout=30).text
    match = re.search(rf"^{re.escape(name)} (\S+)$", text, re.MULTILINE)
    return float(match.group(1)) if match else 0.0


async def _subscriber(url: str, channel: str, data: dict[str, int], counts: list[int], index: int) -> ClientConnection:
    auth = "Basic " + base64.b64encode(":".join(ADMIN).encode()).decode()
    ws = await connect(url, additional_headers={"Authorization": auth}, max_size=None, ping_interval=None)
    commands = [{"id": 1, "connect": {}}, {"id": 2, "subscribe": {"channel": channel, "data": data}}]
    await ws.send("\n".join(orjson.dumps(c).decode() for c in commands))

    async def read() -> None:
        with contextlib.suppress(ConnectionClosed):
            async for frame in ws:
                text = frame if isinstance(frame, str) else frame.decode()
                counts[index] += text.count('"pub":')
                if text == "{}":
                    await ws.send("{}")

    asyncio.get_running_loop().create_task(read())
    return ws


async def _measure(http_url: str, pid: int, subscribers: int, interval: int, seconds: float) -> dict[str, float]:
    ws_url = http_url.rstrip("/").replace("http://", "ws://") + "/api/live/ws"
    channel = f"1/ds/td/random-walk-bench-{subscribers}"
    counts = [0] * subscribers
    clients = [await _subscriber(ws_url, channel, {"interval": interval}, counts, i) for i in range(subscribers)]
    await asyncio.sleep(2)  # everyone subscribed and receiving
    dropped_before = _metric(http_url, "grafana_live_messages_dropped_total")
    delivered_before, cpu_before, started = sum(counts), _cpu_seconds(pid), time.perf_counter()
    await asyncio.sleep(seconds)
    delivered, cpu = sum(counts) - delivered_before, _cpu_seconds(pid) - cpu_before
    elapsed = time.perf_counter() - started
    dropped = _metric(http_url, "grafana_live_messages_dropped_total") - dropped_before
    await asyncio.gather(*(ws.close() for ws in clients))
    return {
        "per_second": delivered / elapsed,
        "packets_per_second": delivered / elapsed / subscribers,
        "cpu_us": cpu / delivered * 1e6 if delivered else float("nan"),
        "cpu_share": cpu / elapsed,
        "dropped": dropped,
    }


async def _run(url: str, pid: int, seconds: float) -> None:
    print(
        "| subscribers | stream packets/s | publications delivered/s | host CPU per publication | host CPU | dropped |"
    )
    print("|---:|---:|---:|---:|---:|---:|")
    reference = None
    for subscribers, interval in SIZES:
        r = await _measure(url, pid, subscribers, interval, seconds)
        reference = reference or r["cpu_us"]
        print(
            f"| {subscribers} | {r['packets_per_second']:.0f} | {r['per_second']:,.0f} | "
            f"{r['cpu_us']:.1f} µs ({r['cpu_us'] / reference:.2f}x) | {r['cpu_share'] * 100:.0f}% | {r['dropped']:.0f} |"
        )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--seconds", type=float, default=10.0)
    args = parser.parse_args()
    env = {"GF_LIVE_MAX_CONNECTIONS": "5000"}
    datasources = [{"name": "TestData", "type": "python-testdata-datasource", "uid": "td"}]
    with start_stack(plugins=[ROOT / "example_plugins" / "testdata"], datasources=datasources, env=env) as stack:
        asyncio.run(_run(stack.url, stack.pid, args.seconds))


if __name__ == "__main__":
    main()
