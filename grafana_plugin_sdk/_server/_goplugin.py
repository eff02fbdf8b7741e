"""go-plugin's own services on the plugin's server: health, controller (Shutdown), stdio and broker."""

from __future__ import annotations

import asyncio
import contextlib
from collections.abc import AsyncIterator, Callable
from typing import Any, cast

import grpc
from grpc_health.v1 import health, health_pb2, health_pb2_grpc

from grafana_plugin_sdk.wire.genproto.plugin import (
    grpc_broker_pb2,
    grpc_broker_pb2_grpc,
    grpc_controller_pb2,
    grpc_controller_pb2_grpc,
    grpc_stdio_pb2_grpc,
)

from ._services import AddServicer

HEALTH_SERVICE = "plugin"


class ControllerService:
    """``plugin.GRPCController``: Shutdown asks the server to stop gracefully, then the process exits."""

    def __init__(self, stop: Callable[[], None]) -> None:
        self._stop = stop

    async def Shutdown(
        self, request: grpc_controller_pb2.Empty, context: grpc.aio.ServicerContext[Any, Any]
    ) -> grpc_controller_pb2.Empty:
        """Answer first, then stop (the graceful stop waits for this very call)."""
        asyncio.get_running_loop().call_soon(self._stop)
        return grpc_controller_pb2.Empty()


class StdioService:
    """``plugin.GRPCStdio``: the stream stays open and quiet until shutdown (stdout/stderr go to fd 2)."""

    def __init__(self, stopping: asyncio.Event) -> None:
        self._stopping = stopping

    async def StreamStdio(self, request: Any, context: grpc.aio.ServicerContext[Any, Any]) -> None:
        """Hold the stream open until the server stops."""
        await self._stopping.wait()


class BrokerService:
    """``plugin.GRPCBroker``: accepted and drained; Grafana never brokers extra connections."""

    def __init__(self, stopping: asyncio.Event) -> None:
        self._stopping = stopping

    async def StartStream(
        self, request_iterator: AsyncIterator[grpc_broker_pb2.ConnInfo], context: grpc.aio.ServicerContext[Any, Any]
    ) -> None:
        """Read until the host closes the stream or the server stops."""

        async def drain() -> None:
            async for _ in request_iterator:
                pass

        reader = asyncio.ensure_future(drain())
        stopped = asyncio.ensure_future(self._stopping.wait())
        await asyncio.wait({reader, stopped}, return_when=asyncio.FIRST_COMPLETED)
        for task in (reader, stopped):
            task.cancel()
            with contextlib.suppress(asyncio.CancelledError, grpc.RpcError):
                await task


async def add_goplugin_services(
    server: grpc.aio.Server, stopping: asyncio.Event, *, shutdown: bool = True
) -> health.aio.HealthServicer:
    """Register health (``plugin`` SERVING), controller, stdio and broker; returns the health servicer.

    ``shutdown=False`` answers the controller's Shutdown without stopping (a standalone server outlives hosts).
    """
    health_servicer = health.aio.HealthServicer()
    await health_servicer.set(HEALTH_SERVICE, health_pb2.HealthCheckResponse.SERVING)
    health_pb2_grpc.add_HealthServicer_to_server(health_servicer, server)
    for add, servicer in (
        (
            grpc_controller_pb2_grpc.add_GRPCControllerServicer_to_server,
            ControllerService(stopping.set if shutdown else lambda: None),
        ),
        (grpc_stdio_pb2_grpc.add_GRPCStdioServicer_to_server, StdioService(stopping)),
        (grpc_broker_pb2_grpc.add_GRPCBrokerServicer_to_server, BrokerService(stopping)),
    ):
        cast(AddServicer, add)(servicer, server)
    return health_servicer
