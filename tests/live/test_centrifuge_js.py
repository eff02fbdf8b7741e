"""Grafana's own Live client: the ``centrifuge`` npm package (the version Grafana's frontend pins) run by Node,
subscribing through a real host to TestData's stream, with ``@grafana/data`` reading the frames.

``tests/live/js/node_modules`` comes from ``npm ci`` there (``.ci/setup.d/45-live-node.sh``); without it, or
without Node, the test is skipped.
"""

from __future__ import annotations

import shutil
import subprocess
from pathlib import Path

import orjson
import pytest

from grafana_plugin_sdk.testing import Stack
from tests.live.conftest import ADMIN_HEADERS, walk_channel

JS = Path(__file__).resolve().parent / "js"
NODE = shutil.which("node")

pytestmark = [
    pytest.mark.skipif(NODE is None, reason="Node.js is not installed (CI installs it)"),
    pytest.mark.skipif(
        not (JS / "node_modules" / "centrifuge").is_dir() or not (JS / "node_modules" / "@grafana" / "data").is_dir(),
        reason="run `npm ci` in tests/live/js (CI does: .ci/setup.d/45-live-node.sh)",
    ),
]


def _run_client(stack: Stack, *args: str) -> dict[str, object]:
    assert NODE is not None
    ws_url = stack.url.rstrip("/").replace("http://", "ws://") + "/api/live/ws"
    done = subprocess.run(
        [NODE, str(JS / "live_client.cjs"), ws_url, ADMIN_HEADERS["Authorization"], *args],
        cwd=JS,
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
    )
    lines = done.stdout.strip().splitlines()
    assert lines, f"no report from node (exit {done.returncode}): {done.stderr[-2000:]}"
    report: dict[str, object] = orjson.loads(lines[-1])
    assert done.returncode == 0, report
    return report


def test_centrifuge_client_streams_testdata_frames(stack: Stack) -> None:
    channel = walk_channel(path="random-walk-js")
    echo = walk_channel(path="echo")
    report = _run_client(stack, channel, '{"interval": 20, "points": 3, "seed": 4}', "4", echo)
    assert isinstance(report["connected"], dict) and report["connected"]["transport"] == "websocket"
    schema = report["initialSchema"]
    assert isinstance(schema, dict) and [f["name"] for f in schema["fields"]] == ["time", "value"]
    frames = report["frames"]
    assert isinstance(frames, list) and len(frames) >= 4  # 4, or more while the echo travels
    times: list[float] = []
    for frame in frames:
        assert frame["name"] == "random-walk-js" and frame["length"] == 3
        time_field, value_field = frame["fields"]
        assert (time_field["name"], time_field["type"]) == ("time", "time")
        assert (value_field["name"], value_field["type"]) == ("value", "number")
        assert all(isinstance(v, float) and 40 < v < 60 for v in value_field["values"])
        times.extend(time_field["values"])
    assert times == sorted(times) and times[-1] > times[0]
    assert report["echoed"] == {"from": "centrifuge"}
