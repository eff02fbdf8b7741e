"""The pluginv2 services: adapt the plugin's handler methods (plain or async) to gRPC.

A handler is any object; each pluginv2 method is served when the object has the matching method. Missing methods
answer ``UNIMPLEMENTED`` (so does a handler raising ``NotImplementedError``); other exceptions answer ``UNKNOWN``
with the error, except in QueryData, where they become per-refId errors.
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import AsyncIterator, Awaitable, Callable, Mapping
from typing import Any, NoReturn, TypeVar, cast

import grpc

from grafana_plugin_sdk import _metrics
from grafana_plugin_sdk._invoke import call_maybe_async, log_handler_error
from grafana_plugin_sdk.backend import (
    HANDLER_METHODS,
    CallResourceResponse,
    CheckHealthResult,
    CollectMetricsResult,
    DataResponse,
    FrameFormat,
    PluginContext,
    PublishStreamRequest,
    PublishStreamResponse,
    QueryDataResponse,
    RunStreamRequest,
    SubscribeStreamRequest,
    SubscribeStreamResponse,
)
from grafana_plugin_sdk.backend.http_headers import identity_headers
from grafana_plugin_sdk.wire import convert
from grafana_plugin_sdk.wire.genproto import backend_pb2 as pb
from grafana_plugin_sdk.wire.genproto import backend_pb2_grpc as pb_grpc

from ._scope import request_scope
from ._senders import MessageChannel, ResourceSender, StreamPacketSender

_STREAM_METHODS = frozenset({"subscribe_stream", "publish_stream", "run_stream"})
log = logging.getLogger("grafana_plugin_sdk.server")
#: QueryData responses with more frame cells than this are encoded on a worker thread (keeping the event loop
#: free); smaller ones are encoded inline, which costs less than the hop to a thread.
INLINE_ENCODE_CELLS = 20_000
_R = TypeVar("_R")
_M = TypeVar("_M")


def handler_methods(handler: object) -> dict[str, Callable[..., Any]]:
    """The handler methods ``handler`` has, by name."""
    return {name: fn for name in HANDLER_METHODS if callable(fn := getattr(handler, name, None))}


def _describe(exc: BaseException) -> str:
    return f"{type(exc).__name__}: {exc}" if str(exc) else type(exc).__name__


def _cells(response: QueryDataResponse) -> int:
    """Frame cells in the response (fields x length of the first field: a cheap size estimate)."""
    return sum(
        len(frame.fields) * len(frame.fields[0])
        for data in response.responses.values()
        for frame in data.frames
        if frame.fields
    )


def _encode_query_data(response: QueryDataResponse, fmt: FrameFormat) -> pb.QueryDataResponse:
    """Encode every refId; a refId whose frames cannot be encoded gets an error instead."""
    out = pb.QueryDataResponse()
    for ref_id, data in response.responses.items():
        try:
            out.responses[ref_id].CopyFrom(convert.data_response_to_proto(ref_id, data, fmt))
        except Exception as exc:
            log.exception("cannot encode the frames of a query response", extra={"refId": ref_id})
            failed = DataResponse.error_response(f"cannot encode frames: {_describe(exc)}")
            out.responses[ref_id].CopyFrom(convert.data_response_to_proto(ref_id, failed, fmt))
    return out


class _Base:
    """What every service needs: the handler's methods and the plugin id for log lines."""

    def __init__(self, methods: dict[str, Callable[..., Any]], plugin_id: str) -> None:
        self._methods = methods
        self._plugin_id = plugin_id

    def _scope(self, endpoint: str, ctx: PluginContext, headers: Mapping[str, str] | None, context: object) -> Any:
        return request_scope(endpoint, ctx, self._plugin_id, headers, context)

    async def _unimplemented(
        self, context: grpc.aio.ServicerContext[Any, Any], name: str, detail: str = ""
    ) -> NoReturn:
        await context.abort(grpc.StatusCode.UNIMPLEMENTED, detail or f"the plugin does not implement {name}")
        raise AssertionError("unreachable")  # abort always raises

    async def _failed(self, context: grpc.aio.ServicerContext[Any, Any], name: str, exc: BaseException) -> NoReturn:
        if isinstance(exc, NotImplementedError):
            await self._unimplemented(context, name, str(exc))
        log_handler_error(log, f"{name} failed", exc)
        await context.abort(grpc.StatusCode.UNKNOWN, f"{name} failed: {_describe(exc)}")
        raise AssertionError("unreachable")

    async def _call(
        self, context: grpc.aio.ServicerContext[Any, Any], name: str, expected: type[_R], *args: object
    ) -> _R:
        """Call handler method ``name``; any failure or a result of the wrong type aborts the call."""
        fn = self._methods.get(name)
        if fn is None:
            await self._unimplemented(context, name)
        try:
            result = await call_maybe_async(fn, *args)
        except Exception as exc:
            await self._failed(context, name, exc)
        if isinstance(result, expected):
            return result
        message = f"{name} returned {type(result).__name__}, expected {expected.__name__}"
        await context.abort(grpc.StatusCode.UNKNOWN, message)
        raise AssertionError("unreachable")

    async def _stream(
        self,
        context: grpc.aio.ServicerContext[Any, Any],
        name: str,
        endpoint: str,
        ctx: PluginContext,
        call: Callable[[MessageChannel[_M]], Awaitable[object]],
        headers: Mapping[str, str] | None = None,
    ) -> AsyncIterator[_M]:
        """Run a streaming handler as a task and yield what it sends, as it sends it."""
        channel: MessageChannel[_M] = MessageChannel(asyncio.get_running_loop())

        async def run() -> None:
            try:
                with self._scope(endpoint, ctx, headers, context):
                    await call(channel)
            finally:
                channel.finish()

        task = asyncio.ensure_future(run())
        failure: Exception | None = None
        try:
            async for message in channel.messages():
                yield message
            await task
        except Exception as exc:
            failure = exc
        finally:
            channel.close()
            if not task.done():
                task.cancel()
        if failure is not None:
            await self._failed(context, name, failure)


