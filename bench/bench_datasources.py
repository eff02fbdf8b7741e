"""``GET /api/datasources`` with 10,000 data sources in the org, driven by ``wrk`` at 16 connections.

Starts the host once to create its database, adds the data sources straight into the SQLite file (fast), starts
it again (with default settings, then with ``[server] enable_gzip`` and a browser's ``Accept-Encoding``) and
reports, per round, req/s and p50/p99, plus the first (uncached) request. Goal: p99 <= 100 ms.
Usage: ``PYTHONPATH=. python bench/bench_datasources.py [--count 10000] [--seconds 5] [--rounds 3]``.
"""

from __future__ import annotations

import argparse
import json
import os
import sqlite3
import statistics
import sys
import tempfile
import time
from datetime import UTC, datetime
from pathlib import Path

from bench.bench_vs_go import AUTH, PYTHONPATH, Sample, admin_request, run_wrk, start_host

CLIENTS = 16
#: What a browser sends.
GZIP = {"Accept-Encoding": "gzip, deflate, br"}


def fill(database: Path, count: int) -> None:
    """Insert ``count`` data sources into org 1 (names ``ds-00000``...), one transaction."""
    now = datetime.now(UTC).replace(tzinfo=None).isoformat(sep=" ")
    rows = [
        (
            1,
            1,
            "prometheus",
            f"ds-{n:05d}",
            "proxy",
            f"http://db-{n}:9090",
            False,
            False,
            '{"httpMethod":"POST"}',
            now,
            now,
            False,
            "{}",
            False,
            f"uid-{n:05d}",
        )
        for n in range(count)
    ]
    with sqlite3.connect(database) as conn:
        conn.executemany(
            "INSERT INTO data_source (org_id, version, type, name, access, url, basic_auth, is_default, json_data,"
            " created, updated, with_credentials, secure_json_data, read_only, uid)"
            " VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
            rows,
        )


def main() -> None:
    """Fill, start, measure, print."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--count", type=int, default=10_000)
    parser.add_argument("--seconds", type=float, default=5.0)
    parser.add_argument("--rounds", type=int, default=3)
    args = parser.parse_args()
    env = {
        **os.environ,
        "PYTHONPATH": PYTHONPATH,
        "GF_SECURITY_ADMIN_PASSWORD": AUTH[1],
        "GF_DATASOURCES_DATASOURCE_LIMIT": str(args.count),
    }
    with tempfile.TemporaryDirectory(prefix="bench-ds-") as name:
        tmp = Path(name)
        data = tmp / "data"
        start_host("host", env, data, "uvloop", "httptools", None).stop()
        fill(data / "grafana.db", args.count)
        rows = []
        for label, extra_env, headers in (
            ("default settings", {}, {}),
            ("[server] enable_gzip = true, Accept-Encoding: gzip", {"GF_SERVER_ENABLE_GZIP": "true"}, GZIP),
        ):
            front = start_host("host", env | extra_env, data, "uvloop", "httptools", None)
            front.headers = headers
            try:
                started = time.perf_counter()
                listed = admin_request(front.url)
                first = time.perf_counter() - started
                print(
                    f"{label}: {len(listed)} data sources, {len(json.dumps(listed)) / 1e6:.1f} MB; first request {first * 1000:.0f} ms"
                )
                run_wrk(front, CLIENTS, 1, tmp)  # warm up
                rows.append((label, [run_wrk(front, CLIENTS, args.seconds, tmp) for _ in range(args.rounds)]))
            finally:
                front.stop()
    for label, samples in rows:
        report(label, samples)
    sys.stdout.flush()


def report(label: str, samples: list[Sample]) -> None:
    """Each round, then the medians against the goal."""
    if any(s.rate == 0 for s in samples):
        print("some rounds completed no request: use a longer --seconds")
    print(label)
    for n, s in enumerate(samples, 1):
        print(f"  round {n}: {s.rate:6.1f} req/s p50 {s.p50_ms:7.1f} ms p99 {s.p99_ms:7.1f} ms errors {s.errors}")
    p99 = statistics.median(s.p99_ms for s in samples)
    print(
        f"  {CLIENTS} clients, median of {len(samples)}: {statistics.median(s.rate for s in samples):.1f} req/s, "
        f"p50 {statistics.median(s.p50_ms for s in samples):.1f} ms, p99 {p99:.1f} ms (goal 100 ms: "
        f"{'met' if p99 <= 100 else 'not met'}); CPU ms/request: wrk {statistics.median(s.cpu_ms['wrk'] for s in samples):.2f}, "
        f"host {statistics.median(s.cpu_ms['front'] for s in samples):.2f}"
    )


if __name__ == "__main__":
    main()
