"""The SDK's spans recorded in memory: a handler call continues the trace in its gRPC metadata, with Grafana's
attributes, and an HTTP client request inside it is a child span whose context reaches the server."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import pytest

pytest.importorskip("opentelemetry.sdk", reason="needs the tracing extra (grafana-plugin-sdk[tracing])")

from opentelemetry.sdk.trace import ReadableSpan, TracerProvider
from opentelemetry.sdk.trace.export import SimpleSpanProcessor
from opentelemetry.sdk.trace.export.in_memory_span_exporter import InMemorySpanExporter
from opentelemetry.trace import SpanKind, StatusCode

from grafana_plugin_sdk import tracing
from grafana_plugin_sdk._server._scope import request_scope
from grafana_plugin_sdk.httpclient import new_client
from grafana_plugin_sdk.testing import data_source_settings, make_plugin_context
from grafana_plugin_sdk.testing.upstream import Reply, Upstream

TRACE_ID = "0af7651916cd43dd8448eb211c80319c"
PARENT_ID = "b7ad6b7169203331"


class GrpcContext:
    """The part of a gRPC servicer context the scope reads."""

    def invocation_metadata(self) -> tuple[tuple[str, str], ...]:
        return (("traceparent", f"00-{TRACE_ID}-{PARENT_ID}-01"), ("user-agent", "grpc-go"))


@pytest.fixture
def spans() -> Iterator[InMemorySpanExporter]:
    exporter = InMemorySpanExporter()
    provider = TracerProvider()
    provider.add_span_processor(SimpleSpanProcessor(exporter))
    tracing.install(provider)
    yield exporter
    tracing.shutdown()


def _by_name(exporter: InMemorySpanExporter) -> dict[str, ReadableSpan]:
    return {span.name: span for span in exporter.get_finished_spans()}


def test_handler_span_continues_the_callers_trace_and_parents_the_http_span(spans: InMemorySpanExporter) -> None:
    with Upstream({"/ok": lambda _: Reply.json({}), "/fail": lambda _: Reply.json({}, 502)}) as upstream:
        settings = data_source_settings(uid="ds-1", name="My API", type="my-api", url=upstream.url)
        client = new_client(settings)
        with request_scope("queryData", make_plugin_context("my-plugin", settings), "", {}, GrpcContext()) as outcome:
            client.get("/ok", params={"q": "1"})
            client.get("/fail")
            outcome.status, outcome.source = "error", "downstream"
        client.close()
        traceparents = [r.headers["traceparent"] for r in upstream.requests]
    finished = spans.get_finished_spans()
    handler = _by_name(spans)["sdk.queryData"]
    ok, failed = (s for s in finished if s.name == "HTTP Outgoing Request")
    assert handler.kind is SpanKind.SERVER and handler.parent is not None
    assert f"{handler.context.trace_id:032x}" == TRACE_ID and f"{handler.parent.span_id:016x}" == PARENT_ID
    attributes: dict[str, Any] = dict(handler.attributes or {})
    assert attributes == {
        "plugin_id": "my-plugin",
        "org_id": 1,
        "datasource_name": "My API",
        "datasource_uid": "ds-1",
        "user": "Admin",
        "request_status": "error",
        "status_source": "downstream",
    }
    for span, traceparent in zip((ok, failed), traceparents, strict=True):
        assert span.kind is SpanKind.CLIENT and span.parent is not None
        assert span.parent.span_id == handler.context.span_id
        assert traceparent == f"00-{TRACE_ID}-{span.context.span_id:016x}-01"
    assert dict(ok.attributes or {})["http.url"] == f"{upstream.url}/ok?q=1"
    assert dict(ok.attributes or {})["datasource_type"] == "my-api"
    assert dict(failed.attributes or {})["http.status_code"] == 502 and failed.status.status_code is StatusCode.ERROR


def test_a_failing_call_marks_its_span(spans: InMemorySpanExporter) -> None:
    with pytest.raises(RuntimeError), request_scope("checkHealth", make_plugin_context("p"), "", None, GrpcContext()):
        raise RuntimeError("boom")
    (span,) = spans.get_finished_spans()
    assert span.name == "sdk.checkHealth" and span.status.status_code is StatusCode.ERROR
    assert dict(span.attributes or {})["request_status"] == "error"
