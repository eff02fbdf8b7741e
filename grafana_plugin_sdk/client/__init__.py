"""A Python client for the host's HTTP API (Grafana's data source API), shaped after Grafana's BackendSrv.

``GrafanaClient`` blocks, ``AsyncGrafanaClient`` is awaitable (the blocking one is generated from the awaitable
one); httpx is imported on first use so that ``FetchError`` stays importable without it.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from ._errors import FetchError

if TYPE_CHECKING:
    from ._async.client import AsyncGrafanaClient
    from ._core import FetchResponse
    from ._sync.client import GrafanaClient

__all__ = ["AsyncGrafanaClient", "FetchError", "FetchResponse", "GrafanaClient"]

_LAZY = {"AsyncGrafanaClient": "._async.client", "FetchResponse": "._core", "GrafanaClient": "._sync.client"}


def __getattr__(name: str) -> Any:
    if name in _LAZY:
        import importlib

        return getattr(importlib.import_module(_LAZY[name], __name__), name)
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
