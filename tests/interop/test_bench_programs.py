"""The benchmark's Go programs (``bench/bench_vs_go.py``) compare like with like.

gofront serves ``/api/ds/query`` from the Python TestData plugin and from gotestdata with frames of the same
shape, refuses bad bodies with 400, and its load mode calls QueryData without errors.
"""

from __future__ import annotations

import contextlib
import json
import os
import socket
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import httpx
import pytest

from .conftest import GoPrograms

ROOT = Path(__file__).resolve().parents[2]
PY_TESTDATA = ROOT / "example_plugins" / "testdata" / "gpx_testdata_linux_amd64"
ENV = {**os.environ, "PYTHONPATH": str(ROOT), "GF_PLUGIN_PYTHON": sys.executable}


def _port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port: int = sock.getsockname()[1]
        return port


@contextlib.contextmanager
def gofront(programs: GoPrograms, plugin: Path) -> Iterator[httpx.Client]:
    """gofront serving ``plugin`` on a free port; a client for it."""
    port = _port()
    proc = subprocess.Popen(
        [str(programs.front), "-listen", f"127.0.0.1:{port}", "--", str(plugin)],
        env=ENV,
        stdout=subprocess.PIPE,
        stderr=subprocess.DEVNULL,
    )
    try:
        assert proc.stdout is not None
        assert proc.stdout.readline().strip() == b"ready"
        with httpx.Client(base_url=f"http://127.0.0.1:{port}", timeout=60) as client:
            yield client
    finally:
        proc.terminate()
        proc.wait(30)


def _query(client: httpx.Client, **model: Any) -> httpx.Response:
    query = {"refId": "A", "maxDataPoints": 100, "intervalMs": 1000, **model}
    return client.post("/api/ds/query", json={"queries": [query], "from": "now-1h", "to": "now"})


def _shape(response: httpx.Response) -> list[tuple[Any, ...]]:
    assert response.status_code == 200, response.text
    frames = response.json()["results"]["A"].get("frames", [])
    return [
        (
            frame["schema"].get("name"),
            frame["schema"]["meta"]["type"],
            [(f["name"], f["type"]) for f in frame["schema"]["fields"]],
            [len(values) for values in frame["data"]["values"]],
        )
        for frame in frames
    ]


def test_both_plugins_answer_the_benchmark_scenarios_with_the_same_frames(go_programs: GoPrograms) -> None:
    shapes = []
    for plugin in (PY_TESTDATA, go_programs.testdata):
        with gofront(go_programs, plugin) as client:
            shapes.append(
                (
                    _shape(_query(client, scenarioId="random_walk")),
                    _shape(_query(client, scenarioId="large_frame", rows=1000)),
                    _shape(_query(client, scenarioId="no_data_points")),
                )
            )
    python, go = shapes
    assert python == go
    walk, large, empty = go
    time_value = [("time", "time"), ("value", "number")]
    assert walk == [("A-series", "timeseries-multi", time_value, [100, 100])]
    assert large == [(None, "timeseries-multi", time_value, [1000, 1000])]
    assert empty == []


@pytest.mark.parametrize(
    "body",
    [b"not json", b'{"queries": [{"refId": 1}]}', b'{"queries": [], "from": "yesterday", "to": "now"}', b"[]"],
)
def test_gofront_refuses_bad_bodies_with_400(go_programs: GoPrograms, body: bytes) -> None:
    with gofront(go_programs, go_programs.testdata) as client:
        response = client.post("/api/ds/query", content=body)
        assert response.status_code == 400
        assert "message" in response.json()


def test_gofront_load_mode_calls_querydata_without_errors(go_programs: GoPrograms) -> None:
    out = subprocess.run(
        [str(go_programs.front), "-load-seconds", "0.5", "-load-callers", "2", "--", str(go_programs.testdata)],
        env=ENV,
        capture_output=True,
        text=True,
        timeout=60,
        check=True,
    )
    result = json.loads(out.stdout)
    assert result["callers"] == 2 and result["calls"] > 0 and result["errors"] == 0
