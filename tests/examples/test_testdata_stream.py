"""TestData's live stream over real gRPC: subscribe, publish refused, RunStream packets until cancelled."""

from __future__ import annotations

import asyncio
import os
import sys
from collections.abc import AsyncIterator
from pathlib import Path
from typing import Any

import orjson
import pytest

from grafana_plugin_sdk.data import Frame
from grafana_plugin_sdk.plugin_json import parse_plugin_json
from grafana_plugin_sdk.wire import LaunchSpec, PluginProcess
from grafana_plugin_sdk.wire.genproto import backend_pb2 as pb

TESTDATA = Path(__file__).resolve().parents[2] / "example_plugins" / "testdata"


@pytest.fixture
async def stream_stub(monkeypatch: pytest.MonkeyPatch) -> AsyncIterator[Any]:
    monkeypatch.setenv("GF_PLUGIN_PYTHON", sys.executable)  # the launcher's interpreter: this test's
    meta = parse_plugin_json(orjson.loads((TESTDATA / "plugin.json").read_bytes()), TESTDATA)
    process = PluginProcess(LaunchSpec(meta.id, meta.directory, meta.executable, dict(os.environ), start_timeout=30))
    await process.start()
    try:
        yield process.stubs.stream
    finally:
        await process.stop()


def _context() -> pb.PluginContext:
    return pb.PluginContext(
        orgId=1,
        pluginId="python-testdata-datasource",
        dataSourceInstanceSettings=pb.DataSourceInstanceSettings(id=1, uid="td", lastUpdatedMS=1),
    )


async def test_subscribe_and_publish(stream_stub: Any) -> None:
    ok = await stream_stub.SubscribeStream(pb.SubscribeStreamRequest(pluginContext=_context(), path="random-walk"))
    assert ok.status == pb.SubscribeStreamResponse.OK
    schema = Frame.from_json(ok.data)  # the initial data: the frame's schema, no rows
    assert (schema.name, [f.name for f in schema.fields], schema.rows) == ("random-walk", ["time", "value"], 0)
    unknown = await stream_stub.SubscribeStream(pb.SubscribeStreamRequest(pluginContext=_context(), path="nope"))
    assert unknown.status == pb.SubscribeStreamResponse.NOT_FOUND
    publish = await stream_stub.PublishStream(pb.PublishStreamRequest(pluginContext=_context(), path="random-walk"))
    assert publish.status == pb.PublishStreamResponse.PERMISSION_DENIED


async def test_run_stream_sends_frames_until_cancelled(stream_stub: Any) -> None:
    options = orjson.dumps({"interval": 20, "seed": 3, "startValue": 10})
    call = stream_stub.RunStream(pb.RunStreamRequest(pluginContext=_context(), path="random-walk", data=options))
    frames: list[Frame] = []
    async for packet in call:
        # The first packet carries the schema; later ones only data, read against that schema.
        frames.append(Frame.from_json(packet.data, schema=frames[0] if frames else None))
        assert ("schema" in orjson.loads(packet.data)) == (len(frames) == 1)
        if len(frames) == 3:
            call.cancel()
            break
    assert [f.name for f in frames] == ["random-walk"] * 3
    values = [f.field("value").to_pylist()[0] for f in frames]
    assert all(abs(v - 10) < 2 for v in values) and len(set(values)) == 3
    times = [f.field("time").to_pylist()[0] for f in frames]
    assert times == sorted(times)
    await asyncio.sleep(0.1)  # the plugin notices the cancellation; the fixture then stops it cleanly
