"""In-process depth: the server's own pluginv2 services called directly, every message serialised both ways.

No socket and no subprocess, yet the request goes through the same dataclass -> protobuf -> dataclass path as in a
served plugin, and the response (frames encoded to Arrow by the server's code) back again.
"""

from __future__ import annotations

from collections.abc import AsyncIterable
from typing import Any, NoReturn, TypeVar, cast

import grpc
from google.protobuf.message import Message

from grafana_plugin_sdk._server._services import DataService, DiagnosticsService, ResourceService, handler_methods
from grafana_plugin_sdk.backend import (
    CallResourceRequest,
    CallResourceResponse,
    CheckHealthRequest,
    CheckHealthResult,
    CollectMetricsRequest,
    CollectMetricsResult,
    DataSourceInstanceSettings,
    QueryDataRequest,
    QueryDataResponse,
)
from grafana_plugin_sdk.wire import PluginCallError, convert

from ._plugin_client import AsyncPluginTestClient
from ._sync import PluginTestClient

_M = TypeVar("_M", bound=Message)


def _wire(message: _M) -> _M:
    """``message`` serialised and parsed again, as a gRPC transport does."""
    return type(message).FromString(message.SerializeToString())


class _CallContext:
    """The part of ``grpc.aio.ServicerContext`` the services use: ``abort`` ends the call with a status."""

    async def abort(self, code: grpc.StatusCode, details: str = "", *_: object) -> NoReturn:
        """End the call: raise :class:`PluginCallError` with the status name and details."""
        raise PluginCallError(code.name, details)


def managed_handler(factory: Any, dispose_delay: float = 0.0) -> object:
    """The handler ``datasource.manage(plugin_id, factory)`` serves: one instance per data source."""
    from grafana_plugin_sdk.datasource import InstanceManager, ManagedHandler

    return ManagedHandler(InstanceManager(factory, dispose_delay))


class InProcessTransport:
    """Calls ``handler`` through the pluginv2 services of :mod:`grafana_plugin_sdk.serve`, in this process."""

    def __init__(self, handler: object, plugin_id: str = "") -> None:
        methods = handler_methods(handler)
        self._methods = methods
        self._data = DataService(methods, plugin_id)
        self._diagnostics = DiagnosticsService(methods, plugin_id)
        self._resource = ResourceService(methods, plugin_id)
        self._context = cast(grpc.aio.ServicerContext[Any, Any], _CallContext())

    def _require(self, method: str) -> None:
        # A served plugin registers a service only when the handler has its method; gRPC answers UNIMPLEMENTED.
        if method not in self._methods:
            raise PluginCallError("UNIMPLEMENTED", f"the plugin does not implement {method}")

    async def start(self) -> None:
        """Nothing to start."""

    async def close(self) -> None:
        """Nothing to stop."""

    async def query_data(self, request: QueryDataRequest) -> QueryDataResponse:
        """QueryData through ``DataService.QueryData``."""
        self._require("query_data")
        msg = _wire(convert.query_data_request_to_proto(request))
        reply = await self._data.QueryData(msg, self._context)
        return convert.query_data_response_from_proto(_wire(reply))

    async def check_health(self, request: CheckHealthRequest) -> CheckHealthResult:
        """CheckHealth through ``DiagnosticsService.CheckHealth``."""
        msg = _wire(convert.check_health_request_to_proto(request))
        reply = await self._diagnostics.CheckHealth(msg, self._context)
        return convert.check_health_result_from_proto(_wire(reply))

    async def collect_metrics(self, request: CollectMetricsRequest) -> CollectMetricsResult:
        """CollectMetrics through ``DiagnosticsService.CollectMetrics``."""
        msg = _wire(convert.collect_metrics_request_to_proto(request))
        reply = await self._diagnostics.CollectMetrics(msg, self._context)
        return convert.collect_metrics_result_from_proto(_wire(reply))

    async def call_resource(self, request: CallResourceRequest) -> list[CallResourceResponse]:
        """CallResource through ``ResourceService.CallResource``; every streamed message."""
        self._require("call_resource")
        msg = _wire(convert.call_resource_request_to_proto(request))
        stream = cast(AsyncIterable[Any], self._resource.CallResource(msg, self._context))
        return [convert.call_resource_response_from_proto(_wire(reply)) async for reply in stream]

    def logs(self) -> list[str]:
        """Empty: an in-process plugin logs into the test's own logging (pytest shows it)."""
        return []


def async_in_process(
    handler: object = None,
    *,
    factory: Any = None,
    plugin_id: str = "",
    settings: DataSourceInstanceSettings | None = None,
) -> AsyncPluginTestClient:
    """An async client calling ``handler`` (or one instance per data source built by ``factory(settings)``, as
    ``datasource.manage`` does) in this process, through the server's conversion code."""
    if (handler is None) == (factory is None):
        raise TypeError("pass exactly one of a handler object or factory=")
    target = handler if factory is None else managed_handler(factory)
    return AsyncPluginTestClient(InProcessTransport(target, plugin_id), plugin_id=plugin_id, settings=settings)


def in_process(
    handler: object = None,
    *,
    factory: Any = None,
    plugin_id: str = "",
    settings: DataSourceInstanceSettings | None = None,
) -> PluginTestClient:
    """The blocking client for :func:`async_in_process` (``with in_process(MyHandler()) as plugin: ...``)."""
    return PluginTestClient(async_in_process(handler, factory=factory, plugin_id=plugin_id, settings=settings))
