"""Benchmark ``POST /api/ds/query`` end to end: the host in its own process (uvicorn), a real plugin process.

Measures throughput and p50/p99 latency of a small query at 1, 8 and 64 concurrent clients, a 1M-row response
end to end, and how much a concurrent 1M-row response slows small queries (it must not block the event loop).

Usage: ``PYTHONPATH=. python bench/bench_ds_query.py [--seconds 5] [--plugin testdata|fwd]``. ``testdata`` is the
bundled TestData example (``random_walk`` / ``large_frame``); ``fwd`` is the forwarding tests' plugin.
"""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import os
import signal
import socket
import statistics
import sys
import tempfile
import time
from collections.abc import AsyncIterator, Callable
from pathlib import Path
from typing import Any

import httpx
import orjson

ROOT = Path(__file__).resolve().parent.parent
AUTH = ("admin", "admin")
SERVER = """
import uvicorn
from grafana_plugin_host.app import create_app
from grafana_plugin_host.config import load_settings
from grafana_plugin_host.plugins import PluginManager
settings = load_settings("")
uvicorn.run(create_app(settings, plugins=PluginManager(settings)), host="127.0.0.1", port={port}, log_level="warning")
"""


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port: int = sock.getsockname()[1]
        return port


def _fwd_plugins(folder: Path) -> tuple[Path, str]:
    plugin = folder / "fwd-a-datasource"
    plugin.mkdir(parents=True)
    manifest = {"id": "fwd-a-datasource", "type": "datasource", "name": "fwd", "backend": True, "executable": "gpx_fwd"}
    (plugin / "plugin.json").write_bytes(orjson.dumps(manifest))
    launcher = plugin / "gpx_fwd"
    script = ROOT / "tests" / "host" / "forward" / "fwd_plugin.py"
    launcher.write_text(f"#!/bin/sh\nexec {sys.executable} {script} fwd-a-datasource\n")
    launcher.chmod(0o755)
    return folder, "fwd-a-datasource"


@contextlib.asynccontextmanager
async def host_process(plugin: str) -> AsyncIterator[tuple[httpx.AsyncClient, str]]:
    """The host on a free port in a subprocess (killed at the end); yields a client and the plugin id."""
    with tempfile.TemporaryDirectory() as tmp:
        if plugin == "testdata":
            plugins, plugin_id = ROOT / "example_plugins", "python-testdata-datasource"
        else:
            plugins, plugin_id = _fwd_plugins(Path(tmp) / "plugins")
        port = _free_port()
        env = {
            **os.environ,
            "PYTHONPATH": str(ROOT),
            "GF_PLUGIN_PYTHON": sys.executable,
            "GF_PATHS_DATA": str(Path(tmp) / "data"),
            "GF_PATHS_PLUGINS": str(plugins),
            "GF_PLUGINS_ALLOW_LOADING_UNSIGNED_PLUGINS": plugin_id,
            "GF_PLUGINS_START": "lazy",
            "GF_SECURITY_ADMIN_PASSWORD": AUTH[1],
        }
        proc = await asyncio.create_subprocess_exec(
            sys.executable, "-c", SERVER.format(port=port), env=env, start_new_session=True
        )
        try:
            async with httpx.AsyncClient(
                base_url=f"http://127.0.0.1:{port}",
                auth=AUTH,
                timeout=300,
                limits=httpx.Limits(max_connections=128, max_keepalive_connections=128),
            ) as client:
                for _ in range(300):
                    with contextlib.suppress(httpx.TransportError):
                        if (await client.get("/api/health")).status_code < 500:
                            break
                    await asyncio.sleep(0.1)
                yield client, plugin_id
        finally:
            os.killpg(proc.pid, signal.SIGTERM)
            try:
                await asyncio.wait_for(proc.wait(), 10)
            except TimeoutError:
                os.killpg(proc.pid, signal.SIGKILL)
                await proc.wait()


