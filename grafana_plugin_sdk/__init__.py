"""Python SDK for Grafana backend plugins, wire-compatible with grafana-plugin-sdk-go.

``serve(handler)`` runs a plugin process; ``manage(plugin_id, factory)`` serves one instance per data source.
Submodules: ``backend`` (handlers, requests, responses, ``QueryTypeMux``), ``log`` (hclog JSON logging) and
``datasource`` (instance management).
"""

from __future__ import annotations

from . import backend, datasource, log
from .datasource import manage
from .serve import serve

__version__ = "0.1.0"

__all__ = ["__version__", "backend", "datasource", "log", "manage", "serve"]