class DataService(_Base):
    """``pluginv2.Data``: QueryData (per-refId errors; the process never dies from a handler error)."""

    async def QueryData(
        self, request: pb.QueryDataRequest, context: grpc.aio.ServicerContext[Any, Any]
    ) -> pb.QueryDataResponse:
        """Convert, call ``query_data``, encode the frames (off the event loop when large)."""
        req = convert.query_data_request_from_proto(request)
        with self._scope("queryData", req.plugin_context, req.headers, context) as outcome:
            try:
                response = await call_maybe_async(self._methods["query_data"], req)
                if not isinstance(response, QueryDataResponse):
                    raise TypeError(f"query_data returned {type(response).__name__}, expected QueryDataResponse")
            except NotImplementedError as exc:
                await self._unimplemented(context, "query_data", str(exc))
            except Exception as exc:
                log_handler_error(log, "query_data failed", exc)
                response = QueryDataResponse({q.ref_id: DataResponse.from_exception(exc) for q in req.queries})
            outcome.from_query_data(response)
            if _cells(response) > INLINE_ENCODE_CELLS:
                loop = asyncio.get_running_loop()
                return await loop.run_in_executor(None, _encode_query_data, response, req.format)
            return _encode_query_data(response, req.format)

    async def QueryChunkedData(
        self, request: pb.QueryChunkedDataRequest, context: grpc.aio.ServicerContext[Any, Any]
    ) -> None:
        """Not supported yet: answers ``UNIMPLEMENTED`` (hosts then use QueryData)."""
        await self._unimplemented(context, "query_chunked_data")


class DiagnosticsService(_Base):
    """``pluginv2.Diagnostics``: CheckHealth, and CollectMetrics (the process's Prometheus registry by default)."""

    async def CheckHealth(
        self, request: pb.CheckHealthRequest, context: grpc.aio.ServicerContext[Any, Any]
    ) -> pb.CheckHealthResponse:
        """Call ``check_health``."""
        req = convert.check_health_request_from_proto(request)
        with self._scope("checkHealth", req.plugin_context, req.headers, context):
            result = await self._call(context, "check_health", CheckHealthResult, req)
        return convert.check_health_result_to_proto(result)

    async def CollectMetrics(
        self, request: pb.CollectMetricsRequest, context: grpc.aio.ServicerContext[Any, Any]
    ) -> pb.CollectMetricsResponse:
        """Call ``collect_metrics`` if the handler has it, else expose the default registry."""
        req = convert.collect_metrics_request_from_proto(request)
        with self._scope("collectMetrics", req.plugin_context, None, context):
            if "collect_metrics" in self._methods:
                result = await self._call(context, "collect_metrics", CollectMetricsResult, req)
            else:
                result = CollectMetricsResult(_metrics.exposition())
        return convert.collect_metrics_result_to_proto(result)


