"""The host's error types: configuration, plugin calls, and HTTP API errors.

A plugin call fails with the wire layer's :class:`PluginError` (:class:`PluginCallError` for a gRPC status), or
one of the host's own kinds below.
"""

from __future__ import annotations

from typing import Any

from grafana_plugin_sdk.wire import PluginCallError, PluginError


class HostError(Exception):
    """Base of every error the host raises on purpose."""


class ConfigError(HostError, ValueError):
    """A configuration value is missing or invalid; the message names it."""


class PluginNotFoundError(HostError, PluginError, LookupError):
    """No plugin is registered under that id (or it is not a backend plugin)."""


class PluginUnavailableError(HostError, PluginError):
    """The plugin process is not running (starting, crashed, restarting); retry later."""


class MethodNotImplementedError(HostError, PluginError, NotImplementedError):
    """The plugin answered gRPC UNIMPLEMENTED for the method."""


class ApiError(HostError):
    """An HTTP API error, rendered as Grafana does: JSON ``{"message": ...}`` plus ``extra`` keys."""

    def __init__(self, status: int, message: str, *, admin_detail: str = "", **extra: Any) -> None:
        super().__init__(message)
        self.status = status
        self.message = message
        self.extra = extra
        #: Why, for callers with admin rights only (it may name paths or hosts): the body's ``error``.
        self.admin_detail = admin_detail

    def body(self) -> dict[str, Any]:
        """The JSON body of the error response."""
        return {"message": self.message, **self.extra}


__all__ = [
    "ApiError",
    "ConfigError",
    "HostError",
    "MethodNotImplementedError",
    "PluginCallError",
    "PluginError",
    "PluginNotFoundError",
    "PluginUnavailableError",
]
