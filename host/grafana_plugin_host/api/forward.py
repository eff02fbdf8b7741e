"""Shared helpers for routes that forward to plugins or data sources.

Loading a data source for the caller's org, building the call's PluginContext, mapping plugin-call errors to HTTP
errors, and preparing the headers forwarded to a plugin or a proxied data source.
"""

from __future__ import annotations

import re
from collections.abc import AsyncIterator, Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

from starlette.requests import HTTPConnection, Request
from starlette.responses import StreamingResponse

from grafana_plugin_host import rbac
from grafana_plugin_host.api._identity import plugin_call_headers
from grafana_plugin_host.errors import (
    ApiError,
    MethodNotImplementedError,
    PluginCallError,
    PluginError,
    PluginNotFoundError,
    PluginUnavailableError,
)
from grafana_plugin_host.models import DataSource, Identity
from grafana_plugin_host.plugins import PluginClient, PluginManager, PluginMeta, build_plugin_context
from grafana_plugin_host.services import services_of
from grafana_plugin_host.web import path_id
from grafana_plugin_sdk.backend import PluginContext

_UID_RE = re.compile(r"[a-zA-Z0-9_-]+")
_SESSION_COOKIE = "grafana_session"

#: Headers that describe one connection and are never forwarded (RFC 9110 §7.6.1), plus ones the transport sets.
HOP_BY_HOP = frozenset(
    {
        "connection",
        "keep-alive",
        "proxy-authenticate",
        "proxy-authorization",
        "proxy-connection",
        "te",
        "trailer",
        "trailers",
        "transfer-encoding",
        "upgrade",
        "host",
        "content-length",
    }
)
# Request headers Grafana removes before forwarding: client origin details and the caller's own credentials.
_DROPPED_REQUEST_HEADERS = frozenset(
    {
        "origin",
        "referer",
        "x-forwarded-host",
        "x-forwarded-port",
        "x-forwarded-proto",
        "authorization",
        "x-grafana-device-id",
        "x-grafana-user",
        "cookie",
    }
)

QUERY_ACTION = "datasources:query"
#: Grafana registers health, resource and proxy routes for any method.
ALL_METHODS = ["GET", "HEAD", "POST", "PUT", "PATCH", "DELETE", "OPTIONS"]


def datasource_timeout(json_data: Mapping[str, Any], default_seconds: int) -> float:
    """``jsonData.timeout`` in seconds (number or numeric string) or the ``[dataproxy] timeout`` default."""
    raw = json_data.get("timeout")
    try:
        seconds = float(raw) if raw not in (None, "") and not isinstance(raw, bool) else 0.0
    except (TypeError, ValueError):
        seconds = 0.0
    return seconds if 0 < seconds < 86_400 else float(default_seconds)


def validate_uid(uid: str) -> str:
    """The uid unchanged, or the 400 ``UID is invalid`` Grafana gives for a bad character set."""
    if not _UID_RE.fullmatch(uid):
        raise ApiError(400, "UID is invalid")
    return uid


async def load_datasource(
    request: HTTPConnection,
    identity: Identity,
    *,
    uid: str | None = None,
    id: int | None = None,
    name: str | None = None,
    not_found: str = "Data source not found",
) -> DataSource:
    """The data source of the caller's org that the caller may query; 404 ``not_found`` when absent, 403 if denied."""
    rbac.require(identity, QUERY_ACTION)
    store = services_of(request).store
    ds: DataSource | None = await store.get_datasource(identity.org_id, uid=uid, id=id, name=name)
    if ds is None:
        raise ApiError(404, not_found)
    rbac.require(identity, QUERY_ACTION, f"datasources:uid:{ds.uid}")
    return ds


async def load_datasource_from_path(request: Request, identity: Identity, *, not_found: str) -> DataSource:
    """The data source named by the route's ``uid`` or ``id`` path parameter (validated as Grafana does)."""
    params = request.path_params
    if "uid" in params:
        return await load_datasource(request, identity, uid=validate_uid(params["uid"]), not_found=not_found)
    return await load_datasource(request, identity, id=path_id(request), not_found=not_found)


@dataclass(frozen=True)
class Target:
    """A plugin to call, the PluginContext to send with the call and the headers for QueryData/CheckHealth."""

    client: PluginClient
    context: PluginContext
    headers: dict[str, str] = field(default_factory=dict)
    #: Seconds a call may take: ``[plugins] call_timeout``, or the data source's ``jsonData.timeout`` if longer.
    deadline: float | None = None