class ResourceService(_Base):
    """``pluginv2.Resource``: CallResource, streamed message by message."""

    async def CallResource(
        self, request: pb.CallResourceRequest, context: grpc.aio.ServicerContext[Any, Any]
    ) -> AsyncIterator[pb.CallResourceResponse]:
        """Call ``call_resource`` and stream what it sends; nothing sent answers 500 (the host needs a message)."""
        req = convert.call_resource_request_from_proto(request)
        fn = self._methods["call_resource"]

        async def call(channel: MessageChannel[pb.CallResourceResponse]) -> object:
            return await call_maybe_async(fn, req, ResourceSender(channel))

        sent = 0
        headers = identity_headers(req.headers)
        async for message in self._stream(context, "call_resource", "callResource", req.plugin_context, call, headers):
            sent += 1
            yield message
        if sent == 0:
            log.warning("call_resource sent no response; answering 500", extra={"path": req.path})
            empty = {"message": "the plugin's resource handler sent no response"}
            yield convert.call_resource_response_to_proto(CallResourceResponse.json(empty, 500))


class StreamService(_Base):
    """``pluginv2.Stream``: SubscribeStream, PublishStream and RunStream."""

    async def SubscribeStream(
        self, request: pb.SubscribeStreamRequest, context: grpc.aio.ServicerContext[Any, Any]
    ) -> pb.SubscribeStreamResponse:
        """Call ``subscribe_stream``."""
        req = convert.stream_request_from_proto(SubscribeStreamRequest, request)
        with self._scope("subscribeStream", req.plugin_context, req.headers, context):
            result = await self._call(context, "subscribe_stream", SubscribeStreamResponse, req)
        return convert.subscribe_stream_response_to_proto(result)

    async def PublishStream(
        self, request: pb.PublishStreamRequest, context: grpc.aio.ServicerContext[Any, Any]
    ) -> pb.PublishStreamResponse:
        """Call ``publish_stream``."""
        req = convert.stream_request_from_proto(PublishStreamRequest, request)
        with self._scope("publishStream", req.plugin_context, req.headers, context):
            result = await self._call(context, "publish_stream", PublishStreamResponse, req)
        return convert.publish_stream_response_to_proto(result)

    async def RunStream(
        self, request: pb.RunStreamRequest, context: grpc.aio.ServicerContext[Any, Any]
    ) -> AsyncIterator[pb.StreamPacket]:
        """Call ``run_stream`` and stream its packets until it returns or the host cancels."""
        req = convert.stream_request_from_proto(RunStreamRequest, request)
        fn = self._methods.get("run_stream")
        if fn is None:
            await self._unimplemented(context, "run_stream")

        async def call(channel: MessageChannel[pb.StreamPacket]) -> object:
            return await call_maybe_async(fn, req, StreamPacketSender(channel))

        async for packet in self._stream(context, "run_stream", "runStream", req.plugin_context, call, req.headers):
            yield packet


AddServicer = Callable[[object, grpc.aio.Server], None]
"""The generated ``add_<Service>Servicer_to_server`` functions (untyped in the stubs)."""


def add_services(server: grpc.aio.Server, handler: object, plugin_id: str) -> list[str]:
    """Register the pluginv2 services ``handler`` implements (Diagnostics always); returns their names."""
    methods = handler_methods(handler)
    services: list[tuple[str, bool, type[_Base], object]] = [
        ("Diagnostics", True, DiagnosticsService, pb_grpc.add_DiagnosticsServicer_to_server),
        ("Data", "query_data" in methods, DataService, pb_grpc.add_DataServicer_to_server),
        ("Resource", "call_resource" in methods, ResourceService, pb_grpc.add_ResourceServicer_to_server),
        ("Stream", bool(methods.keys() & _STREAM_METHODS), StreamService, pb_grpc.add_StreamServicer_to_server),
    ]
    added = []
    for name, wanted, service, add in services:
        if wanted:
            cast(AddServicer, add)(service(methods, plugin_id), server)
            added.append(f"pluginv2.{name}")
    return added
