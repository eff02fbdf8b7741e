"""Python SDK for Grafana backend plugins, wire-compatible with grafana-plugin-sdk-go.

``serve(handler)`` runs a plugin process; ``manage(plugin_id, factory)`` serves one instance per data source.
Submodules: ``backend`` (handlers, requests, responses, ``QueryTypeMux``), ``data`` (frames), ``datasource``
(instance management), ``httpadapter`` (resources from WSGI/ASGI apps) and ``log`` (hclog JSON logging).
``data`` and ``httpadapter`` are imported on first use: pyarrow is not loaded until a plugin needs frames.
"""

from __future__ import annotations

import importlib
from typing import TYPE_CHECKING

from . import backend, datasource, log
from .datasource import manage
from .serve import serve

if TYPE_CHECKING:
    from . import data, httpadapter

__version__ = "0.1.0"

__all__ = ["__version__", "backend", "data", "datasource", "httpadapter", "log", "manage", "serve"]

_LAZY_SUBMODULES = frozenset({"data", "httpadapter"})


def __getattr__(name: str) -> object:
    """Import the heavier submodules on first access."""
    if name in _LAZY_SUBMODULES:
        return importlib.import_module(f"{__name__}.{name}")
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
