"""serve() with async handlers, and QueryTypeMux routing sync and async query functions concurrently."""

from __future__ import annotations

import time
from collections.abc import Callable
from typing import Any

import grpc
import orjson
import pytest

from grafana_plugin_sdk.wire.genproto import backend_pb2 as pb
from grafana_plugin_sdk.wire.genproto import backend_pb2_grpc as pb_grpc

DataStub: Any = pb_grpc.DataStub
DiagnosticsStub: Any = pb_grpc.DiagnosticsStub
ResourceStub: Any = pb_grpc.ResourceStub
StreamStub: Any = pb_grpc.StreamStub


@pytest.fixture
def plugin(launch: Callable[..., Any]) -> Any:
    return launch("async_plugin.py")


def test_async_check_health(plugin: Any, make_context: Any) -> None:
    reply = DiagnosticsStub(plugin.channel).CheckHealth(pb.CheckHealthRequest(pluginContext=make_context()))
    assert (reply.status, reply.message) == (pb.CheckHealthResponse.OK, "async works")
    assert orjson.loads(reply.jsonDetails) == {"plugin": "test-datasource"}


def test_mux_routes_by_query_type_and_one_failing_query_does_not_fail_the_others(
    plugin: Any, make_context: Any, make_query: Any
) -> None:
    queries = [
        make_query("A", "status", status=202),
        make_query("B", "boom"),
        make_query("C", "aboom"),
        make_query("D", "asleep", seconds=0),
        make_query("E", "unknown-type"),
    ]
    reply = DataStub(plugin.channel).QueryData(pb.QueryDataRequest(pluginContext=make_context(), queries=queries))
    r = reply.responses
    assert (r["A"].status, r["A"].error) == (202, "")
    assert (r["B"].status, r["B"].errorSource, r["B"].error) == (500, "plugin", "ValueError: query B exploded")
    assert (r["C"].status, r["C"].errorSource, r["C"].error) == (503, "downstream", "the database is down")
    assert (r["D"].status, r["D"].error) == (201, "")
    assert (r["E"].status, r["E"].error) == (501, "no handler found for query type 'unknown-type'")


def test_mux_runs_sync_and_async_queries_concurrently(plugin: Any, make_context: Any, make_query: Any) -> None:
    queries = [make_query(f"S{i}", "sleep", seconds=0.5) for i in range(3)]
    queries += [make_query(f"A{i}", "asleep", seconds=0.5) for i in range(3)]
    start = time.monotonic()
    reply = DataStub(plugin.channel).QueryData(pb.QueryDataRequest(pluginContext=make_context(), queries=queries))
    elapsed = time.monotonic() - start
    assert sorted(reply.responses) == sorted(q.refId for q in queries)
    assert elapsed < 1.5  # six half-second queries, one after the other, would take 3 s


def test_async_call_resource_streams_messages_as_they_are_sent(plugin: Any, make_context: Any) -> None:
    request = pb.CallResourceRequest(pluginContext=make_context(), path="x", url="x?count=4")
    start = time.monotonic()
    arrivals = []
    bodies = []
    for message in ResourceStub(plugin.channel).CallResource(request, timeout=10):
        arrivals.append(time.monotonic() - start)
        bodies.append(message.body)
    assert bodies == [b"first;", b"1;", b"2;", b"3;"]
    assert arrivals[0] < arrivals[-1] - 0.4  # the first message arrived while the handler was still sending


def test_streams_subscribe_publish_and_run(plugin: Any, make_context: Any) -> None:
    stub = StreamStub(plugin.channel)
    ok = stub.SubscribeStream(pb.SubscribeStreamRequest(pluginContext=make_context(), path="ticks"))
    assert (ok.status, ok.data) == (pb.SubscribeStreamResponse.OK, b'{"hello":1}')
    missing = stub.SubscribeStream(pb.SubscribeStreamRequest(pluginContext=make_context(), path="nope"))
    assert missing.status == pb.SubscribeStreamResponse.NOT_FOUND
    denied = stub.PublishStream(pb.PublishStreamRequest(pluginContext=make_context(), path="ticks", data=b"{}"))
    assert denied.status == pb.PublishStreamResponse.PERMISSION_DENIED
    packets = list(stub.RunStream(pb.RunStreamRequest(pluginContext=make_context(), path="ticks"), timeout=5))
    documents = [orjson.loads(p.data) for p in packets]
    assert documents[:3] == [{"tick": i, "path": "ticks"} for i in range(3)]
    assert documents[3]["schema"]["name"] == "ticks" and documents[3]["data"] == {"values": [[1, 2]]}
    assert documents[4] == {"data": {"values": [[1, 2]]}}


def test_a_cancelled_call_does_not_hurt_the_plugin(plugin: Any, make_context: Any, make_query: Any) -> None:
    stub = DataStub(plugin.channel)
    slow = pb.QueryDataRequest(pluginContext=make_context(), queries=[make_query("A", "asleep", seconds=5)])
    with pytest.raises(grpc.RpcError) as err:
        stub.QueryData(slow, timeout=0.3)
    assert err.value.code() == grpc.StatusCode.DEADLINE_EXCEEDED
    quick = pb.QueryDataRequest(pluginContext=make_context(), queries=[make_query("A", "status")])
    assert stub.QueryData(quick, timeout=5).responses["A"].status == 200
    metrics = DiagnosticsStub(plugin.channel).CollectMetrics(pb.CollectMetricsRequest()).metrics.prometheus.decode()
    assert 'grafana_plugin_request_total{endpoint="queryData",status="cancelled",status_source="plugin"} 1.0' in metrics
