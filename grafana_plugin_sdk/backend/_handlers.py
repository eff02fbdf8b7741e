"""Handler protocols. Implement the methods you need, plain or ``async``; the server detects which."""

from __future__ import annotations

import difflib
from collections.abc import Awaitable
from typing import TYPE_CHECKING, Any, Protocol, TypeAlias, runtime_checkable

from ._requests import (
    CallResourceRequest,
    CheckHealthRequest,
    CollectMetricsRequest,
    PublishStreamRequest,
    QueryDataRequest,
    RunStreamRequest,
    SubscribeStreamRequest,
)
from ._responses import (
    CallResourceResponse,
    CheckHealthResult,
    CollectMetricsResult,
    PublishStreamResponse,
    QueryDataResponse,
    SubscribeStreamResponse,
)

if TYPE_CHECKING:
    from grafana_plugin_sdk.data import Frame


class CallResourceResponseSender(Protocol):
    """Sends resource response messages back to the host; safe from sync and async handlers."""

    def send(self, response: CallResourceResponse) -> None:
        """Send one message (the first carries status and headers, later ones body chunks)."""

    async def send_async(self, response: CallResourceResponse) -> None:
        """Like :meth:`send` for async handlers: waits while the host is behind, so memory stays bounded."""

    def send_json(self, value: Any, status: int = 200) -> None:
        """Send a whole JSON response."""

    def send_text(self, text: str, status: int = 200) -> None:
        """Send a whole plain-text response."""


class StreamSender(Protocol):
    """Sends packets of a running stream back to the host."""

    def send_frame(self, frame: Frame, include_schema: bool = True) -> None:
        """Send a data frame as frame JSON."""

    def send_json(self, value: Any) -> None:
        """Send any JSON value."""

    def send_bytes(self, data: bytes) -> None:
        """Send raw bytes that already hold JSON."""


@runtime_checkable
class QueryDataHandler(Protocol):
    """Answers data queries."""

    def query_data(self, request: QueryDataRequest) -> QueryDataResponse | Awaitable[QueryDataResponse]:
        """Answer every query of the request, keyed by refId."""
        ...


@runtime_checkable
class CheckHealthHandler(Protocol):
    """Tests a data source's configuration."""

    def check_health(self, request: CheckHealthRequest) -> CheckHealthResult | Awaitable[CheckHealthResult]:
        """Report whether the data source works."""
        ...


@runtime_checkable
class CallResourceHandler(Protocol):
    """Serves the plugin's own HTTP-like resource routes."""

    def call_resource(self, request: CallResourceRequest, sender: CallResourceResponseSender) -> Awaitable[None] | None:
        """Answer by calling ``sender`` one or more times."""
        ...


@runtime_checkable
class CollectMetricsHandler(Protocol):
    """Exposes custom metrics (the default serves the process's Prometheus registry)."""

    def collect_metrics(self, request: CollectMetricsRequest) -> CollectMetricsResult | Awaitable[CollectMetricsResult]:
        """Return metrics in Prometheus text format."""
        ...


@runtime_checkable
class StreamHandler(Protocol):
    """Grafana Live streams: subscribe, publish and run."""

    def subscribe_stream(
        self, request: SubscribeStreamRequest
    ) -> SubscribeStreamResponse | Awaitable[SubscribeStreamResponse]:
        """Allow or deny a subscription to ``request.path``."""
        ...

    def publish_stream(self, request: PublishStreamRequest) -> PublishStreamResponse | Awaitable[PublishStreamResponse]:
        """Allow or deny a publish to ``request.path``."""
        ...

    def run_stream(self, request: RunStreamRequest, sender: StreamSender) -> Awaitable[None] | None:
        """Send packets until the stream ends or the call is cancelled."""
        ...


#: Anything ``serve`` accepts: an object with at least one of the handler methods.
PluginHandler: TypeAlias = (
    QueryDataHandler | CheckHealthHandler | CallResourceHandler | CollectMetricsHandler | StreamHandler
)

#: The method names a handler may have, in the order of the protocols above.
HANDLER_METHODS = (
    "query_data",
    "check_health",
    "collect_metrics",
    "call_resource",
    "subscribe_stream",
    "publish_stream",
    "run_stream",
)


class HandlerError(TypeError):
    """The object given to ``serve`` is not a usable handler; the message says what is wrong."""


def check_handler(handler: object) -> None:
    """Raise :class:`HandlerError` when ``handler`` has none of the handler methods, or a method whose name is
    close to one but not it (``query_dta``), which would otherwise be answered UNIMPLEMENTED without a word."""
    kind = type(handler).__name__
    for name in dir(handler):
        if name.startswith("_") or name in HANDLER_METHODS or not callable(getattr(handler, name, None)):
            continue
        close = difflib.get_close_matches(name.lower(), HANDLER_METHODS, n=1, cutoff=0.8)
        if close:
            raise HandlerError(f"{kind}.{name} is not a handler method; did you mean {close[0]}?")
    if not any(callable(getattr(handler, name, None)) for name in HANDLER_METHODS):
        raise HandlerError(f"{kind} has none of the handler methods ({', '.join(HANDLER_METHODS)})")
