"""Service endpoints: ``/api/health``, ``/api/frontend/settings`` and the host's own Prometheus ``/metrics``."""

from __future__ import annotations

import time
from typing import Any

from prometheus_client import (
    CONTENT_TYPE_LATEST,
    CollectorRegistry,
    Gauge,
    Histogram,
    PlatformCollector,
    ProcessCollector,
    generate_latest,
)
from starlette.requests import Request
from starlette.responses import Response
from starlette.routing import Route
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from grafana_plugin_host import rbac
from grafana_plugin_host.store import Store
from grafana_plugin_sdk.wire.platform import GRAFANA_VERSION

from ._http import JSONResponse, identity_of, type_info
from ._metrics_auth import require_metrics_credentials


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


async def health(request: Request) -> Response:
    """GET /api/health: database state and version (no authentication, as in Grafana)."""
    store: Store = request.app.state.store
    ok = await store.ping()
    body = {"database": "ok" if ok else "failing", "version": GRAFANA_VERSION, "commit": request.app.state.commit}
    return JSONResponse(body, status_code=200 if ok else 503)


async def frontend_settings(request: Request) -> Response:
    """GET /api/frontend/settings: build info and the data sources the caller may query."""
    identity = identity_of(request)
    store: Store = request.app.state.store
    granted = rbac.permissions(identity)
    sources: dict[str, Any] = {}
    default = ""
    for ds in await store.list_datasources(identity.org_id):
        if not rbac.has_access(granted, "datasources:query", f"datasources:uid:{ds.uid}"):
            continue
        info = type_info(request, ds.type)
        sources[ds.name] = {
            "id": ds.id,
            "uid": ds.uid,
            "type": info.id,
            "name": ds.name,
            "url": ds.url,
            "access": ds.access,
            "isDefault": ds.is_default,
            "readOnly": ds.read_only,
            "jsonData": ds.json_data,
            "meta": {
                "id": info.id,
                "type": "datasource",
                "name": info.name,
                "info": {"logos": {"small": info.logo_url}},
            },
        }
        if ds.is_default:
            default = ds.name
    settings = request.app.state.settings
    return JSONResponse(
        {
            "appUrl": settings.app_url,
            "appSubUrl": "",
            "buildInfo": {
                "version": GRAFANA_VERSION,
                "commit": request.app.state.commit,
                "edition": "Open Source",
                "env": "production",
            },
            "datasources": sources,
            "defaultDatasource": default,
        }
    )


async def metrics(request: Request) -> Response:
    """GET /metrics: the host's Prometheus metrics in the text format (Basic auth when ``[metrics]`` sets it)."""
    require_metrics_credentials(request, request.app.state.settings)
    host_metrics: HostMetrics = request.app.state.metrics
    return Response(await host_metrics.render(request.app.state.store), media_type=CONTENT_TYPE_LATEST)


routes = [
    Route("/api/health", health, methods=["GET"]),
    Route("/api/frontend/settings", frontend_settings, methods=["GET"]),
    Route("/metrics", metrics, methods=["GET"]),
]
