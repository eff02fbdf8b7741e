"""The host's error types: configuration, plugin calls, and HTTP API errors."""

from __future__ import annotations

from typing import Any


class HostError(Exception):
    """Base of every error the host raises on purpose."""


class ConfigError(HostError, ValueError):
    """A configuration value is missing or invalid; the message names it."""


class PluginError(HostError):
    """A call to a plugin failed."""


class PluginNotFoundError(PluginError, LookupError):
    """No plugin is registered under that id (or it is not a backend plugin)."""


class PluginUnavailableError(PluginError):
    """The plugin process is not running (starting, crashed, restarting); retry later."""


class MethodNotImplementedError(PluginError, NotImplementedError):
    """The plugin answered gRPC UNIMPLEMENTED for the method."""


class PluginRequestError(PluginError):
    """The plugin answered a call with a gRPC error; ``code`` is the gRPC status name (e.g. ``UNKNOWN``)."""

    def __init__(self, code: str, message: str) -> None:
        super().__init__(message)
        self.code = code
        self.message = message


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
