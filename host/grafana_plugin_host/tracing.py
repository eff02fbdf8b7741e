"""Host tracing: a span per HTTP request and per plugin call, the trace carried to plugins in gRPC metadata,
spans exported over OTLP; and the ``GF_INSTANCE_OTLP_*`` variables that turn tracing on in plugins.

Settings (Grafana's): ``[tracing.opentelemetry.otlp] address`` (host:port of an OTLP/gRPC receiver; empty: off),
``propagation`` (``w3c``/``jaeger``), ``[tracing.opentelemetry] sampler_type`` and ``sampler_param``.
"""

from __future__ import annotations

import contextlib
from collections.abc import Iterator

from starlette.datastructures import Headers
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from grafana_plugin_host.config import Settings
from grafana_plugin_sdk import tracing
from grafana_plugin_sdk.wire.platform import GRAFANA_VERSION

SERVICE_NAME = "grafana"


def setup(settings: Settings) -> bool:
    """Start exporting host spans when ``[tracing.opentelemetry.otlp] address`` is set (needs the tracing extra)."""
    env = plugin_tracing_env(settings, "")
    return tracing.setup_from_env(SERVICE_NAME, {**env, tracing.PLUGIN_VERSION_ENV: GRAFANA_VERSION})


def plugin_tracing_env(settings: Settings, plugin_version: str) -> dict[str, str]:
    """What Grafana passes a plugin when tracing is on: ``GF_INSTANCE_OTLP_*`` and ``GF_PLUGIN_VERSION``."""
    if not settings.tracing_otlp_address:
        return {}
    env = {
        tracing.ADDRESS_ENV: settings.tracing_otlp_address,
        tracing.PROPAGATION_ENV: settings.tracing_propagation,
        tracing.SAMPLER_TYPE_ENV: settings.tracing_sampler_type,
        tracing.SAMPLER_PARAM_ENV: settings.tracing_sampler_param,
    }
    if plugin_version:
        env[tracing.PLUGIN_VERSION_ENV] = plugin_version
    return env


class TracingMiddleware:
    """An ``HTTP <method> <path>`` server span around each HTTP request (continuing a ``traceparent`` sent)."""

    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http" or not tracing.enabled():
            await self.app(scope, receive, send)
            return
        headers = {k: v for k, v in Headers(scope=scope).items() if k in ("traceparent", "tracestate", "baggage")}
        method, path = scope.get("method", ""), scope.get("path", "")
        attributes = {"http.method": method, "http.target": path}
        with tracing.server_span(f"HTTP {method} {path}", headers, attributes) as span:
            assert span is not None

            async def send_traced(message: Message) -> None:
                if message["type"] == "http.response.start":
                    status = int(message["status"])
                    span.set_attribute("http.status_code", status)
                    if status >= 500:
                        tracing.set_error(span, f"HTTP status {status}")
                await send(message)

            await self.app(scope, receive, send_traced)


@contextlib.contextmanager
def plugin_call(plugin_id: str, method: str) -> Iterator[tuple[tuple[str, str], ...] | None]:
    """A ``PluginClient.<endpoint>`` client span around a call to a plugin; yields the gRPC metadata carrying it
    (None when tracing is off)."""
    endpoint = method[:1].lower() + method[1:]
    with tracing.client_span(f"PluginClient.{endpoint}", {"plugin_id": plugin_id}) as started:
        yield None if started is None else tuple(started[1].items())