def plugin_manager(request: HTTPConnection) -> PluginManager | None:
    """The app's plugin manager (None when the app runs without plugins)."""
    manager: PluginManager | None = services_of(request).plugins
    return manager


def plugin_meta(request: HTTPConnection, plugin_id: str) -> PluginMeta | None:
    """The plugin's metadata from the plugin manager, or None when no such plugin is loaded."""
    manager = plugin_manager(request)
    return manager.get(plugin_id) if manager is not None else None


def plugin_client(request: HTTPConnection, plugin_id: str) -> PluginClient:
    """The client of a loaded backend plugin; PluginNotFoundError when there is none."""
    manager = plugin_manager(request)
    if manager is None:
        raise PluginNotFoundError(f"plugin {plugin_id} not found: the host runs without plugins")
    return manager.client(plugin_id)


def not_registered() -> ApiError:
    """Grafana's 404 for a data source whose type has no loaded backend plugin."""
    return ApiError(404, "Plugin not registered", messageId="plugin.notRegistered", statusCode=404, traceID="")


async def datasource_target(
    request: HTTPConnection,
    identity: Identity,
    ds: DataSource,
    *,
    no_plugin: Callable[[], ApiError] = not_registered,
) -> Target:
    """The plugin serving ``ds`` and the PluginContext Grafana would send (secrets decrypted); ``no_plugin`` if none."""
    try:
        client = plugin_client(request, ds.type)
    except PluginNotFoundError:
        raise no_plugin() from None
    secrets: dict[str, str] = await services_of(request).store.decrypted_secrets(ds)
    settings = services_of(request).settings
    context = build_plugin_context(client.meta, settings, identity=identity, datasource=ds, secrets=secrets)
    user = identity.login if settings.dataproxy_send_user_header and identity.login else None
    cookies = kept_cookie_header(request.headers.getlist("cookie"), keep_cookies_setting(ds.json_data))
    headers = plugin_call_headers(request.headers, ds.json_data, kept_cookies=cookies, user_login=user)
    deadline = max(float(settings.plugin_call_timeout), datasource_timeout(ds.json_data, settings.plugin_call_timeout))
    return Target(client, context, headers, deadline)


def app_target(request: HTTPConnection, identity: Identity, plugin_id: str) -> Target:
    """The plugin ``plugin_id`` and a PluginContext without data source; 404 ``Plugin not found`` if absent."""
    try:
        client = plugin_client(request, plugin_id)
    except PluginNotFoundError:
        raise ApiError(404, "Plugin not found") from None
    settings = services_of(request).settings
    context = build_plugin_context(client.meta, settings, identity=identity)
    return Target(client, context, deadline=float(settings.plugin_call_timeout))


def plugin_error(
    exc: PluginError,
    *,
    failed: str,
    not_implemented: str = "Method not implemented",
    not_found: str = "Plugin not registered",
) -> ApiError:
    """The HTTP error for a failed plugin call (Grafana's statuses, plus our 503 for a plugin that is down)."""
    if isinstance(exc, PluginNotFoundError):
        return ApiError(404, not_found)
    if isinstance(exc, MethodNotImplementedError):
        return ApiError(404, not_implemented)
    if isinstance(exc, PluginUnavailableError):
        return ApiError(503, "Plugin unavailable", admin_detail=str(exc))
    if isinstance(exc, PluginCallError):
        if exc.code == "UNAVAILABLE":
            return ApiError(503, "Plugin unavailable", admin_detail=str(exc))
        if exc.code == "RESOURCE_EXHAUSTED":
            return ApiError(500, "The response is too large. Try to reduce the time range or the number of queries.")
        if exc.code == "CANCELLED":
            return ApiError(499, "Plugin request canceled")
        if exc.code == "DEADLINE_EXCEEDED":
            return ApiError(504, "Plugin request timed out")
    return ApiError(500, failed)


def canonical_header(name: str) -> str:
    """Go's canonical MIME header key: ``x-forwarded-for`` becomes ``X-Forwarded-For``."""
    return "-".join(part[:1].upper() + part[1:].lower() for part in name.split("-"))


def _cookie_pairs(header_values: Iterable[str]) -> list[tuple[str, str]]:
    pairs: list[tuple[str, str]] = []
    for header in header_values:
        for item in header.split(";"):
            name, sep, value = item.strip().partition("=")
            if sep and name:
                pairs.append((name, value))
    return pairs


