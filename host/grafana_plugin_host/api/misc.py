"""Service endpoints: ``/api/health``, ``/api/frontend/settings`` and the host's own Prometheus ``/metrics``."""

from __future__ import annotations

from typing import Any

from prometheus_client import (
    CONTENT_TYPE_LATEST,
)
from starlette.requests import Request
from starlette.responses import Response
from starlette.routing import Route

from grafana_plugin_host import rbac
from grafana_plugin_host.services import services_of
from grafana_plugin_host.web import JSONResponse, identity_of
from grafana_plugin_sdk.wire.platform import GRAFANA_VERSION

from ._metrics_auth import require_metrics_credentials
from ._plugin_types import type_info


async def health(request: Request) -> Response:
    """GET /api/health: database state and version (no authentication, as in Grafana)."""
    store = services_of(request).store
    ok = await store.ping()
    body = {"database": "ok" if ok else "failing", "version": GRAFANA_VERSION, "commit": services_of(request).commit}
    return JSONResponse(body, status_code=200 if ok else 503)


async def frontend_settings(request: Request) -> Response:
    """GET /api/frontend/settings: build info and the data sources the caller may query."""
    identity = identity_of(request)
    store = services_of(request).store
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
    settings = services_of(request).settings
    return JSONResponse(
        {
            "appUrl": settings.app_url,
            "appSubUrl": "",
            "buildInfo": {
                "version": GRAFANA_VERSION,
                "commit": services_of(request).commit,
                "edition": "Open Source",
                "env": "production",
            },
            "datasources": sources,
            "defaultDatasource": default,
        }
    )


async def metrics(request: Request) -> Response:
    """GET /metrics: the host's Prometheus metrics in the text format (Basic auth when ``[metrics]`` sets it)."""
    services = services_of(request)
    require_metrics_credentials(request, services.settings)
    return Response(await services.metrics.render(services.store), media_type=CONTENT_TYPE_LATEST)


routes = [
    Route("/api/health", health, methods=["GET"]),
    Route("/api/frontend/settings", frontend_settings, methods=["GET"]),
    Route("/metrics", metrics, methods=["GET"]),
]
