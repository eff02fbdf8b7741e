"""The TestData data source: queries by scenario, a health check, a resource listing scenarios, a live stream."""

from __future__ import annotations

import asyncio
import inspect
from collections.abc import Callable, Iterable
from datetime import UTC, datetime
from typing import Any

import numpy as np
import orjson

from grafana_plugin_sdk import httpadapter, live
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
from grafana_plugin_sdk.data import Field, FieldType, Frame

from .scenarios import SCENARIOS, ScenarioError

STREAM_PREFIX = "random-walk"
#: The stream path whose publications are sent back to its subscribers.
ECHO_PATH = "echo"
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


def _walk_frame(path: str, times: list[datetime], values: list[float]) -> Frame:
    return Frame(path, [Field("time", times, type=FieldType.TIME), Field("value", values, type=FieldType.FLOAT64)])


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
        """Allow streams under ``random-walk`` (initial data: the frame schema) and the ``echo`` channel."""
        if request.path == ECHO_PATH:
            return SubscribeStreamResponse(StreamStatus.OK)
        if not request.path.startswith(STREAM_PREFIX):
            return SubscribeStreamResponse(StreamStatus.NOT_FOUND)
        return SubscribeStreamResponse(StreamStatus.OK, live.initial_data(_walk_frame(request.path, [], [])))

    def publish_stream(self, request: PublishStreamRequest) -> PublishStreamResponse:
        """Random walks are read-only; ``echo`` sends every publication to its subscribers."""
        if request.path == ECHO_PATH:
            return PublishStreamResponse(StreamStatus.OK, request.data)
        return PublishStreamResponse(StreamStatus.PERMISSION_DENIED)

    async def run_stream(self, request: RunStreamRequest, sender: StreamSender) -> None:
        """Send ``points`` random-walk points every ``interval`` ms (request data JSON; defaults 1 and 500) until
        cancelled: the schema with the first frame, data only after it. ``echo`` sends nothing of its own."""
        if request.path == ECHO_PATH:
            await asyncio.Event().wait()
        options = orjson.loads(request.data) if request.data else {}
        interval = max(1, int(options.get("interval", 500))) / 1000
        points = min(max(1, int(options.get("points", 1))), 10_000)
        rng = np.random.default_rng(options.get("seed"))
        value = float(options.get("startValue", 50.0))
        frames = live.FrameSender(sender)
        while True:
            values = value + np.cumsum(rng.random(points) - 0.5)
            value = float(values[-1])
            now = datetime.now(UTC)
            frames.send_frame(_walk_frame(request.path, [now] * points, values.tolist()))
            await asyncio.sleep(interval)
