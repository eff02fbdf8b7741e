"""Slow readers of large answers: host memory stays bounded and is returned, and small queries keep their latency.

The suite's host has two large-answer slots and room for one waiting answer (``tests.hostile.conftest``), so of
16 readers that never read, most are refused with 503 as soon as their answer arrives.
"""

from __future__ import annotations

import socket
import time
from pathlib import Path

from tests.hostile.conftest import Env
from tests.hostile.test_plugin_calls import _stalled_reader


def _rss_mib(pid: int) -> float:
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        if line.startswith("VmRSS:"):
            return int(line.split()[1]) / 1024
    return float("nan")


def _head(reader: socket.socket) -> bytes:
    """The start of what the host sent on ``reader`` (its status line), without waiting long."""
    reader.settimeout(2)
    try:
        return reader.recv(64)
    except TimeoutError:
        return b""


def test_sixteen_stalled_readers_of_large_answers(env: Env) -> None:
    assert env.host.process is not None
    pid = env.host.process.pid
    before = _rss_mib(pid)
    readers = [_stalled_reader(env, 500_000) for _ in range(16)]
    try:
        peak, latencies = before, []
        for _ in range(10):
            started = time.monotonic()
            with env.client() as client:
                body = {
                    "queries": [{"refId": "A", "datasource": {"uid": env.backend_uid}}],
                    "from": "now-1h",
                    "to": "now",
                }
                assert client.post("/api/ds/query", json=body).status_code == 200
            latencies.append(time.monotonic() - started)
            peak = max(peak, _rss_mib(pid))
            time.sleep(0.5)
        refused = sum(_head(reader).startswith(b"HTTP/1.1 503 ") for reader in readers)
    finally:
        for reader in readers:
            reader.close()
    time.sleep(3)
    after = _rss_mib(pid)
    worst = max(latencies)
    print(
        f"\n16 stalled readers of 500k-row answers: {refused} refused (503); host RSS {before:.0f} MiB before, "
        f"{peak:.0f} MiB peak, {after:.0f} MiB after; small query latency max {1000 * worst:.0f} ms, median "
        f"{1000 * sorted(latencies)[len(latencies) // 2]:.0f} ms"
    )
    assert worst < 3.0 and peak - before < 600
    assert refused >= 8  # at most two sending and one waiting at any moment, each stalled reader cut after 2 s
    assert after - before < (peak - before) * 0.75  # the burst's memory is handed back
