"""``/api/datasources/uid/:uid/health`` and ``/api/datasources/:id/health``: CheckHealth as Grafana answers it."""

from __future__ import annotations

from typing import Any

from starlette.requests import Request
from starlette.responses import Response
from starlette.routing import BaseRoute, Route

from grafana_plugin_host.api.forward import (
    ALL_METHODS,
    Target,
    datasource_target,
    load_datasource_from_path,
    plugin_error,
)
from grafana_plugin_host.errors import MethodNotImplementedError, PluginError
from grafana_plugin_host.web import JSONResponse, identity_of
from grafana_plugin_sdk.backend import CheckHealthRequest, CheckHealthResult, HealthStatus

NOT_IMPLEMENTED_MESSAGE = "Health check not implemented"


def health_body(result: CheckHealthResult) -> tuple[int, dict[str, Any]]:
    """HTTP status and body of a health result: 200 when OK, else 400; ``details`` when the plugin sent some."""
    body: dict[str, Any] = {"status": result.status.name, "message": result.message}
    if result.details is not None:
        body["details"] = result.details
    return (200 if result.status is HealthStatus.OK else 400), body


async def check_health(target: Target) -> Response:
    """Call CheckHealth on ``target`` and answer as Grafana does (unimplemented: 400 UNKNOWN)."""
    try:
        result: CheckHealthResult = await target.client.check_health(
            CheckHealthRequest(target.context, target.headers), deadline=target.deadline
        )
    except MethodNotImplementedError:
        result = CheckHealthResult(HealthStatus.UNKNOWN, NOT_IMPLEMENTED_MESSAGE)
    except PluginError as exc:
        raise plugin_error(exc, failed="Plugin health check failed") from exc
    status, body = health_body(result)
    return JSONResponse(body, status_code=status)


async def datasource_health(request: Request) -> Response:
    """Any method on ``.../health``: the data source's plugin CheckHealth (unknown data source: 404, ours)."""
    identity = identity_of(request)
    ds = await load_datasource_from_path(request, identity, not_found="Data source not found")
    return await check_health(await datasource_target(request, identity, ds))


routes: list[BaseRoute] = [
    Route("/api/datasources/uid/{uid}/health", datasource_health, methods=ALL_METHODS),
    Route("/api/datasources/{id}/health", datasource_health, methods=ALL_METHODS),
]
