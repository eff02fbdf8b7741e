"""PluginClient: the four pluginv2 calls the HTTP API makes, with the SDK's dataclasses and host errors."""

from __future__ import annotations

import asyncio
import contextlib
from collections.abc import AsyncGenerator, AsyncIterator, Awaitable, Callable
from typing import Any, TypeVar

import grpc

from grafana_plugin_host.errors import MethodNotImplementedError, PluginCallError, PluginError, PluginUnavailableError
from grafana_plugin_host.tracing import plugin_call
from grafana_plugin_sdk.backend import (
    CallResourceRequest,
    CallResourceResponse,
    CheckHealthRequest,
    CheckHealthResult,
    CollectMetricsRequest,
    CollectMetricsResult,
    PublishStreamRequest,
    PublishStreamResponse,
    QueryDataRequest,
    QueryDataResponse,
    RunStreamRequest,
    StreamRequest,
    SubscribeStreamRequest,
    SubscribeStreamResponse,
)
from grafana_plugin_sdk.plugin_json import PluginMeta
from grafana_plugin_sdk.wire import PluginProcess, PluginStubs
from grafana_plugin_sdk.wire.convert import (
    call_resource_request_to_proto,
    call_resource_response_from_proto,
    check_health_request_to_proto,
    check_health_result_from_proto,
    collect_metrics_request_to_proto,
    collect_metrics_result_from_proto,
    plugin_context_to_proto,
    query_data_request_to_proto,
    query_data_response_from_proto,
    stream_status_from_proto,
)
from grafana_plugin_sdk.wire.genproto import backend_pb2 as pb

from ._supervisor import Supervisor

T = TypeVar("T")
#: Responses larger than this are decoded in a worker thread so the event loop stays responsive.
_THREAD_DECODE_BYTES = 1 << 20
#: How long to wait for the process to be seen as exited when a call fails as if it died.
_EXIT_SETTLE_SECONDS = 0.5


