"""Sphinx configuration of the API reference: autodoc over the SDK's public modules, every reference checked."""

from __future__ import annotations

import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[2]))

project = "grafana-plugin-sdk"
extensions = ["sphinx.ext.autodoc"]
root_doc = "index"
exclude_patterns = ["_build"]
html_theme = "alabaster"

autodoc_default_options = {"members": True, "show-inheritance": True, "member-order": "bysource"}
autodoc_typehints = "signature"
autodoc_type_aliases = {  # names imported only for type checking
    "GrafanaClient": "grafana_plugin_sdk.client.GrafanaClient",
    "AsyncGrafanaClient": "grafana_plugin_sdk.client.AsyncGrafanaClient",
    "PluginHandler": "grafana_plugin_sdk.backend.PluginHandler",
}
autoclass_content = "class"

# Every cross-reference in a docstring must resolve (the build runs with -n -W). Types from other libraries and
# the standard library appear in signatures only and are not documented here, so they are not checked.
nitpicky = True
nitpick_ignore_regex = [
    (r"py:(class|obj|data|exc)", r"(pa|pyarrow|np|numpy|grpc|httpx|orjson|pandas|prometheus_client)(\..*)?"),
    (r"py:(class|obj|data|exc)", r"(datetime|collections\.abc|typing|enum|pathlib|types|asyncio|logging|os)\..*"),
    (r"py:(class|obj|data|exc)", r"(subprocess|contextvars|concurrent\.futures|_typeshed)\..*|WSGIApplication"),
    # Generic aliases autodoc leaves unparsed, and private type variables.
    (r"py:(class|obj|data|exc)", r"(dict|list|tuple|set|frozenset|type)\[.*|.*\._[A-Z]\w*"),
    (r"py:(class|obj|data|exc)", r"(Any|Callable|Awaitable|Iterator|AsyncIterator|Mapping|Sequence|Iterable)"),
    (r"py:(class|obj|data|exc)", r"(NoneType|bytes|str|int|float|bool|dict|list|tuple|object|type|BaseException)"),
    # Generated protobuf messages (the wire layer's converters take and give them), OpenTelemetry and ssl types.
    (r"py:(class|obj|data|exc)", r"(backend_pb2|pb|ssl|opentelemetry)\..*|Span|TracerProvider|TextMapPropagator"),
    (r"py:(class|obj|data|exc)", r".*\.T"),
]
# ``type`` in signatures names the builtin, not one of the documented attributes called type.
suppress_warnings = ["ref.python"]