def _small_query(uid: str, plugin: str) -> dict[str, Any]:
    model = {"scenarioId": "random_walk"} if plugin == "testdata" else {"scenario": "series", "values": [1, 2, 3]}
    return {"queries": [{"refId": "A", "datasource": {"uid": uid}, **model}], "from": "now-1h", "to": "now"}


def _big_query(uid: str, plugin: str, rows: int) -> dict[str, Any]:
    model = {"scenarioId": "large_frame", "rows": rows} if plugin == "testdata" else {"scenario": "rows", "n": rows}
    return {"queries": [{"refId": "A", "datasource": {"uid": uid}, **model}], "from": "now-1h", "to": "now"}


async def _post(client: httpx.AsyncClient, body: dict[str, Any]) -> float:
    start = time.perf_counter()
    response = await client.post("/api/ds/query", json=body)
    response.raise_for_status()
    return time.perf_counter() - start


async def load(client: httpx.AsyncClient, body: dict[str, Any], clients: int, seconds: float) -> list[float]:
    """Latencies of back-to-back requests from ``clients`` concurrent workers for ``seconds``."""
    latencies: list[float] = []
    deadline = time.perf_counter() + seconds

    async def worker() -> None:
        while time.perf_counter() < deadline:
            latencies.append(await _post(client, body))

    await asyncio.gather(*(worker() for _ in range(clients)))
    return latencies


def _pct(values: list[float], q: int) -> float:
    return statistics.quantiles(values, n=100)[q - 1] if len(values) > 1 else values[0]


async def _timed(label: str, action: Callable[[], Any]) -> float:
    start = time.perf_counter()
    await action()
    elapsed = time.perf_counter() - start
    print(f"  {label}: {elapsed * 1000:.0f} ms")
    return elapsed


async def main() -> None:
    """Run every measurement and print a table."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--seconds", type=float, default=5.0)
    parser.add_argument("--plugin", choices=["testdata", "fwd"], default="testdata")
    parser.add_argument("--rows", type=int, default=1_000_000)
    args = parser.parse_args()
    async with host_process(args.plugin) as (client, plugin_id):
        created = await client.post("/api/datasources", json={"name": "bench", "type": plugin_id, "access": "proxy"})
        created.raise_for_status()
        uid = created.json()["datasource"]["uid"]
        small = _small_query(uid, args.plugin)
        await load(client, small, 4, 1.0)  # warm up: plugin start, connections
        print(f"small query ({args.plugin}), {args.seconds:g} s per level")
        print(f"{'clients':>8} {'req/s':>8} {'p50 ms':>8} {'p99 ms':>8}")
        for clients in (1, 8, 64):
            latencies = await load(client, small, clients, args.seconds)
            rate = len(latencies) / args.seconds
            p50, p99 = _pct(latencies, 50) * 1000, _pct(latencies, 99) * 1000
            print(f"{clients:>8} {rate:>8.0f} {p50:>8.1f} {p99:>8.1f}")
        big = _big_query(uid, args.plugin, args.rows)
        print(f"{args.rows:,} rows end to end")
        total = min([await _timed(f"run {i + 1}", lambda: _post(client, big)) for i in range(3)])
        response = await client.post("/api/ds/query", json=big)
        print(f"  best {total * 1000:.0f} ms, {len(response.content) / 1e6:.1f} MB JSON")
        idle = await load(client, small, 1, 2.0)
        big_task = asyncio.create_task(load(client, big, 1, 4.0))
        busy = await load(client, small, 1, 4.0)
        await big_task
        ratio = statistics.median(busy) / statistics.median(idle)
        print(
            f"small-query p50 idle {statistics.median(idle) * 1000:.1f} ms, during 1M-row responses "
            f"{statistics.median(busy) * 1000:.1f} ms (x{ratio:.1f})"
        )


if __name__ == "__main__":
    asyncio.run(main())