class PluginClient:
    """Calls one backend plugin. Raises PluginUnavailableError at once while its process is down."""

    def __init__(self, meta: PluginMeta, supervisor: Supervisor) -> None:
        self.meta = meta
        self._supervisor = supervisor
        self._stubs: tuple[PluginProcess, PluginStubs] | None = None

    async def _connect(self) -> tuple[PluginProcess, PluginStubs]:
        await self._supervisor.ensure_started()
        proc = self._supervisor.running()
        cached = self._stubs
        if cached is None or cached[0] is not proc:
            try:
                cached = self._stubs = (proc, proc.stubs)
            except PluginError:
                raise PluginUnavailableError(f"plugin {self.meta.id} is unavailable: it is restarting") from None
        return cached

    async def _failure(self, proc: PluginProcess, exc: grpc.aio.AioRpcError, method: str) -> PluginError:
        code = exc.code()
        if code == grpc.StatusCode.UNIMPLEMENTED:
            return MethodNotImplementedError(f"plugin {self.meta.id} does not implement {method}")
        if code in (grpc.StatusCode.UNAVAILABLE, grpc.StatusCode.CANCELLED) and await proc.wait_exited(
            _EXIT_SETTLE_SECONDS
        ):
            return PluginCallError("UNAVAILABLE", f"plugin {self.meta.id} {proc.exit_description()} during {method}")
        return PluginCallError(code.name, exc.details() or code.name)

    def _closed(self, proc: PluginProcess, method: str) -> PluginError:
        """The call was cut by the host closing the channel (the process stopped), not by our caller."""
        task = asyncio.current_task()
        if task is not None and task.cancelling():
            raise asyncio.CancelledError
        what = proc.exit_description() if proc.exited else "was stopped"
        return PluginCallError("UNAVAILABLE", f"plugin {self.meta.id} {what} during {method}")

    async def _unary(
        self,
        method: str,
        call: Callable[[PluginStubs], Callable[..., Awaitable[Any]]],
        msg: Any,
        deadline: float | None = None,
    ) -> Any:
        proc, stubs = await self._connect()
        try:
            with plugin_call(self.meta.id, method) as metadata:
                return await call(stubs)(msg, metadata=metadata, timeout=deadline)
        except grpc.aio.AioRpcError as exc:
            raise await self._failure(proc, exc, method) from None
        except grpc.aio.UsageError:  # the channel closed between the check and the call
            raise PluginUnavailableError(f"plugin {self.meta.id} is unavailable: it stopped") from None
        except asyncio.CancelledError:  # grpc.aio raises this when the channel is closed under a call
            raise self._closed(proc, method) from None

    @staticmethod
    async def _decode(convert: Callable[[Any], T], msg: Any) -> T:
        if msg.ByteSize() > _THREAD_DECODE_BYTES:
            return await asyncio.to_thread(convert, msg)
        return convert(msg)

    async def query_data(self, req: QueryDataRequest, deadline: float | None = None) -> QueryDataResponse:
        """QueryData: one response per refId, frames decoded (DEADLINE_EXCEEDED after ``deadline`` seconds)."""
        msg = await self._unary("QueryData", lambda s: s.data.QueryData, query_data_request_to_proto(req), deadline)
        return await self._decode(query_data_response_from_proto, msg)

    async def check_health(self, req: CheckHealthRequest, deadline: float | None = None) -> CheckHealthResult:
        """CheckHealth: the plugin's status, message and details."""
        proto = check_health_request_to_proto(req)
        msg = await self._unary("CheckHealth", lambda s: s.diagnostics.CheckHealth, proto, deadline)
        return check_health_result_from_proto(msg)

    async def collect_metrics(self, req: CollectMetricsRequest, deadline: float | None = None) -> CollectMetricsResult:
        """CollectMetrics: the plugin's Prometheus text exposition."""
        proto = collect_metrics_request_to_proto(req)
        msg = await self._unary("CollectMetrics", lambda s: s.diagnostics.CollectMetrics, proto, deadline)
        return collect_metrics_result_from_proto(msg)

    async def call_resource(self, req: CallResourceRequest) -> AsyncIterator[CallResourceResponse]:
        """CallResource: the response messages as the plugin streams them (first one has status and headers)."""
        message = call_resource_request_to_proto(req)
        async with contextlib.aclosing(
            self._server_stream("CallResource", lambda s: s.resource.CallResource(message))
        ) as stream:
            async for msg in stream:
                yield call_resource_response_from_proto(msg)

    async def _server_stream(self, method: str, start: Callable[[PluginStubs], Any]) -> AsyncGenerator[Any, None]:
        """The messages of a server-streaming call, with plugin failures as host errors; cancelled when closed."""
        proc, stubs = await self._connect()
        try:
            call = start(stubs)
        except grpc.aio.UsageError:
            raise PluginUnavailableError(f"plugin {self.meta.id} is unavailable: it stopped") from None
        try:
            async for msg in call:
                yield msg
        except grpc.aio.AioRpcError as exc:
            raise await self._failure(proc, exc, method) from None
        except asyncio.CancelledError:
            raise self._closed(proc, method) from None
        finally:
            call.cancel()

    @staticmethod
    def _stream_fields(req: StreamRequest) -> dict[str, Any]:
        context = plugin_context_to_proto(req.plugin_context)
        return {"pluginContext": context, "path": req.path, "data": req.data, "headers": dict(req.headers)}

    async def subscribe_stream(self, req: SubscribeStreamRequest) -> SubscribeStreamResponse:
        """SubscribeStream: may this caller subscribe to the path, and the initial data."""
        msg = await self._unary(
            "SubscribeStream", lambda s: s.stream.SubscribeStream, pb.SubscribeStreamRequest(**self._stream_fields(req))
        )
        return SubscribeStreamResponse(stream_status_from_proto(msg.status), msg.data)

    async def publish_stream(self, req: PublishStreamRequest) -> PublishStreamResponse:
        """PublishStream: may this caller publish, and the data to broadcast (empty: none)."""
        msg = await self._unary(
            "PublishStream", lambda s: s.stream.PublishStream, pb.PublishStreamRequest(**self._stream_fields(req))
        )
        return PublishStreamResponse(stream_status_from_proto(msg.status), msg.data)

    async def run_stream(self, req: RunStreamRequest) -> AsyncIterator[bytes]:
        """RunStream: each packet's data as the plugin sends it, until the plugin ends the stream or fails."""
        message = pb.RunStreamRequest(**self._stream_fields(req))
        async with contextlib.aclosing(
            self._server_stream("RunStream", lambda s: s.stream.RunStream(message))
        ) as stream:
            async for msg in stream:
                yield msg.data
