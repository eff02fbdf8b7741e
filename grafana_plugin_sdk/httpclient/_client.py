"""Sync and async httpx clients built from :class:`Options` (or straight from a data source's settings)."""

from __future__ import annotations

import ipaddress
import urllib.request
from collections.abc import Callable, Sequence
from typing import Any, TypeVar

import httpx

from grafana_plugin_sdk import _owned
from grafana_plugin_sdk.backend import DataSourceInstanceSettings, GrafanaConfig

from ._chain import ChainTransport, Flow, Middleware, Step
from ._middlewares import default_middlewares
from ._options import Options, options_from_settings
from ._tls import ssl_context

_T = TypeVar("_T", httpx.HTTPTransport, httpx.AsyncHTTPTransport)
OptionsLike = Options | DataSourceInstanceSettings


def _options(source: OptionsLike, grafana_config: GrafanaConfig | None) -> Options:
    return source if isinstance(source, Options) else options_from_settings(source, grafana_config)


def _timeout(options: Options) -> httpx.Timeout:
    """Go's client timeout bounds reading and writing; its dial timeout bounds connecting; 0 means none."""
    t = options.timeouts
    whole = t.timeout or None
    return httpx.Timeout(whole, connect=t.dial_timeout or None)


def _limits(options: Options) -> httpx.Limits:
    t = options.timeouts
    return httpx.Limits(
        max_connections=t.max_conns_per_host or None,
        max_keepalive_connections=t.max_idle_conns_per_host,
        keepalive_expiry=t.idle_conn_timeout or None,
    )


def _server_name_step(server_name: str) -> Step:
    """Connect with ``server_name`` as the TLS SNI name and the name the certificate must carry."""

    def step(request: httpx.Request) -> Flow:
        if request.url.scheme == "https":
            request.extensions = {**request.extensions, "sni_hostname": server_name}
        return (yield request)

    return step


def _steps(options: Options, middlewares: Sequence[Middleware] | None) -> list[Step]:
    chosen = default_middlewares() if middlewares is None else list(middlewares)
    names = [m.name for m in chosen]
    duplicates = sorted({n for n in names if names.count(n) > 1})
    if duplicates:
        raise ValueError(f"middleware with name {duplicates[0]} already exists")
    steps = [step for m in chosen if (step := m(options)) is not None]
    if options.tls is not None and options.tls.server_name:
        steps.append(_server_name_step(options.tls.server_name))
    return steps


def _proxy_patterns() -> dict[str, str | None]:
    """Mount patterns from ``HTTP_PROXY``/``HTTPS_PROXY``/``NO_PROXY`` (either case): proxy URL, or None for direct."""
    env = urllib.request.getproxies_environment()
    patterns: dict[str, str | None] = {}
    for scheme in ("http", "https"):
        if env.get(scheme):
            patterns[f"{scheme}://"] = env[scheme]
    for host in (h.strip() for h in env.get("no", "").split(",")):
        if not host:
            continue
        if host == "*":
            return {}
        try:
            ipaddress.ip_address(host)
            patterns[f"all://{host}"] = None
        except ValueError:
            patterns[f"all://{host}" if host == "localhost" else f"all://*{host}"] = None
    return patterns


def _client_kwargs(
    options: Options, middlewares: Sequence[Middleware] | None, make: Callable[..., _T], extra: dict[str, Any]
) -> dict[str, Any]:
    verify = ssl_context(options.tls)
    limits = _limits(options)
    steps = _steps(options, middlewares)

    def transport(proxy: str | None) -> ChainTransport:
        return ChainTransport(steps, make(verify=verify, limits=limits, proxy=proxy))

    kwargs: dict[str, Any] = {
        "base_url": options.base_url,
        "timeout": _timeout(options),
        "transport": transport(None),
        "mounts": {pattern: transport(proxy) for pattern, proxy in _proxy_patterns().items()},
    }
    kwargs.update(extra)
    return kwargs


def _without_user_agent(client: httpx.Client | httpx.AsyncClient) -> None:
    """httpx's default ``User-Agent`` goes, so the user-agent middleware can set Grafana's."""
    if client.headers.get("user-agent", "").startswith("python-httpx/"):
        del client.headers["user-agent"]


def new_client(
    source: OptionsLike,
    *,
    grafana_config: GrafanaConfig | None = None,
    middlewares: Sequence[Middleware] | None = None,
    **httpx_options: Any,
) -> httpx.Client:
    """An ``httpx.Client`` for a data source: its URL as base URL, its TLS, timeouts and the middleware chain.

    Built inside an instance factory of ``datasource.manage``, it is closed when that instance is disposed of.
    ``httpx_options`` go to ``httpx.Client`` (they win over the options).
    """
    options = _options(source, grafana_config)
    client = httpx.Client(**_client_kwargs(options, middlewares, httpx.HTTPTransport, httpx_options))
    _without_user_agent(client)
    _owned.own(client.close)
    return client


def new_async_client(
    source: OptionsLike,
    *,
    grafana_config: GrafanaConfig | None = None,
    middlewares: Sequence[Middleware] | None = None,
    **httpx_options: Any,
) -> httpx.AsyncClient:
    """Like :func:`new_client`, an ``httpx.AsyncClient``."""
    options = _options(source, grafana_config)
    client = httpx.AsyncClient(**_client_kwargs(options, middlewares, httpx.AsyncHTTPTransport, httpx_options))
    _without_user_agent(client)
    _owned.own(client.aclose)
    return client
