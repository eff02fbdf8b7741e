"""``/api/datasources/uid/:uid/resources/*`` (and by id): CallResource, the answer streamed chunk by chunk."""

from __future__ import annotations

import asyncio
import logging
from collections.abc import AsyncIterator
from typing import Any
from urllib.parse import quote

from starlette.requests import Request
from starlette.responses import Response
from starlette.routing import BaseRoute, Route

from grafana_plugin_host.api._identity import resource_identity_headers
from grafana_plugin_host.api._paths import forward_path
from grafana_plugin_host.api.forward import (
    ALL_METHODS,
    Target,
    datasource_target,
    load_datasource_from_path,
    plugin_error,
    prepared_headers,
    streaming_response,
)
from grafana_plugin_host.errors import ApiError, PluginError
from grafana_plugin_host.web import identity_of, read_body
from grafana_plugin_sdk.backend import CallResourceRequest, CallResourceResponse

log = logging.getLogger(__name__)

_FAILED = "Failed to call resource"


def resource_url(path: str, query_string: str) -> str:
    """The relative URL sent to the plugin: the escaped path (as Go's ``URL.String``) plus the raw query."""
    escaped = quote(path, safe="$&+,/:;=@")
    return f"{escaped}?{query_string}" if query_string else escaped


async def _close(stream: AsyncIterator[CallResourceResponse]) -> None:
    close = getattr(stream, "aclose", None)
    if close is not None:
        await close()


async def _rest(first: CallResourceResponse, stream: AsyncIterator[CallResourceResponse]) -> AsyncIterator[bytes]:
    try:
        if first.body:
            yield first.body
        async for message in stream:
            if message.body:
                yield message.body
    except PluginError as exc:
        log.warning("resource stream from plugin ended with an error: %s", exc)
    finally:
        await _close(stream)


async def forward_resource(request: Request, target: Target, headers: dict[str, list[str]]) -> Response:
    """Send the request to ``target``'s CallResource and stream the plugin's answer back as it arrives."""
    path = forward_path(request)
    call = CallResourceRequest(
        target.context,
        path=path,
        method=request.method,
        url=resource_url(path, request.url.query),
        headers=headers,
        body=await read_body(request),
    )
    stream: AsyncIterator[CallResourceResponse] = target.client.call_resource(call)
    try:
        first = await asyncio.wait_for(anext(stream), target.deadline)
    except TimeoutError:
        await _close(stream)
        raise ApiError(504, "Plugin request timed out") from None
    except StopAsyncIteration:
        raise ApiError(500, _FAILED) from None
    except PluginError as exc:
        await _close(stream)
        raise plugin_error(exc, failed=_FAILED, not_implemented="Not found") from exc
    return streaming_response(_rest(first, stream), first.status, first.headers)


def unable_to_find_plugin() -> ApiError:
    """The error for a data source whose type has no plugin, on the resources route: Grafana's message, with 404
    where Grafana answers 500 (the host answers no caller with a 5xx for what is not its own failure)."""
    return ApiError(404, "Unable to find datasource plugin")


async def datasource_resource(request: Request) -> Response:
    """Any method on ``.../resources[/*]``: the data source plugin's CallResource."""
    identity = identity_of(request)
    ds = await load_datasource_from_path(request, identity, not_found="Data source not found")
    target = await datasource_target(request, identity, ds, no_plugin=unable_to_find_plugin)
    headers = prepared_headers(request, identity, ds) | resource_identity_headers(target.headers)
    return await forward_resource(request, target, headers)


def resource_routes(prefix: str, endpoint: Any) -> list[BaseRoute]:
    """The two routes of a resources prefix: ``<prefix>/resources`` and ``<prefix>/resources/{path}``."""
    return [
        Route(f"{prefix}/resources", endpoint, methods=ALL_METHODS),
        Route(f"{prefix}/resources/{{path:path}}", endpoint, methods=ALL_METHODS),
    ]


routes: list[BaseRoute] = [
    *resource_routes("/api/datasources/uid/{uid}", datasource_resource),
    *resource_routes("/api/datasources/{id}", datasource_resource),
]
