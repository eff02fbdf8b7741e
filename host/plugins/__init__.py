"""Backend plugins: discovery (plugin.json), processes (launch, handshake, supervision, stop) and the client."""

from ._client import PluginClient
from ._context import grafana_config, plugin_context, user_agent
from ._discovery import PluginLoadError, PluginMeta
from ._handshake import Handshake, HandshakeError, parse_handshake
from ._manager import PluginManager
from ._process import PluginStartError, ProcessOptions
from ._supervisor import Supervisor

__all__ = [
    "Handshake",
    "HandshakeError",
    "PluginClient",
    "PluginLoadError",
    "PluginManager",
    "PluginMeta",
    "PluginStartError",
    "ProcessOptions",
    "Supervisor",
    "grafana_config",
    "parse_handshake",
    "plugin_context",
    "user_agent",
]