def _cookie_kept(name: str, keep: Sequence[str]) -> bool:
    for rule in keep:
        if rule.endswith("[]"):
            if name.startswith(rule[:-2]):
                return True
        elif name == rule:
            return True
    return False


def kept_cookie_header(cookie_headers: Iterable[str], keep: Sequence[str]) -> str:
    """The ``Cookie`` header holding only the cookies named in ``keepCookies`` (``prefix[]``, ``[]`` for all)."""
    kept = {
        name: value
        for name, value in _cookie_pairs(cookie_headers)
        if name != _SESSION_COOKIE and _cookie_kept(name, keep)
    }
    return "; ".join(f"{name}={kept[name]}" for name in sorted(kept))


def keep_cookies_setting(json_data: Mapping[str, Any]) -> list[str]:
    """The data source's ``jsonData.keepCookies`` as a list of strings (empty when absent or malformed)."""
    value = json_data.get("keepCookies")
    return [item for item in value if isinstance(item, str)] if isinstance(value, list) else []


def forward_headers(
    headers: Iterable[tuple[str, str]],
    *,
    client_ip: str | None,
    keep_cookies: Sequence[str] = (),
    user_login: str | None = None,
) -> dict[str, list[str]]:
    """Headers to forward to a plugin or a proxied data source, edited as Grafana does.

    ``Referer`` moves to ``X-Grafana-Referer``; origin, forwarding, hop-by-hop (also those named in ``Connection``),
    credential and client-set ``X-Grafana-User`` headers go; the client
    address is appended to ``X-Forwarded-For``; ``Cookie`` keeps only ``keep_cookies``; ``user_login`` adds
    ``X-Grafana-User``.
    """
    result: dict[str, list[str]] = {}
    cookies: list[str] = []
    headers = list(headers)
    named_in_connection = {
        item.strip().lower() for name, value in headers if name.lower() == "connection" for item in value.split(",")
    }
    for name, value in headers:
        lowered = name.lower()
        if lowered in named_in_connection:
            continue
        if lowered == "cookie":
            cookies.append(value)
        elif lowered == "referer":
            result.setdefault("X-Grafana-Referer", []).append(value)
        if lowered in _DROPPED_REQUEST_HEADERS or lowered in HOP_BY_HOP:
            continue
        result.setdefault(canonical_header(name), []).append(value)
    if client_ip:
        previous = result.pop("X-Forwarded-For", [])
        result["X-Forwarded-For"] = [", ".join([*previous, client_ip])]
    if keep_cookies and (kept := kept_cookie_header(cookies, keep_cookies)):
        result["Cookie"] = [kept]
    if user_login:
        result["X-Grafana-User"] = [user_login]
    return result


def client_ip(request: Request) -> str | None:
    """The address of the HTTP client (None when the transport does not say)."""
    return request.client.host if request.client else None


def prepared_headers(request: Request, identity: Identity, ds: DataSource | None) -> dict[str, list[str]]:
    """:func:`forward_headers` for this request, with the data source's ``keepCookies`` and the user header setting."""
    send_user: bool = services_of(request).settings.dataproxy_send_user_header
    return forward_headers(
        request.headers.items(),
        client_ip=client_ip(request),
        keep_cookies=keep_cookies_setting(ds.json_data) if ds is not None else (),
        user_login=identity.login if send_user and identity.login else None,
    )


def response_headers(
    headers: Mapping[str, Sequence[str]], status: int, *, default_json: bool = True
) -> list[tuple[str, str]]:
    """Headers of a forwarded response: ``Set-Cookie`` and hop-by-hop dropped, JSON type default, CSP sandbox."""
    result: list[tuple[str, str]] = []
    has_type = False
    for name, values in headers.items():
        lowered = name.lower()
        if lowered in HOP_BY_HOP or lowered in ("set-cookie", "content-security-policy"):
            continue
        has_type = has_type or lowered == "content-type"
        result.extend((canonical_header(name), value) for value in values)
    if default_json and not has_type and status != 204:
        result.append(("Content-Type", "application/json"))
    result.append(("Content-Security-Policy", "sandbox"))
    return result


def streaming_response(
    body: AsyncIterator[bytes], status: int, headers: Mapping[str, Sequence[str]], *, default_json: bool = True
) -> StreamingResponse:
    """A response that sends each chunk of ``body`` as it comes, with :func:`response_headers` applied."""
    response = StreamingResponse(body, status_code=status)
    response.raw_headers = [
        (name.lower().encode("latin-1"), value.encode("latin-1"))
        for name, value in response_headers(headers, status, default_json=default_json)
    ]
    return response
