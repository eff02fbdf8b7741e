"""The host's Prometheus registry and the pure ASGI middleware that times every HTTP request."""

from __future__ import annotations

import time

from prometheus_client import CollectorRegistry, Gauge, Histogram, PlatformCollector, ProcessCollector, generate_latest
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from grafana_plugin_host.store import Store
from grafana_plugin_sdk.wire.platform import GRAFANA_VERSION


class HostMetrics:
    """The host's Prometheus registry: HTTP request durations, build info, data sources per type."""

    def __init__(self) -> None:
        self.registry = CollectorRegistry()
        ProcessCollector(registry=self.registry)
        PlatformCollector(registry=self.registry)
        self.requests = Histogram(
            "grafana_http_request_duration_seconds",
            "Time spent answering HTTP requests.",
            ("handler", "method", "status_code"),
            registry=self.registry,
        )
        self.build_info = Gauge(
            "grafana_build_info", "Version of the Grafana API the host serves.", ("version",), registry=self.registry
        )
        self.build_info.labels(GRAFANA_VERSION).set(1)
        self.datasources = Gauge(
            "grafana_stat_totals_datasource", "Data sources by type, all orgs.", ("plugin_id",), registry=self.registry
        )

    async def render(self, store: Store) -> bytes:
        """The text exposition format, with the data source gauge refreshed from the database."""
        counts = await store.count_datasources()
        self.datasources.clear()
        for kind, count in counts.items():
            self.datasources.labels(kind).set(count)
        return generate_latest(self.registry)


class MetricsMiddleware:
    """Times every HTTP request, labelled by route template (``unmatched`` for 404s), method and status."""

    def __init__(self, app: ASGIApp, metrics: HostMetrics) -> None:
        self.app = app
        self.metrics = metrics

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        started = time.perf_counter()
        status = 500

        async def send_status(message: Message) -> None:
            nonlocal status
            if message["type"] == "http.response.start":
                status = message["status"]
            await send(message)

        try:
            await self.app(scope, receive, send_status)
        finally:
            route = scope.get("route")
            handler = getattr(route, "path", "unmatched")
            self.metrics.requests.labels(handler, scope["method"], str(status)).observe(time.perf_counter() - started)
