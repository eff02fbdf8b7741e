"""The IoT data source: device state history as time series, switching devices through resources."""

from __future__ import annotations

import tempfile
from pathlib import Path

from grafana_plugin_sdk import httpadapter
from grafana_plugin_sdk.backend import (
    CallResourceRequest,
    CallResourceResponseSender,
    CheckHealthRequest,
    CheckHealthResult,
    DataQuery,
    DataResponse,
    DataSourceInstanceSettings,
    QueryDataRequest,
    QueryDataResponse,
    QueryTypeMux,
)
from grafana_plugin_sdk.data import Field, FieldType, Frame, FrameMeta, FrameType

from .resources import create_app
from .schema import QUERY, SETTINGS, IoTQuery
from .store import DEFAULT_DEVICES, DeviceStore

MIN_API_KEY_LENGTH = 16


class IoTDataSource:
    """One instance per data source. ``jsonData.storePath`` holds the device store (a temp file by default),
    ``jsonData.devices`` the device ids, and ``secureJsonData.apiKey`` the key the health check verifies."""

    def __init__(self, settings: DataSourceInstanceSettings) -> None:
        default_path = Path(tempfile.gettempdir()) / f"python-iot-{settings.uid or settings.id}.sqlite"
        devices = tuple(settings.json_data.get("devices") or DEFAULT_DEVICES)
        config = SETTINGS.parse(settings)
        self.store = DeviceStore(config.store_path or default_path, devices)
        self._api_key = config.api_key
        self._mux = QueryTypeMux()
        self._mux.handle("", QUERY.handler(self._history))
        self._resources = httpadapter.asgi(create_app(self.store, devices[0]))

    def _history(self, request: QueryDataRequest, query: DataQuery, parsed: IoTQuery) -> DataResponse:
        """One frame per device (``device`` narrows it): time and state (1 on, 0 off) for every change."""
        wanted = parsed.device
        names = [wanted] if wanted else sorted(self.store.devices())
        start, end = query.time_range.from_.timestamp(), query.time_range.to.timestamp()
        frames = []
        for device in names:
            changes = self.store.history(str(device), start, end)
            if wanted and not changes and device not in self.store.devices():
                return DataResponse.error_response(f"unknown device {device!r}", 404)
            frames.append(
                Frame(
                    str(device),
                    [
                        Field("time", [c.epoch_ns for c in changes], type=FieldType.TIME),
                        Field(
                            "state",
                            [int(c.state == "on") for c in changes],
                            type=FieldType.INT8,
                            labels={"device": str(device)},
                        ),
                    ],
                    meta=FrameMeta(type=FrameType.TIMESERIES_MULTI, type_version=(0, 1)),
                )
            )
        return DataResponse(frames)

    async def query_data(self, request: QueryDataRequest) -> QueryDataResponse:
        """Each query returns the state history of every device (or of ``device``)."""
        return await self._mux.query_data(request)

    def check_health(self, request: CheckHealthRequest) -> CheckHealthResult:
        """Healthy when an API key of at least 16 characters is configured and the store answers."""
        if not self._api_key:
            return CheckHealthResult.error("API key is missing: set secureJsonData.apiKey")
        if len(self._api_key) < MIN_API_KEY_LENGTH:
            return CheckHealthResult.error(f"API key is too short (at least {MIN_API_KEY_LENGTH} characters)")
        devices = self.store.devices()
        return CheckHealthResult.ok(
            f"Connected to the device hub ({len(devices)} devices)", {"devices": sorted(devices)}
        )

    async def call_resource(self, request: CallResourceRequest, sender: CallResourceResponseSender) -> None:
        """``GET devices`` and ``POST device`` through the Starlette app."""
        await self._resources.call_resource(request, sender)
