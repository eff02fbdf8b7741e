"""The default middlewares, in the Go SDK's order: tracing, metrics, basic auth, custom headers, user agent,
forwarded headers, response limit."""

from __future__ import annotations

import base64
import os
import time
from dataclasses import dataclass

import httpx

from grafana_plugin_sdk import tracing
from grafana_plugin_sdk.backend.call import current_call

from . import _metrics
from ._chain import Flow, Middleware, Step
from ._options import Options
from ._stream import wrap_body

RESPONSE_LIMIT_ENV = "GF_DATAPROXY_RESPONSE_LIMIT"
RESPONSE_LIMIT_CONFIG = "GF_RESPONSE_LIMIT"


class ResponseTooLargeError(Exception):
    """The response body is larger than the configured limit."""

    def __init__(self, limit: int) -> None:
        super().__init__(f"http: response body too large, response limit is set to: {limit}")
        self.limit = limit


@dataclass(frozen=True)
class Tracing:
    """An ``HTTP Outgoing Request`` client span per request, its trace context sent in the request's headers;
    nothing when tracing is off (decided when the client is built)."""

    name: str = "Tracing"

    def __call__(self, options: Options) -> Step | None:
        if not tracing.enabled():
            return None
        labels = dict(options.labels)

        def step(request: httpx.Request) -> Flow:
            with tracing.client_span("HTTP Outgoing Request", labels) as started:
                assert started is not None
                span, headers = started
                request.headers.update(headers)
                span.set_attributes({"http.url": str(request.url), "http.method": request.method})
                response = yield request
                span.set_attribute("http.status_code", response.status_code)
                if (length := response.headers.get("content-length", "")).isdigit() and int(length) > 0:
                    span.set_attribute("http.content_length", int(length))
                if response.status_code >= 400:
                    tracing.set_error(span, f"error with HTTP status code {response.status_code}")
                return response

        return step


@dataclass(frozen=True)
class DataSourceMetrics:
    """Counts, times and sizes each request, labelled with the data source type and the calling endpoint."""

    name: str = "datasource_metrics"

    def __call__(self, options: Options) -> Step | None:
        ds_type = _metrics.label_name(options.labels.get("datasource_type", ""))
        if not ds_type:
            return None

        def step(request: httpx.Request) -> Flow:
            call = current_call()
            labels = (ds_type, "false", call.endpoint if call else "")
            c = _metrics.collectors()
            in_flight = c.in_flight.labels(*labels)
            in_flight.inc()
            start = time.perf_counter()
            try:
                response = yield request
            finally:
                in_flight.dec()
            with_code = (ds_type, str(response.status_code), request.method.lower(), *labels[1:])
            c.duration.labels(*with_code).observe(time.perf_counter() - start)
            c.requests.labels(*with_code).inc()
            size, last = c.response_size.labels(*labels), c.response_size_last.labels(*labels)

            def observe(total: int) -> None:
                size.observe(total)
                last.set(total)

            wrap_body(response, on_close=observe)
            return response

        return step


@dataclass(frozen=True)
class BasicAuth:
    """``Authorization: Basic`` from the options, unless the request carries an ``Authorization`` already."""

    name: str = "BasicAuth"

    def __call__(self, options: Options) -> Step | None:
        auth = options.basic_auth
        if auth is None:
            return None
        value = "Basic " + base64.b64encode(f"{auth.user}:{auth.password}".encode()).decode("ascii")

        def step(request: httpx.Request) -> Flow:
            if "authorization" not in request.headers:
                request.headers["Authorization"] = value
            return (yield request)

        return step


@dataclass(frozen=True)
class CustomHeaders:
    """The data source's ``httpHeaderNameN`` headers, replacing what the request has under the same name."""

    name: str = "CustomHeaders"

    def __call__(self, options: Options) -> Step | None:
        headers = dict(options.headers)
        if not headers:
            return None

        def step(request: httpx.Request) -> Flow:
            for key, value in headers.items():
                request.headers[key] = value
            return (yield request)

        return step


@dataclass(frozen=True)
class UserAgent:
    """``User-Agent``: the host's (``Grafana/<version> (<os>; <arch>)``, else ``Grafana``) plus
    `` <pluginId>/<pluginVersion>``, unless the request sets its own."""

    name: str = "UserAgent"

    def __call__(self, options: Options) -> Step | None:
        def step(request: httpx.Request) -> Flow:
            if "user-agent" not in request.headers:
                request.headers["User-Agent"] = user_agent()
            return (yield request)

        return step


def user_agent() -> str:
    """The user agent of outgoing requests made during the current call."""
    call = current_call()
    if call is None:
        return "Grafana"
    ctx = call.plugin_context
    base = str(parsed) if (parsed := ctx.parsed_user_agent) is not None else "Grafana"
    return f"{base} {ctx.plugin_id}/{ctx.plugin_version}" if ctx.plugin_id else base


@dataclass(frozen=True)
class ForwardedHeaders:
    """The current call's forwarded headers (OAuth token, ID token, cookies, ``http_`` headers), when the options
    ask for them; a header the request already has is kept."""

    name: str = "ForwardedHeaders"

    def __call__(self, options: Options) -> Step | None:
        if not options.forward_http_headers:
            return None

        def step(request: httpx.Request) -> Flow:
            call = current_call()
            if call is not None:
                for key, value in call.http_headers.items():
                    if key not in request.headers:
                        request.headers[key] = value
            return (yield request)

        return step


def _positive(text: str | None) -> int:
    try:
        value = int(text or "")
    except ValueError:
        return 0
    return max(value, 0)


@dataclass(frozen=True)
class ResponseLimit:
    """Fails reading a body past the limit: Grafana's ``GF_RESPONSE_LIMIT`` for the call, else the
    ``GF_DATAPROXY_RESPONSE_LIMIT`` environment variable, else ``limit``, else the options' ``response_limit``."""

    limit: int = 0
    name: str = "response-limit"

    def __call__(self, options: Options) -> Step | None:
        fallback = _positive(os.environ.get(RESPONSE_LIMIT_ENV)) or self.limit or options.response_limit

        def step(request: httpx.Request) -> Flow:
            call = current_call()
            configured = _positive(call.plugin_context.grafana_config.get(RESPONSE_LIMIT_CONFIG)) if call else 0
            limit = configured or fallback
            response = yield request
            if limit > 0:
                wrap_body(response, lambda total: _check(total, limit))
            return response

        return step


def _check(total: int, limit: int) -> None:
    if total > limit:
        raise ResponseTooLargeError(limit)


def default_middlewares() -> list[Middleware]:
    """The chain every client gets unless given its own."""
    return [
        Tracing(),
        DataSourceMetrics(),
        BasicAuth(),
        CustomHeaders(),
        UserAgent(),
        ForwardedHeaders(),
        ResponseLimit(),
    ]
