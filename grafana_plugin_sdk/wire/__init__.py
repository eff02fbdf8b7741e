"""The wire layer: Grafana's plugin protocol below the SDK's dataclasses, for plugins, hosts and test harnesses.

As grafana-plugin-sdk-go has ``genproto/pluginv2``, ``backend/grpcplugin`` and public ToProto/FromProto:

- ``grafana_plugin_sdk.wire.genproto``: the generated pluginv2 and go-plugin messages and stubs;
- :mod:`~grafana_plugin_sdk.wire.convert`: protobuf messages to and from the SDK's dataclasses;
- :mod:`~grafana_plugin_sdk.wire.handshake`: both sides of go-plugin's handshake (cookie, versions, the line);
- :mod:`~grafana_plugin_sdk.wire.process`: launching a plugin executable and opening its channel;
- :mod:`~grafana_plugin_sdk.wire.plugin_log`: a plugin's stdout/stderr (hclog JSON) as log records;
- :mod:`~grafana_plugin_sdk.wire.stubs`: the client stubs of every service on one channel;
- :mod:`~grafana_plugin_sdk.wire.errors`: start and call errors (gRPC status mapped to a code name).

The names below load their module on first use, so a plugin importing ``wire.handshake`` does not pay for the
host side (``process`` and ``stubs`` import gRPC health and every client stub).
"""

from __future__ import annotations

import importlib
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from .errors import HandshakeError, PluginCallError, PluginError, PluginStartError
    from .handshake import Handshake, parse_handshake
    from .process import LaunchSpec, PluginProcess
    from .stubs import PluginStubs

_HOMES = {
    "HandshakeError": "errors",
    "PluginCallError": "errors",
    "PluginError": "errors",
    "PluginStartError": "errors",
    "Handshake": "handshake",
    "parse_handshake": "handshake",
    "LaunchSpec": "process",
    "PluginProcess": "process",
    "PluginStubs": "stubs",
}

__all__ = [
    "Handshake",
    "HandshakeError",
    "LaunchSpec",
    "PluginCallError",
    "PluginError",
    "PluginProcess",
    "PluginStartError",
    "PluginStubs",
    "parse_handshake",
]


def __getattr__(name: str) -> Any:
    home = _HOMES.get(name)
    if home is None:
        raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
    value = getattr(importlib.import_module(f".{home}", __name__), name)
    globals()[name] = value
    return value
