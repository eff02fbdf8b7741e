"""Per-call cost of tracing: a plugin's QueryData that makes one HTTP request, tracing off vs on.

The plugin handler runs through the SDK's own pluginv2 service code in process (the harness's in-process depth:
protobuf both ways, request scope, metrics), and calls a local HTTP server with the SDK's HTTP client. "off" is the
default (no OTLP address: no OpenTelemetry import); "on" records two spans per call (``sdk.queryData`` and
``HTTP Outgoing Request``) through a batch processor to an exporter that drops them, so the number is the SDK's
cost, not the network's. A bare handler call (no HTTP) is measured the same way.

Usage: ``PYTHONPATH=. python bench/bench_tracing.py [--calls 2000]``.
"""

from __future__ import annotations

import argparse
import asyncio
import time
from collections.abc import Sequence
from typing import Any

from grafana_plugin_sdk import tracing
from grafana_plugin_sdk.backend import DataResponse, DataSourceInstanceSettings, QueryDataRequest, QueryDataResponse
from grafana_plugin_sdk.httpclient import new_async_client
from grafana_plugin_sdk.testing import async_in_process, data_source_settings
from grafana_plugin_sdk.testing.upstream import Reply, Upstream


class Handler:
    """Answers every query empty, after one GET when ``call_http``."""

    def __init__(self, settings: DataSourceInstanceSettings, call_http: bool) -> None:
        self.client = new_async_client(settings) if call_http else None

    async def query_data(self, request: QueryDataRequest) -> QueryDataResponse:
        if self.client is not None:
            (await self.client.get("/ok")).raise_for_status()
        return QueryDataResponse({q.ref_id: DataResponse() for q in request.queries})


async def _per_call_us(settings: DataSourceInstanceSettings, call_http: bool, calls: int, rounds: int) -> float:
    """Best of ``rounds`` mean microseconds per call (a client made after tracing was switched)."""
    handler = Handler(settings, call_http)
    best = float("inf")
    async with async_in_process(handler, settings=settings) as plugin:
        for _ in range(20):
            await plugin.query({})
        for _ in range(rounds):
            start = time.perf_counter()
            for _ in range(calls):
                await plugin.query({})
            best = min(best, (time.perf_counter() - start) / calls * 1e6)
    if handler.client is not None:
        await handler.client.aclose()
    return best


def _tracing_on() -> None:
    from opentelemetry.sdk.trace import TracerProvider
    from opentelemetry.sdk.trace.export import BatchSpanProcessor, SpanExporter, SpanExportResult

    class Drop(SpanExporter):
        def export(self, spans: Sequence[Any]) -> SpanExportResult:
            return SpanExportResult.SUCCESS

    provider = TracerProvider()
    provider.add_span_processor(BatchSpanProcessor(Drop()))
    tracing.install(provider)


async def main(calls: int, rounds: int) -> None:
    with Upstream({"/ok": lambda _: Reply.json({"ok": True})}) as upstream:
        settings = data_source_settings(url=upstream.url, type="bench")
        rows = []
        for label, call_http in (("handler only", False), ("handler + 1 HTTP request", True)):
            n = calls // 4 if call_http else calls
            tracing.shutdown()
            off = await _per_call_us(settings, call_http, n, rounds)
            _tracing_on()
            on = await _per_call_us(settings, call_http, n, rounds)
            tracing.shutdown()
            rows.append((label, off, on))
    print("| call | tracing off | tracing on | added per call | ratio |")
    print("|---|---:|---:|---:|---:|")
    for label, off, on in rows:
        print(f"| {label} | {off:.0f} µs | {on:.0f} µs | {on - off:.0f} µs | {on / off:.2f}x |")
    print(f"\n(best of {rounds} rounds of {calls} calls, {calls // 4} with HTTP)")


if __name__ == "__main__":
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--calls", type=int, default=2000)
    parser.add_argument("--rounds", type=int, default=3)
    args = parser.parse_args()
    asyncio.run(main(args.calls, args.rounds))
