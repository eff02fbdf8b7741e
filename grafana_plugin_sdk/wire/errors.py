"""Errors of the wire layer: a plugin that cannot be started, and a call a plugin answered with a gRPC error."""

from __future__ import annotations

import grpc


class PluginError(Exception):
    """Base of every error raised while starting or calling a plugin."""


class PluginStartError(PluginError):
    """A plugin process could not be started (no executable, crashed, bad handshake, timeout, not healthy)."""


class HandshakeError(PluginStartError):
    """The plugin's handshake line is malformed or asks for something this side does not support."""


class PluginCallError(PluginError):
    """The plugin answered a call with a gRPC error; ``code`` is the status name (``UNIMPLEMENTED``, ``UNKNOWN``...)."""

    def __init__(self, code: str, message: str) -> None:
        super().__init__(f"{code}: {message}" if message else code)
        self.code = code
        self.message = message

    @classmethod
    def from_rpc_error(cls, exc: grpc.aio.AioRpcError) -> PluginCallError:
        """The error for a failed gRPC call, with the status name and details it carried."""
        return cls(exc.code().name, exc.details() or "")
