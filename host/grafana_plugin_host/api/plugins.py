"""``/api/plugins``: the plugin list and load errors, and per plugin health, metrics and (app) resources."""

from __future__ import annotations

from typing import Any

from starlette.requests import Request
from starlette.responses import Response
from starlette.routing import BaseRoute, Route

from grafana_plugin_host.api.app_settings import plugin_target
from grafana_plugin_host.api.ds_health import check_health
from grafana_plugin_host.api.forward import plugin_error, plugin_manager, prepared_headers
from grafana_plugin_host.api.resources import forward_resource, resource_routes
from grafana_plugin_host.errors import MethodNotImplementedError, PluginError
from grafana_plugin_host.web import JSONResponse, identity_of
from grafana_plugin_sdk.backend import CollectMetricsRequest, CollectMetricsResult


def plugin_list_item(meta: Any) -> dict[str, Any]:
    """One entry of ``GET /api/plugins``, with the keys Grafana's list has (those this host knows)."""
    raw: dict[str, Any] = meta.raw
    info = raw.get("info") if isinstance(raw.get("info"), dict) else {}
    dependencies = raw.get("dependencies") if isinstance(raw.get("dependencies"), dict) else {}
    return {
        "name": meta.name,
        "type": meta.type,
        "id": meta.id,
        "enabled": True,
        "pinned": False,
        "info": info,
        "dependencies": dependencies,
        "latestVersion": "",
        "hasUpdate": False,
        "defaultNavUrl": "",
        "category": raw.get("category", "") if isinstance(raw.get("category"), str) else "",
        "state": raw.get("state", "") if isinstance(raw.get("state"), str) else "",
        "signature": meta.signature,
        "signatureType": "",
        "signatureOrg": "",
        "backend": meta.backend,
        "aliasIDs": list(meta.alias_ids),
    }


async def list_plugins(request: Request) -> Response:
    """``GET /api/plugins``: loaded plugins sorted by name; ``?type=`` filters by plugin type."""
    identity_of(request)
    wanted = request.query_params.get("type", "")
    manager = plugin_manager(request)
    metas = [m for m in (manager.plugins() if manager else []) if not wanted or m.type == wanted]
    return JSONResponse([plugin_list_item(m) for m in sorted(metas, key=lambda m: m.name.lower())])


async def plugin_errors(request: Request) -> Response:
    """``GET /api/plugins/errors``: plugins found but not loaded, as ``pluginId``/``errorCode`` pairs."""
    identity_of(request)
    manager = plugin_manager(request)
    errors = manager.errors() if manager else []
    return JSONResponse([{"pluginId": e.plugin_id, "errorCode": e.code, "message": e.message} for e in errors])


async def plugin_health(request: Request) -> Response:
    """``GET /api/plugins/:id/health``: CheckHealth without a data source."""
    target = await plugin_target(request, identity_of(request), request.path_params["plugin_id"])
    return await check_health(target)


async def plugin_metrics(request: Request) -> Response:
    """``GET /api/plugins/:id/metrics``: CollectMetrics, Prometheus text (empty when not implemented)."""
    target = await plugin_target(request, identity_of(request), request.path_params["plugin_id"])
    try:
        result: CollectMetricsResult = await target.client.collect_metrics(
            CollectMetricsRequest(target.context), deadline=target.deadline
        )
    except MethodNotImplementedError:
        result = CollectMetricsResult()
    except PluginError as exc:
        raise plugin_error(exc, failed="Collect plugin metrics failed", not_found="Plugin not found") from exc
    return Response(result.prometheus, media_type="text/plain; version=0.0.4; charset=utf-8")


async def plugin_resource(request: Request) -> Response:
    """Any method on ``/api/plugins/:id/resources[/*]``: the plugin's CallResource (app plugins)."""
    identity = identity_of(request)
    target = await plugin_target(request, identity, request.path_params["plugin_id"])
    return await forward_resource(request, target, prepared_headers(request, identity, None))


routes: list[BaseRoute] = [
    Route("/api/plugins", list_plugins, methods=["GET"]),
    Route("/api/plugins/errors", plugin_errors, methods=["GET"]),
    Route("/api/plugins/{plugin_id}/health", plugin_health, methods=["GET"]),
    Route("/api/plugins/{plugin_id}/metrics", plugin_metrics, methods=["GET"]),
    *resource_routes("/api/plugins/{plugin_id}", plugin_resource),
]
