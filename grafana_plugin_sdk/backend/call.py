"""The call being served: its endpoint, plugin context and forwarded HTTP headers, visible to code it runs.

The server sets it around every handler call (a context variable, so it follows the call into worker threads and
tasks); the HTTP client reads it to forward the caller's identity and to label its metrics.
"""

from __future__ import annotations

import contextlib
import contextvars
from collections.abc import Iterator, Mapping
from dataclasses import dataclass, field

from ._requests import PluginContext
from .http_headers import http_headers


@dataclass(frozen=True)
class Call:
    """What the SDK knows about the call being served."""

    endpoint: str
    plugin_context: PluginContext
    headers: Mapping[str, str] = field(default_factory=dict)

    @property
    def http_headers(self) -> dict[str, str]:
        """The forwarded HTTP headers of the call (see :func:`http_headers`)."""
        return http_headers(self.headers)


_CURRENT: contextvars.ContextVar[Call | None] = contextvars.ContextVar("grafana_plugin_call", default=None)


def current_call() -> Call | None:
    """The call being served, or None outside of one."""
    return _CURRENT.get()


@contextlib.contextmanager
def serving(call: Call) -> Iterator[None]:
    """Make ``call`` the current call for the block."""
    token = _CURRENT.set(call)
    try:
        yield
    finally:
        _CURRENT.reset(token)
