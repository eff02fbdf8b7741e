"""The client stubs of every service a plugin serves, on one channel."""

from __future__ import annotations

import grpc
from grpc_health.v1 import health_pb2_grpc

from .genproto import backend_pb2_grpc
from .genproto.plugin import grpc_controller_pb2_grpc


class PluginStubs:
    """pluginv2's Data, Diagnostics, Resource and Stream, go-plugin's controller and the gRPC health service."""

    def __init__(self, channel: grpc.aio.Channel) -> None:
        self.data = backend_pb2_grpc.DataStub(channel)
        self.diagnostics = backend_pb2_grpc.DiagnosticsStub(channel)
        self.resource = backend_pb2_grpc.ResourceStub(channel)
        self.stream = backend_pb2_grpc.StreamStub(channel)
        self.controller = grpc_controller_pb2_grpc.GRPCControllerStub(channel)
        self.health = health_pb2_grpc.HealthStub(channel)
