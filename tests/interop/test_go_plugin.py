"""A plugin built with grafana-plugin-sdk-go, started from its plugin folder and called over real gRPC.

The process is started with go-plugin's handshake environment; the calls are built with our request
dataclasses and ``wire.convert`` (so the Go SDK decodes what our host sends) and the answers are decoded
with our converters and frame codecs (so we decode what the Go SDK sends).
"""

from __future__ import annotations

import os
import selectors
import subprocess
import time
from collections.abc import AsyncIterator, Iterator
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import grpc
import orjson
import pytest
from grpc_health.v1 import health_pb2, health_pb2_grpc

from grafana_plugin_host.config import load_settings
from grafana_plugin_host.plugins import PluginManager
from grafana_plugin_sdk.backend import (
    CallResourceRequest,
    CallResourceResponse,
    CheckHealthRequest,
    CollectMetricsRequest,
    DataQuery,
    DataSourceInstanceSettings,
    ErrorSource,
    FrameFormat,
    HealthStatus,
    PluginContext,
    QueryDataRequest,
    QueryDataResponse,
    TimeRange,
    User,
)
from grafana_plugin_sdk.wire import convert
from grafana_plugin_sdk.wire.genproto import backend_pb2_grpc as pb_grpc
from grafana_plugin_sdk.wire.genproto.plugin import grpc_controller_pb2, grpc_controller_pb2_grpc

pytestmark = pytest.mark.interop

GO_PLUGIN_ID = "go-interop-datasource"
HANDSHAKE_TIMEOUT = 30.0


@dataclass
class Handshake:
    """The parsed go-plugin handshake line."""

    core: int
    app: int
    network: str
    address: str
    protocol: str
    parts: int


@dataclass
class RunningPlugin:
    """A started plugin process and a channel to it."""

    proc: subprocess.Popen[bytes]
    handshake: Handshake
    channel: grpc.Channel


def read_handshake(proc: subprocess.Popen[bytes]) -> Handshake:
    """Read the first stdout line within the timeout and parse it as go-plugin does."""
    assert proc.stdout is not None
    sel = selectors.DefaultSelector()
    sel.register(proc.stdout, selectors.EVENT_READ)
    if not sel.select(HANDSHAKE_TIMEOUT):
        pytest.fail(f"no handshake line within {HANDSHAKE_TIMEOUT} s")
    line = proc.stdout.readline().decode().strip()
    parts = line.split("|")
    assert len(parts) >= 5, f"bad handshake line {line!r}"
    return Handshake(int(parts[0]), int(parts[1]), parts[2], parts[3], parts[4], len(parts))


@pytest.fixture
def go_plugin(go_plugins_dir: Path, go: Any) -> Iterator[RunningPlugin]:
    """The Go plugin started from its folder as a go-plugin host would start it."""
    folder = go_plugins_dir / GO_PLUGIN_ID
    executable = folder / f"gpx_go_interop_{go.programs.platform_suffix}"
    env = {
        **os.environ,
        "grafana_plugin_type": "datasource",
        "PLUGIN_PROTOCOL_VERSIONS": "2",
        "PLUGIN_MIN_PORT": "10000",
        "PLUGIN_MAX_PORT": "25000",
    }
    proc = subprocess.Popen([executable], cwd=folder, env=env, stdout=subprocess.PIPE, stderr=subprocess.DEVNULL)
    try:
        handshake = read_handshake(proc)
        target = f"unix:{handshake.address}" if handshake.network == "unix" else handshake.address
        channel = grpc.insecure_channel(target)
        try:
            yield RunningPlugin(proc, handshake, channel)
        finally:
            channel.close()
    finally:
        if proc.poll() is None:
            proc.kill()
        proc.wait(timeout=10)
        assert proc.stdout is not None
        proc.stdout.close()


def plugin_context(json_data: dict[str, Any] | None = None) -> PluginContext:
    """The context Grafana would send for one data source of the Go plugin."""
    settings = DataSourceInstanceSettings(
        id=7,
        uid="go-ds",
        type=GO_PLUGIN_ID,
        name="Go data source",
        url="http://example.invalid",
        json_data_raw=orjson.dumps(json_data or {}),
        decrypted_secure_json_data={"apiKey": "not-to-be-echoed"},
        updated=datetime(2024, 5, 6, 7, 8, 9, tzinfo=UTC),
    )
    return PluginContext(
        org_id=1,
        plugin_id=GO_PLUGIN_ID,
        plugin_version="1.0.0",
        user=User("alice", "Alice", "alice@example.invalid", "Editor"),
        data_source_instance_settings=settings,
        user_agent="Grafana/12.1.0 (linux; amd64)",
    )


RANGE = TimeRange(datetime(2024, 1, 1, tzinfo=UTC), datetime(2024, 1, 1, 6, tzinfo=UTC))


def query(ref_id: str, scenario: str, **kwargs: Any) -> DataQuery:
    """A query of the Go plugin's scenario."""
    return DataQuery(ref_id, RANGE, json=orjson.dumps({"refId": ref_id, "scenario": scenario}), **kwargs)


