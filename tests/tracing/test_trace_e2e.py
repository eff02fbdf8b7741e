"""One trace across host, plugin and upstream, received by a real OTLP/gRPC receiver in the test.

The host (a real process) traces the HTTP request and its plugin call and passes the trace to the HTTP API example
(a real plugin process) in gRPC metadata; the plugin's handler span and its outgoing request span continue it, and
the upstream receives the trace in ``traceparent``. Both processes export over OTLP to the receiver.
"""

from __future__ import annotations

import threading
import time
from collections.abc import Iterator
from concurrent import futures
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import grpc
import pytest

pytest.importorskip("opentelemetry.sdk", reason="needs the tracing extra (grafana-plugin-sdk[tracing])")

from opentelemetry.proto.collector.trace.v1 import trace_service_pb2, trace_service_pb2_grpc

from grafana_plugin_sdk.testing import Stack, start_stack
from grafana_plugin_sdk.testing.upstream import Reply, Upstream

FOLDER = Path(__file__).resolve().parents[2] / "example_plugins" / "httpapi"


@dataclass(frozen=True)
class ReceivedSpan:
    service: str
    name: str
    trace_id: str
    span_id: str
    parent_id: str
    kind: int
    attributes: dict[str, Any]


class Receiver(trace_service_pb2_grpc.TraceServiceServicer):
    """Keeps every span exported to it."""

    def __init__(self) -> None:
        self.spans: list[ReceivedSpan] = []
        self._lock = threading.Lock()

    def Export(self, request: Any, context: Any) -> Any:
        for resource_spans in request.resource_spans:
            attrs = {a.key: a.value.string_value for a in resource_spans.resource.attributes}
            for scope in resource_spans.scope_spans:
                for span in scope.spans:
                    received = ReceivedSpan(
                        attrs.get("service.name", ""),
                        span.name,
                        span.trace_id.hex(),
                        span.span_id.hex(),
                        span.parent_span_id.hex(),
                        span.kind,
                        {a.key: _value(a.value) for a in span.attributes},
                    )
                    with self._lock:
                        self.spans.append(received)
        return trace_service_pb2.ExportTraceServiceResponse()

    def named(self, name: str) -> list[ReceivedSpan]:
        with self._lock:
            return [s for s in self.spans if s.name == name]


def _value(value: Any) -> Any:
    return getattr(value, value.WhichOneof("value")) if value.WhichOneof("value") else None


@pytest.fixture(scope="module")
def receiver() -> Iterator[tuple[Receiver, int]]:
    servicer = Receiver()
    server = grpc.server(futures.ThreadPoolExecutor(max_workers=2))
    trace_service_pb2_grpc.add_TraceServiceServicer_to_server(servicer, server)  # type: ignore[no-untyped-call]
    port = server.add_insecure_port("127.0.0.1:0")
    server.start()
    yield servicer, port
    server.stop(None)


@pytest.fixture(scope="module")
def upstream() -> Iterator[Upstream]:
    routes = {"/series": lambda _: Reply.json({"metric": "cpu", "points": [[1_700_000_000_000, 2.0]]})}
    with Upstream(routes) as server:
        yield server


@pytest.fixture(scope="module")
def stack(receiver: tuple[Receiver, int], upstream: Upstream) -> Iterator[Stack]:
    ds = {"name": "API", "uid": "api", "type": "python-httpapi-datasource", "access": "proxy", "url": upstream.url}
    env = {"GF_TRACING_OPENTELEMETRY_OTLP_ADDRESS": f"127.0.0.1:{receiver[1]}", "OTEL_BSP_SCHEDULE_DELAY": "100"}
    with start_stack(plugins=[FOLDER], datasources=[ds], env=env) as running:
        yield running


def _wait_for(receiver: Receiver, names: list[str], timeout: float = 20.0) -> dict[str, ReceivedSpan]:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        found = {name: spans[-1] for name in names if (spans := receiver.named(name))}
        if len(found) == len(names):
            return found
        time.sleep(0.1)
    raise AssertionError(f"spans missing after {timeout}s: {sorted(set(names) - set(found))}")


def test_one_trace_from_host_through_plugin_to_upstream(
    stack: Stack, receiver: tuple[Receiver, int], upstream: Upstream
) -> None:
    body = {"from": "now-1h", "to": "now", "queries": [{"refId": "A", "datasource": {"uid": "api"}, "metric": "cpu"}]}
    result = stack.client.post("/api/ds/query", body)
    assert result["results"]["A"]["frames"][0]["schema"]["name"] == "cpu"
    names = ["HTTP POST /api/ds/query", "PluginClient.queryData", "sdk.queryData", "HTTP Outgoing Request"]
    spans = _wait_for(receiver[0], names)
    http, client, handler, outgoing = (spans[n] for n in names)
    assert {s.trace_id for s in spans.values()} == {http.trace_id}
    assert (http.service, client.service) == ("grafana", "grafana")
    assert handler.service == outgoing.service == "python-httpapi-datasource"
    assert http.parent_id == ""
    assert client.parent_id == http.span_id
    assert handler.parent_id == client.span_id
    assert outgoing.parent_id == handler.span_id
    assert handler.attributes["plugin_id"] == "python-httpapi-datasource"
    assert handler.attributes["datasource_uid"] == "api" and handler.attributes["request_status"] == "ok"
    assert outgoing.attributes["http.status_code"] == 200 and outgoing.attributes["datasource_type"] == (
        "python-httpapi-datasource"
    )
    traceparent = upstream.requests[-1].headers["traceparent"]
    assert traceparent.split("-")[1:3] == [http.trace_id, outgoing.span_id]
