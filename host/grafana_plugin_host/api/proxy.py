"""``/api/datasources/proxy/uid/:uid/*`` (and by id): forward HTTP to the data source's URL as Grafana's data source proxy does.

Request and response bodies stream both ways (httpx). The data source's basic auth, ``jsonData.httpHeaderNameN`` +
``secureJsonData.httpHeaderValueN`` headers and ``jsonData.timeout`` apply; so do the plugin.json ``routes``
(``path``, ``method``, ``url``, ``headers``, ``urlParams``, ``reqRole``, with ``{{.JsonData.x}}`` and
``{{.SecureJsonData.x}}`` templates). Upstream 401 becomes 400 ``Authentication to data source failed``, as in Grafana.
"""

from __future__ import annotations

import base64
import logging
import re
from collections.abc import AsyncIterator, Mapping
from dataclasses import dataclass, field
from typing import Any
from urllib.parse import quote, urlsplit

import httpx
from starlette.requests import Request
from starlette.responses import Response
from starlette.routing import BaseRoute, Route

from grafana_plugin_host.api._paths import forward_path
from grafana_plugin_host.api.forward import (
    ALL_METHODS,
    datasource_timeout,
    load_datasource_from_path,
    plugin_meta,
    prepared_headers,
    streaming_response,
)
from grafana_plugin_host.errors import ApiError
from grafana_plugin_host.models import DataSource, Identity, OrgRole
from grafana_plugin_host.services import services_of
from grafana_plugin_host.web import identity_of
from grafana_plugin_sdk.wire.platform import GRAFANA_VERSION

log = logging.getLogger(__name__)

_TEMPLATE = re.compile(r"\{\{\s*\.(JsonData|SecureJsonData)\.([A-Za-z0-9_]+)\s*\}\}")


@dataclass(frozen=True)
class ProxyRoute:
    """One plugin.json ``routes`` entry."""

    path: str
    url: str
    method: str = ""
    req_role: str = ""
    headers: list[tuple[str, str]] = field(default_factory=list)
    url_params: list[tuple[str, str]] = field(default_factory=list)

    @classmethod
    def from_json(cls, raw: Mapping[str, Any]) -> ProxyRoute:
        """A route from its plugin.json object (malformed entries become harmless empty values)."""

        def pairs(key: str) -> list[tuple[str, str]]:
            items = raw.get(key)
            if not isinstance(items, list):
                return []
            return [
                (str(i.get("name", "")), str(i.get("content", "")))
                for i in items
                if isinstance(i, Mapping) and i.get("name")
            ]

        return cls(
            path=str(raw.get("path", "")).strip("/"),
            url=str(raw.get("url", "")),
            method=str(raw.get("method", "")),
            req_role=str(raw.get("reqRole", "")),
            headers=pairs("headers"),
            url_params=pairs("urlParams"),
        )


def match_route(routes: list[ProxyRoute], proxy_path: str, method: str) -> ProxyRoute | None:
    """The first route whose path prefixes ``proxy_path`` and whose method (if any) is ``method``."""
    path = proxy_path.strip("/")
    for route in routes:
        if route.method not in ("", "*") and route.method.upper() != method.upper():
            continue
        if path == route.path or path.startswith(route.path + "/") or not route.path:
            return route
    return None


#: What a secret reads as in an error message.
MASK = "[redacted]"


def interpolate(template: str, json_data: Mapping[str, Any], secrets: Mapping[str, str]) -> str:
    """Fill ``{{.JsonData.key}}`` and ``{{.SecureJsonData.key}}`` placeholders (missing keys become empty)."""

    def value(match: re.Match[str]) -> str:
        source: Mapping[str, Any] = json_data if match[1] == "JsonData" else secrets
        found = source.get(match[2], "")
        return "" if found is None else str(found)

    return _TEMPLATE.sub(value, template)


