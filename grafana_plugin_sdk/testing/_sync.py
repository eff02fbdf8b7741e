"""PluginTestClient: the synchronous face of :class:`AsyncPluginTestClient` for plain ``def`` tests."""

from __future__ import annotations

from collections.abc import Mapping
from types import TracebackType
from typing import Any

from grafana_plugin_sdk.backend import (
    CallResourceRequest,
    CheckHealthResult,
    CollectMetricsResult,
    FrameFormat,
    PluginContext,
    QueryDataRequest,
    QueryDataResponse,
)

from ._context import TimeRangeLike
from ._plugin_client import AsyncPluginTestClient, QueryLike
from ._portal import LoopThread
from ._resource import NO_JSON, ResourceResponse


class PluginTestClient:
    """The same calls as :class:`AsyncPluginTestClient`, blocking; the plugin runs on a loop in a thread.

    Use as a ``with`` block (starts and stops the plugin) or call :meth:`start` and :meth:`close` yourself.
    """

    def __init__(self, client: AsyncPluginTestClient) -> None:
        self.aio = client
        self._portal: LoopThread | None = None

    @property
    def context(self) -> PluginContext:
        """The PluginContext every call carries (replace it to call as another user or data source)."""
        return self.aio.context

    @context.setter
    def context(self, value: PluginContext) -> None:
        self.aio.context = value

    def _run(self, coro: Any) -> Any:
        if self._portal is None:
            self._portal = LoopThread()
        return self._portal.run(coro)

    def start(self) -> PluginTestClient:
        """Start the plugin; returns the client."""
        self._run(self.aio.start())
        return self

    def close(self) -> None:
        """Stop the plugin and the loop thread; safe to call twice."""
        if self._portal is not None:
            try:
                self._portal.run(self.aio.close())
            finally:
                self._portal.close()
                self._portal = None

    def __enter__(self) -> PluginTestClient:
        return self.start()

    def __exit__(
        self, exc_type: type[BaseException] | None, exc: BaseException | None, tb: TracebackType | None
    ) -> None:
        self.close()

    def logs(self) -> list[str]:
        """The plugin's log lines so far (see :meth:`AsyncPluginTestClient.logs`)."""
        return self.aio.logs()

    def request(
        self,
        *queries: QueryLike,
        time_range: TimeRangeLike | None = None,
        format: FrameFormat = FrameFormat.ARROW,
        headers: Mapping[str, str] | None = None,
    ) -> QueryDataRequest:
        """The QueryDataRequest for query models (see :meth:`AsyncPluginTestClient.request`)."""
        return self.aio.request(*queries, time_range=time_range, format=format, headers=headers)

    def query_data(self, request: QueryDataRequest) -> QueryDataResponse:
        """Send a QueryDataRequest as it is."""
        result: QueryDataResponse = self._run(self.aio.query_data(request))
        return result

    def query(
        self,
        *queries: QueryLike,
        time_range: TimeRangeLike | None = None,
        format: FrameFormat = FrameFormat.ARROW,
        headers: Mapping[str, str] | None = None,
    ) -> QueryDataResponse:
        """Query with panel-style models (see :meth:`AsyncPluginTestClient.query`)."""
        return self.query_data(self.request(*queries, time_range=time_range, format=format, headers=headers))

    def check_health(self, headers: Mapping[str, str] | None = None) -> CheckHealthResult:
        """CheckHealth for the client's data source."""
        result: CheckHealthResult = self._run(self.aio.check_health(headers))
        return result

    def collect_metrics(self) -> CollectMetricsResult:
        """CollectMetrics: the plugin's Prometheus text."""
        result: CollectMetricsResult = self._run(self.aio.collect_metrics())
        return result

    def call_resource(self, request: CallResourceRequest) -> ResourceResponse:
        """Send a CallResourceRequest as it is; the streamed answer joined."""
        result: ResourceResponse = self._run(self.aio.call_resource(request))
        return result

    def resource(
        self,
        method: str,
        path: str,
        *,
        params: Mapping[str, Any] | None = None,
        body: bytes = b"",
        json: Any = NO_JSON,
        headers: Mapping[str, str] | None = None,
    ) -> ResourceResponse:
        """Call a resource route and return the whole response."""
        coro = self.aio.resource(method, path, params=params, body=body, json=json, headers=headers)
        result: ResourceResponse = self._run(coro)
        return result

    def get_resource(self, path: str, params: Mapping[str, Any] | None = None) -> Any:
        """``getResource``: GET, the body parsed; FetchError unless 2xx."""
        return self._run(self.aio.get_resource(path, params))

    def post_resource(self, path: str, data: Any = None) -> Any:
        """``postResource``: POST ``data`` as JSON, the body parsed; FetchError unless 2xx."""
        return self._run(self.aio.post_resource(path, data))
