"""Backend plugins: discovery (plugin.json), processes (launch, handshake, supervision, stop) and the client."""

from ._discovery import PluginLoadError, PluginMeta
from ._handshake import Handshake, HandshakeError, parse_handshake

__all__ = ["Handshake", "HandshakeError", "PluginLoadError", "PluginMeta", "parse_handshake"]