def join_url(base: str, path: str) -> str:
    """Grafana's ``JoinURLFragments``: one slash between base path and proxy path; no trailing slash added."""
    if not path:
        return base
    return base.rstrip("/") + "/" + path.lstrip("/")


def custom_headers(json_data: Mapping[str, Any], secrets: Mapping[str, str]) -> dict[str, str]:
    """``jsonData.httpHeaderNameN`` -> ``secureJsonData.httpHeaderValueN`` for N = 1, 2, ... until one is missing."""
    headers: dict[str, str] = {}
    index = 1
    while isinstance(name := json_data.get(f"httpHeaderName{index}"), str) and name:
        headers[name] = secrets.get(f"httpHeaderValue{index}", "")
        index += 1
    return headers


def _valid_base(url: str) -> bool:
    try:
        parts = urlsplit(url)
    except ValueError:
        return False
    return parts.scheme in ("http", "https") and bool(parts.netloc)


def _role_allows(identity: Identity, req_role: str) -> bool:
    if not req_role:
        return True
    try:
        needed = OrgRole(req_role)
    except ValueError:
        return False
    return identity.org_role.rank >= needed.rank


@dataclass(frozen=True)
class Outgoing:
    """The upstream request a proxy call becomes."""

    url: str
    headers: list[tuple[str, str]]
    timeout: float


def _plugin_routes(meta: Any) -> list[ProxyRoute]:
    raw = getattr(meta, "routes", None) or []
    return [ProxyRoute.from_json(r) for r in raw if isinstance(r, Mapping)]


def build_outgoing(
    ds: DataSource,
    secrets: Mapping[str, str],
    routes: list[ProxyRoute],
    *,
    identity: Identity,
    method: str,
    proxy_path: str,
    query_string: str,
    forwarded: Mapping[str, list[str]],
    default_timeout: int,
) -> Outgoing:
    """The upstream URL, headers and timeout for a proxy call (pure; raises ApiError as Grafana does)."""
    if not _valid_base(ds.url):
        raise ApiError(400, f'Invalid data source URL: "{ds.url}"')
    headers = {name: list(values) for name, values in forwarded.items()}
    params: list[tuple[str, str]] = []
    url = join_url(ds.url, proxy_path)
    route = match_route(routes, proxy_path, method)
    if route is not None:
        if not _role_allows(identity, route.req_role):
            raise ApiError(403, "plugin proxy route access denied")
        rest = proxy_path.strip("/")[len(route.path) :].lstrip("/")
        url = join_url(interpolate(route.url, ds.json_data, secrets), rest)
        if not _valid_base(url):
            masked = join_url(interpolate(route.url, ds.json_data, dict.fromkeys(secrets, MASK)), rest)
            raise ApiError(400, f'Invalid data source URL: "{masked}"')
        for name, content in route.headers:
            headers[name] = [interpolate(content, ds.json_data, secrets)]
        params = [(n, interpolate(c, ds.json_data, secrets)) for n, c in route.url_params]
    if ds.basic_auth:
        token = f"{ds.basic_auth_user}:{secrets.get('basicAuthPassword', '')}".encode()
        headers["Authorization"] = ["Basic " + base64.b64encode(token).decode()]
    for name, value in custom_headers(ds.json_data, secrets).items():
        headers[name] = [value]
    headers["User-Agent"] = [f"Grafana/{GRAFANA_VERSION}"]
    query = "&".join(filter(None, [query_string, *(f"{quote(n)}={quote(v)}" for n, v in params)]))
    return Outgoing(
        url=f"{url}?{query}" if query else url,
        headers=[(name, value) for name, values in headers.items() for value in values],
        timeout=datasource_timeout(ds.json_data, default_timeout),
    )


class _BodyTooLarge(Exception):
    """The streamed request body passed the limit (the upstream request is abandoned, the client gets 413)."""


