"""AsyncPluginTestClient: a plugin's calls as a test wants to make them, over any transport."""

from __future__ import annotations

from collections.abc import Mapping
from types import TracebackType
from typing import Any

from grafana_plugin_sdk.backend import (
    CallResourceRequest,
    CheckHealthRequest,
    CheckHealthResult,
    CollectMetricsRequest,
    CollectMetricsResult,
    DataQuery,
    DataSourceInstanceSettings,
    FrameFormat,
    PluginContext,
    QueryDataRequest,
    QueryDataResponse,
)

from ._context import TimeRangeLike, data_query, data_source_settings, make_plugin_context, ref_ids
from ._resource import NO_JSON, ResourceResponse, resource_request
from ._transport import Transport

QueryLike = Mapping[str, Any] | DataQuery


class AsyncPluginTestClient:
    """Calls one plugin (in this process or a subprocess) as a host would, for one data source.

    Every call carries ``context``: the plugin id, the data source ``settings`` and an Admin user. Use as an
    ``async with`` block (starts and stops the plugin) or call :meth:`start` and :meth:`close` yourself.
    """

    def __init__(
        self,
        transport: Transport,
        *,
        plugin_id: str = "",
        settings: DataSourceInstanceSettings | None = None,
        context: PluginContext | None = None,
    ) -> None:
        self.transport = transport
        self.context = context or make_plugin_context(plugin_id, settings or data_source_settings(type=plugin_id))

    async def start(self) -> None:
        """Start the plugin (a subprocess is launched and handshaken; in-process there is nothing to do)."""
        await self.transport.start()

    async def close(self) -> None:
        """Stop the plugin; safe to call twice."""
        await self.transport.close()

    async def __aenter__(self) -> AsyncPluginTestClient:
        await self.start()
        return self

    async def __aexit__(
        self, exc_type: type[BaseException] | None, exc: BaseException | None, tb: TracebackType | None
    ) -> None:
        await self.close()

    def logs(self) -> list[str]:
        """The plugin's log lines so far (a subprocess's stderr; empty in-process, where logging is the test's)."""
        return self.transport.logs()

    # --- query ---------------------------------------------------------------------------------------

    def request(
        self,
        *queries: QueryLike,
        time_range: TimeRangeLike | None = None,
        format: FrameFormat = FrameFormat.ARROW,
        headers: Mapping[str, str] | None = None,
    ) -> QueryDataRequest:
        """The QueryDataRequest for query models (refIds A, B... where a model has none) or DataQuery objects."""
        refs = ref_ids(len(queries))
        built = [data_query(q, ref_id=ref, time_range=time_range) for q, ref in zip(queries, refs, strict=True)]
        return QueryDataRequest(self.context, built, dict(headers or {}), format)

    async def query_data(self, request: QueryDataRequest) -> QueryDataResponse:
        """Send a QueryDataRequest as it is."""
        return await self.transport.query_data(request)

    async def query(
        self,
        *queries: QueryLike,
        time_range: TimeRangeLike | None = None,
        format: FrameFormat = FrameFormat.ARROW,
        headers: Mapping[str, str] | None = None,
    ) -> QueryDataResponse:
        """Query with panel-style models, e.g. ``await plugin.query({"scenarioId": "csv_metric_values"})``.

        ``time_range`` is a TimeRange or ``(from, to)`` (default: the last hour); the answer is keyed by refId.
        """
        return await self.query_data(self.request(*queries, time_range=time_range, format=format, headers=headers))

    # --- health and metrics --------------------------------------------------------------------------

    async def check_health(self, headers: Mapping[str, str] | None = None) -> CheckHealthResult:
        """CheckHealth for the client's data source."""
        return await self.transport.check_health(CheckHealthRequest(self.context, dict(headers or {})))

    async def collect_metrics(self) -> CollectMetricsResult:
        """CollectMetrics: the plugin's Prometheus text."""
        return await self.transport.collect_metrics(CollectMetricsRequest(self.context))

    # --- resources -----------------------------------------------------------------------------------

    async def call_resource(self, request: CallResourceRequest) -> ResourceResponse:
        """Send a CallResourceRequest as it is; the streamed answer joined."""
        return ResourceResponse.join(await self.transport.call_resource(request))

    async def resource(
        self,
        method: str,
        path: str,
        *,
        params: Mapping[str, Any] | None = None,
        body: bytes = b"",
        json: Any = NO_JSON,
        headers: Mapping[str, str] | None = None,
    ) -> ResourceResponse:
        """Call a resource route (``path`` relative to ``.../resources/``) and return the whole response."""
        request = resource_request(self.context, method, path, params=params, body=body, json=json, headers=headers)
        return await self.call_resource(request)

    async def get_resource(self, path: str, params: Mapping[str, Any] | None = None) -> Any:
        """``getResource``: GET, the body parsed (JSON, else text); FetchError unless 2xx."""
        response = await self.resource("GET", path, params=params)
        response.raise_for_status("GET", path)
        return response.data()

    async def post_resource(self, path: str, data: Any = None) -> Any:
        """``postResource``: POST ``data`` as JSON, the body parsed; FetchError unless 2xx."""
        response = await self.resource("POST", path, json=data)
        response.raise_for_status("POST", path)
        return response.data()
