"""The TestData data source: queries by scenario, a health check, a resource listing scenarios, a live stream."""

from __future__ import annotations

import asyncio
import inspect
from collections.abc import Callable, Iterable
from datetime import UTC, datetime
from typing import Any

import numpy as np
import orjson

from grafana_plugin_sdk import httpadapter
from grafana_plugin_sdk.backend import (
    CallResourceRequest,
    CallResourceResponseSender,
    CheckHealthRequest,
    CheckHealthResult,
    DataQuery,
    DataResponse,
    DataSourceInstanceSettings,
    PublishStreamRequest,
    PublishStreamResponse,
    QueryDataRequest,
    QueryDataResponse,
    QueryTypeMux,
    RunStreamRequest,
    StreamSender,
    StreamStatus,
    SubscribeStreamRequest,
    SubscribeStreamResponse,
)
from grafana_plugin_sdk.data import Field, Frame

from .scenarios import SCENARIOS, ScenarioError

STREAM_PREFIX = "random-walk"
_StartResponse = Callable[[str, list[tuple[str, str]]], Any]


def scenarios_app(environ: dict[str, Any], start_response: _StartResponse) -> Iterable[bytes]:
    """A bare WSGI app: ``GET /scenarios`` lists the scenarios; anything else is 404/405."""
    path, method = environ.get("PATH_INFO", "/"), environ.get("REQUEST_METHOD", "GET")
    body: Any
    if path.rstrip("/") != "/scenarios":
        status, body = "404 Not Found", {"message": f"no resource at {path}"}
    elif method != "GET":
        status, body = "405 Method Not Allowed", {"message": f"{method} is not allowed on /scenarios"}
    else:
        status = "200 OK"
        body = [{"id": s.id, "name": s.name, "description": s.description} for s in SCENARIOS.values()]
    start_response(status, [("Content-Type", "application/json")])
    return [orjson.dumps(body)]


class TestDataSource:
    """One instance per configured data source (built by ``datasource.manage`` from its settings)."""

    def __init__(self, settings: DataSourceInstanceSettings) -> None:
        self.settings = settings
        self._mux = QueryTypeMux()
        self._mux.handle("", self._run_scenario)
        self._resources = httpadapter.wsgi(scenarios_app)

    async def _run_scenario(self, request: QueryDataRequest, query: DataQuery) -> DataResponse:
        scenario_id = str(query.model.get("scenarioId") or "random_walk")
        scenario = SCENARIOS.get(scenario_id)
        if scenario is None:
            return DataResponse.error_response(f"unknown scenario {scenario_id!r}", 400)
        try:
            result = scenario.run(request, query)
            return await result if inspect.isawaitable(result) else result
        except ScenarioError as exc:
            return DataResponse.error_response(f"{scenario_id}: {exc}", 400)

    async def query_data(self, request: QueryDataRequest) -> QueryDataResponse:
        """Answer each query by its ``scenarioId`` (default ``random_walk``)."""
        return await self._mux.query_data(request)

    def check_health(self, request: CheckHealthRequest) -> CheckHealthResult:
        """TestData has nothing to reach, so it is healthy; details list the scenarios."""
        return CheckHealthResult.ok("Data source is working", {"scenarios": sorted(SCENARIOS)})

    def call_resource(self, request: CallResourceRequest, sender: CallResourceResponseSender) -> None:
        """Serve ``GET scenarios`` through the WSGI adapter."""
        self._resources.call_resource(request, sender)

    def subscribe_stream(self, request: SubscribeStreamRequest) -> SubscribeStreamResponse:
        """Allow streams under ``random-walk``."""
        ok = request.path.startswith(STREAM_PREFIX)
        return SubscribeStreamResponse(StreamStatus.OK if ok else StreamStatus.NOT_FOUND)

    def publish_stream(self, request: PublishStreamRequest) -> PublishStreamResponse:
        """Streams are read-only."""
        return PublishStreamResponse(StreamStatus.PERMISSION_DENIED)

    async def run_stream(self, request: RunStreamRequest, sender: StreamSender) -> None:
        """Send one random-walk point every ``interval`` ms (from the request data JSON, default 500) until cancelled."""
        options = orjson.loads(request.data) if request.data else {}
        interval = max(10, int(options.get("interval", 500))) / 1000
        rng = np.random.default_rng(options.get("seed"))
        value = float(options.get("startValue", 50.0))
        while True:
            value += float(rng.random() - 0.5)
            now = datetime.now(UTC)
            sender.send_frame(Frame(request.path, [Field("time", [now]), Field("value", [value])]))
            await asyncio.sleep(interval)