async def _limited(request: Request, limit: int) -> AsyncIterator[bytes]:
    size = 0
    async for chunk in request.stream():
        size += len(chunk)
        if size > limit:
            raise _BodyTooLarge
        yield chunk


def _too_large(limit: int) -> ApiError:
    return ApiError(413, f"Request body too large (limit {limit} bytes)")


def _check_ascii(headers: list[tuple[str, str]]) -> None:
    """400 for a header value an HTTP/1.1 request cannot carry as sent (non-ASCII or control characters)."""
    for name, value in headers:
        if not value.isascii() or any(ord(c) < 0x20 and c != "\t" for c in value):
            raise ApiError(400, f"Invalid value in request header {name}")


async def _relay(upstream: httpx.Response, client: httpx.AsyncClient) -> AsyncIterator[bytes]:
    try:
        async for chunk in upstream.aiter_raw():
            yield chunk
    except httpx.HTTPError as exc:
        log.warning("data source proxy: upstream body ended early: %s", exc)
    finally:
        await upstream.aclose()
        await client.aclose()


async def datasource_proxy(request: Request) -> Response:
    """Any method on ``/api/datasources/proxy/(uid/:uid|:id)[/*]``: the upstream answer, streamed."""
    identity = identity_of(request)
    ds = await load_datasource_from_path(request, identity, not_found="Unable to find datasource")
    meta = plugin_meta(request, ds.type)
    if meta is None:
        raise ApiError(404, "Unable to find datasource plugin")
    settings = services_of(request).settings
    secrets: dict[str, str] = await services_of(request).store.decrypted_secrets(ds)
    declared = request.headers.get("content-length", "")
    if declared.isdigit() and int(declared) > settings.max_request_body_bytes:
        raise _too_large(settings.max_request_body_bytes)
    path = forward_path(request)
    outgoing = build_outgoing(
        ds,
        secrets,
        _plugin_routes(meta),
        identity=identity,
        method=request.method,
        proxy_path=quote(path, safe="$&+,/:;=@"),
        query_string=request.url.query,
        forwarded=prepared_headers(request, identity, ds),
        default_timeout=settings.dataproxy_timeout,
    )
    _check_ascii(outgoing.headers)
    has_body = request.method not in ("GET", "HEAD", "OPTIONS") or bool(declared and declared != "0")
    client = httpx.AsyncClient(timeout=outgoing.timeout, follow_redirects=False)
    try:
        upstream_request = client.build_request(
            request.method,
            outgoing.url,
            headers=outgoing.headers,
            content=_limited(request, settings.max_request_body_bytes) if has_body else None,
        )
        upstream = await client.send(upstream_request, stream=True)
    except _BodyTooLarge:
        await client.aclose()
        raise _too_large(settings.max_request_body_bytes) from None
    except httpx.TimeoutException:
        await client.aclose()
        raise ApiError(504, "Gateway Timeout") from None
    except httpx.HTTPError as exc:
        await client.aclose()
        log.warning("data source proxy: %s %s failed: %s", request.method, ds.uid, exc)
        raise ApiError(502, "Bad Gateway") from None
    if upstream.status_code == 401:
        await upstream.aclose()
        await client.aclose()
        raise ApiError(400, "Authentication to data source failed")
    multi: dict[str, list[str]] = {}
    for name, value in upstream.headers.multi_items():
        multi.setdefault(name, []).append(value)
    return streaming_response(_relay(upstream, client), upstream.status_code, multi, default_json=False)


routes: list[BaseRoute] = [
    Route("/api/datasources/proxy/uid/{uid}", datasource_proxy, methods=ALL_METHODS),
    Route("/api/datasources/proxy/uid/{uid}/{path:path}", datasource_proxy, methods=ALL_METHODS),
    Route("/api/datasources/proxy/{id}", datasource_proxy, methods=ALL_METHODS),
    Route("/api/datasources/proxy/{id}/{path:path}", datasource_proxy, methods=ALL_METHODS),
]
