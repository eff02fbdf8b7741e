"""Resources owned by the instance being built, closed when that instance is disposed of.

``datasource.manage`` collects, while its factory runs, everything registered with :func:`own` (the HTTP clients
of :mod:`grafana_plugin_sdk.httpclient`), and closes them after the instance's own ``dispose()``.
"""

from __future__ import annotations

import contextlib
import contextvars
from collections.abc import Callable, Iterator

Closer = Callable[[], object]
"""Closes one resource; plain or ``async``."""

_OWNER: contextvars.ContextVar[list[Closer] | None] = contextvars.ContextVar("grafana_plugin_owner", default=None)


def own(close: Closer) -> None:
    """Register ``close`` with the instance being built (no-op outside of an instance factory)."""
    owner = _OWNER.get()
    if owner is not None:
        owner.append(close)


@contextlib.contextmanager
def collecting() -> Iterator[list[Closer]]:
    """Collect the closers registered inside the block (worker threads included: contexts are copied)."""
    owned: list[Closer] = []
    token = _OWNER.set(owned)
    try:
        yield owned
    finally:
        _OWNER.reset(token)