def query_data(plugin: RunningPlugin, *queries: DataQuery, fmt: FrameFormat = FrameFormat.ARROW) -> QueryDataResponse:
    """Call QueryData with our converters both ways."""
    req = QueryDataRequest(plugin_context(), list(queries), headers={"http_X-Test": "1"}, format=fmt)
    msg = pb_grpc.DataStub(plugin.channel).QueryData(convert.query_data_request_to_proto(req), timeout=30)
    return convert.query_data_response_from_proto(msg)


def call_resource(plugin: RunningPlugin, req: CallResourceRequest) -> list[CallResourceResponse]:
    """Call CallResource and collect the streamed messages."""
    stream = pb_grpc.ResourceStub(plugin.channel).CallResource(convert.call_resource_request_to_proto(req), timeout=30)
    return [convert.call_resource_response_from_proto(m) for m in stream]


def test_handshake_is_go_plugins(go_plugin: RunningPlugin) -> None:
    hs = go_plugin.handshake
    assert (hs.core, hs.app, hs.protocol, hs.parts) == (1, 2, "grpc", 6)
    assert hs.network == "unix" and Path(hs.address).is_absolute()
    health = health_pb2_grpc.HealthStub(go_plugin.channel)
    status = health.Check(health_pb2.HealthCheckRequest(service="plugin"), timeout=10).status
    assert status == health_pb2.HealthCheckResponse.SERVING


def test_check_health_ok_with_details(go_plugin: RunningPlugin) -> None:
    req = CheckHealthRequest(plugin_context(), headers={"http_X-Test": "1"})
    msg = pb_grpc.DiagnosticsStub(go_plugin.channel).CheckHealth(convert.check_health_request_to_proto(req))
    result = convert.check_health_result_from_proto(msg)
    assert result.status is HealthStatus.OK
    assert result.message == "Go interop plugin is working"
    assert result.details == {"uid": "go-ds", "secureKeys": ["apiKey"], "headers": {"http_X-Test": "1"}}


def test_check_health_error_from_json_data(go_plugin: RunningPlugin) -> None:
    req = CheckHealthRequest(plugin_context({"health": "error"}))
    msg = pb_grpc.DiagnosticsStub(go_plugin.channel).CheckHealth(convert.check_health_request_to_proto(req))
    result = convert.check_health_result_from_proto(msg)
    assert result.status is HealthStatus.ERROR
    assert result.message == "health check failed as configured"
    assert result.details == {"reason": "configured to fail"}


@pytest.mark.parametrize("fmt", [FrameFormat.ARROW, FrameFormat.JSON])
def test_query_data_every_type_and_error(
    go_plugin: RunningPlugin, go_frames: dict[str, tuple[bytes, Any]], fmt: FrameFormat
) -> None:
    resp = query_data(go_plugin, query("A", "all_types"), query("B", "error"), fmt=fmt)
    assert sorted(resp) == ["A", "B"]
    (frame,) = resp["A"].frames
    _, go_json = go_frames["all_types"]  # the same sample frame, refId A, as Go's own JSON
    assert orjson.loads(frame.to_json()) == go_json
    assert (resp["A"].status, resp["A"].error) == (200, None)
    error = resp["B"]
    assert (error.status, error.error, error.error_source) == (400, "scenario error for B", ErrorSource.DOWNSTREAM)
    assert error.frames == []


def test_query_data_go_sees_our_request(go_plugin: RunningPlugin) -> None:
    q = query("E", "echo", query_type="metrics", max_data_points=500, interval=timedelta(seconds=15))
    (frame,) = query_data(go_plugin, q)["E"].frames
    seen = dict(zip(frame.field("key").to_pylist(), frame.field("value").to_pylist(), strict=True))
    assert seen == {
        "refId": "E",
        "queryType": "metrics",
        "from": "2024-01-01T00:00:00Z",
        "to": "2024-01-01T06:00:00Z",
        "maxDataPoints": "500",
        "intervalMs": "15000",
        "json": q.json.decode(),
        "orgId": "1",
        "pluginId": GO_PLUGIN_ID,
        "headers": '{"http_X-Test":"1"}',
        "dsUid": "go-ds",
        "dsName": "Go data source",
        "dsUrl": "http://example.invalid",
        "dsJsonData": "{}",
        "dsSecureKeys": "[apiKey]",
        "userLogin": "alice",
        "userRole": "Editor",
    }


def test_query_data_panic_is_a_grpc_error(go_plugin: RunningPlugin) -> None:
    with pytest.raises(grpc.RpcError) as info:
        query_data(go_plugin, query("P", "panic"))
    assert info.value.code() is grpc.StatusCode.UNKNOWN
    assert "scenario panic for P" in (info.value.details() or "")


