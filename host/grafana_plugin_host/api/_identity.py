"""The headers a data source call carries to its plugin: the caller's identity and request details, as Grafana
forwards them on QueryData and CheckHealth.

- ``jsonData.oauthPassThru``: the caller's bearer ``Authorization`` and its ``X-Id-Token``, under those names. This
  host has no OAuth login of its own, so the token forwarded is the one the caller presented (Basic credentials
  are never forwarded).
- ``jsonData.keepCookies``: ``Cookie`` with only the kept cookies (never the session cookie).
- ``http_``-prefixed: ``X-Grafana-User`` (with ``[dataproxy] send_user_header``) and the dashboard, panel and query
  group headers the frontend sends.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from starlette.datastructures import Headers

HTTP_PREFIX = "http_"
#: Request headers Grafana's frontend sends with queries, forwarded to the plugin as ``http_<name>``.
REQUEST_DETAIL_HEADERS = ("X-Dashboard-Uid", "X-Panel-Id", "X-Query-Group-Id")
#: Longest header value forwarded (a larger one is left out, not truncated).
MAX_VALUE_LENGTH = 16 * 1024


def _bearer(authorization: str) -> str:
    scheme, _, token = authorization.strip().partition(" ")
    return f"Bearer {token.strip()}" if scheme.lower() == "bearer" and token.strip() else ""


def plugin_call_headers(
    headers: Headers, json_data: Mapping[str, Any], *, kept_cookies: str = "", user_login: str | None = None
) -> dict[str, str]:
    """The ``headers`` map of a QueryData or CheckHealth request made for an HTTP request with ``headers``;
    ``kept_cookies`` is its ``Cookie`` header reduced to the data source's ``keepCookies``."""
    result: dict[str, str] = {}
    if json_data.get("oauthPassThru") is True:
        if token := _bearer(headers.get("authorization", "")):
            result["Authorization"] = token
        if id_token := headers.get("x-id-token", "").strip():
            result["X-Id-Token"] = id_token
    if kept_cookies:
        result["Cookie"] = kept_cookies
    if user_login:
        result[f"{HTTP_PREFIX}X-Grafana-User"] = user_login
    for name in REQUEST_DETAIL_HEADERS:
        if value := headers.get(name, "").strip():
            result[f"{HTTP_PREFIX}{name}"] = value
    return {name: value for name, value in result.items() if len(value) <= MAX_VALUE_LENGTH}


def resource_identity_headers(call_headers: Mapping[str, str]) -> dict[str, list[str]]:
    """The OAuth headers of :func:`plugin_call_headers` in a resource call's multi-valued form (Grafana adds them
    back after removing the caller's credentials)."""
    return {name: [value] for name, value in call_headers.items() if name in ("Authorization", "X-Id-Token")}
