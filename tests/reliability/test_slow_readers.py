"""Slow readers of large answers: host memory stays bounded and small queries keep their latency."""

from __future__ import annotations

import time
from pathlib import Path

from tests.hostile.conftest import Env
from tests.hostile.test_plugin_calls import _stalled_reader


def _rss_mib(pid: int) -> float:
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        if line.startswith("VmRSS:"):
            return int(line.split()[1]) / 1024
    return float("nan")


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
    finally:
        for reader in readers:
            reader.close()
    time.sleep(3)
    after = _rss_mib(pid)
    worst = max(latencies)
    print(
        f"\n16 stalled readers of 500k-row answers: host RSS {before:.0f} MiB before, {peak:.0f} MiB peak, "
        f"{after:.0f} MiB after; small query latency max {1000 * worst:.0f} ms, median "
        f"{1000 * sorted(latencies)[len(latencies) // 2]:.0f} ms"
    )
    assert worst < 3.0 and peak - before < 600