def test_call_resource_routes(go_plugin: RunningPlugin) -> None:
    ctx = plugin_context()
    (ping,) = call_resource(go_plugin, CallResourceRequest(ctx, "ping", "GET", "ping?x=1", {"X-Test": ["yes"]}))
    assert (ping.status, ping.headers["Content-Type"]) == (200, ["application/json"])
    assert orjson.loads(ping.body) == {
        "message": "pong",
        "method": "GET",
        "path": "/ping",
        "query": "x=1",
        "user": "alice",
        "datasourceUid": "go-ds",
        "xTest": "yes",
    }
    body = b'{"hello": [1, 2]}'
    headers = {"Content-Type": ["application/json"]}
    (echo,) = call_resource(go_plugin, CallResourceRequest(ctx, "echo", "POST", "echo", headers, body))
    assert (echo.status, echo.body, echo.headers["X-Echo-Length"]) == (201, body, [str(len(body))])
    (missing,) = call_resource(go_plugin, CallResourceRequest(ctx, "nope", "GET", "nope"))
    assert (missing.status, missing.body) == (404, b"404 page not found\n")


def test_call_resource_streams_flushed_chunks(go_plugin: RunningPlugin) -> None:
    start = time.monotonic()
    messages = call_resource(go_plugin, CallResourceRequest(plugin_context(), "stream", "GET", "stream?n=4"))
    assert [m.body for m in messages] == [f"chunk {i}\n".encode() for i in range(4)]
    assert messages[0].status == 200
    assert messages[0].headers["Content-Type"] == ["text/plain; charset=utf-8"]
    assert all(m.headers == {} for m in messages[1:])  # only the first message carries status and headers
    assert time.monotonic() - start >= 0.15  # the plugin sleeps 50 ms between chunks


def test_collect_metrics_is_prometheus_text(go_plugin: RunningPlugin) -> None:
    query_data(go_plugin, query("A", "echo"))
    req = CollectMetricsRequest(plugin_context())
    msg = pb_grpc.DiagnosticsStub(go_plugin.channel).CollectMetrics(convert.collect_metrics_request_to_proto(req))
    text = convert.collect_metrics_result_from_proto(msg).prometheus.decode()
    assert "# TYPE go_goroutines gauge" in text
    assert 'grafana_plugin_request_total{endpoint="queryData"' in text


def test_controller_shutdown_exits_cleanly(go_plugin: RunningPlugin) -> None:
    controller = grpc_controller_pb2_grpc.GRPCControllerStub(go_plugin.channel)
    try:
        controller.Shutdown(grpc_controller_pb2.Empty(), timeout=10)
    except grpc.RpcError as exc:  # the Go server stops at once and may drop the call's answer (go-plugin ignores it)
        assert exc.code() is grpc.StatusCode.UNAVAILABLE
    assert go_plugin.proc.wait(timeout=2) == 0


# --- the same plugin under our host's plugin manager ---------------------------------------------


@pytest.fixture
async def host_manager(go_plugins_dir: Path, tmp_path: Path) -> AsyncIterator[PluginManager]:
    """Our host's PluginManager over the Go plugin's plugins directory (nothing bundled), stopped at teardown."""
    environ = {"GF_PATHS_PLUGINS": str(go_plugins_dir), "GF_PLUGINS_ALLOW_LOADING_UNSIGNED_PLUGINS": GO_PLUGIN_ID}
    manager = PluginManager(load_settings("", environ), internal_root=tmp_path / "no-bundled-plugins")
    await manager.start()
    try:
        yield manager
    finally:
        await manager.stop()


async def test_our_host_runs_the_go_plugin(
    host_manager: PluginManager, go_frames: dict[str, tuple[bytes, Any]]
) -> None:
    assert [p.id for p in host_manager.plugins()] == [GO_PLUGIN_ID]
    client = host_manager.client(GO_PLUGIN_ID)
    ctx = plugin_context()

    health = await client.check_health(CheckHealthRequest(ctx))
    assert (health.status, health.details) == (
        HealthStatus.OK,
        {"uid": "go-ds", "secureKeys": ["apiKey"], "headers": {}},
    )

    answer = await client.query_data(QueryDataRequest(ctx, [query("A", "all_types"), query("B", "error")]))
    (frame,) = answer["A"].frames
    assert orjson.loads(frame.to_json()) == go_frames["all_types"][1]
    assert (answer["B"].status, answer["B"].error_source) == (400, ErrorSource.DOWNSTREAM)

    req = CallResourceRequest(ctx, "stream", "GET", "stream?n=3")
    assert [m.body async for m in client.call_resource(req)] == [b"chunk 0\n", b"chunk 1\n", b"chunk 2\n"]

    metrics = await client.collect_metrics(CollectMetricsRequest(ctx))
    assert b"grafana_plugin_request_total" in metrics.prometheus

    supervisor = host_manager.supervisor(GO_PLUGIN_ID)
    assert supervisor is not None and supervisor.process is not None
    process = supervisor.process
    await host_manager.stop()
    assert process.exited and process.exit_description() == "exited with code 0"
