"""Backend plugins: discovery (plugin.json), processes (launch, handshake, supervision, stop) and the client."""

from grafana_plugin_sdk.plugin_json import PluginMeta

from ._client import PluginClient
from ._context import build_plugin_context, grafana_config
from ._discovery import PluginLoadError
from ._launch import ProcessOptions, launch_spec, plugin_environment
from ._manager import PluginManager
from ._supervisor import Supervisor

__all__ = [
    "PluginClient",
    "PluginLoadError",
    "PluginManager",
    "PluginMeta",
    "ProcessOptions",
    "Supervisor",
    "build_plugin_context",
    "grafana_config",
    "launch_spec",
    "plugin_environment",
]
