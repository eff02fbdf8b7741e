"""Where the adapters put the plugin context, and how apps read it back."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from grafana_plugin_sdk.backend import PluginContext

#: WSGI: ``environ[WSGI_ENVIRON_KEY]`` holds the call's :class:`PluginContext`.
WSGI_ENVIRON_KEY = "grafana.plugin_context"
#: ASGI: ``scope["state"][ASGI_STATE_KEY]``, so Starlette/FastAPI apps read ``request.state.plugin_context``.
ASGI_STATE_KEY = "plugin_context"


def plugin_context(environ_or_scope: Mapping[str, Any]) -> PluginContext:
    """The plugin context of the current resource call (Go's ``PluginConfigFromContext``).

    Accepts a WSGI ``environ`` (Flask: ``request.environ``), an ASGI ``scope``, or a Starlette
    ``Request`` (a mapping over its scope). Outside a resource call it returns an empty
    ``PluginContext()``, as Go does.
    """
    found = environ_or_scope.get(WSGI_ENVIRON_KEY)
    if found is None:
        state = environ_or_scope.get("state")
        found = state.get(ASGI_STATE_KEY) if isinstance(state, Mapping) else None
    return found if isinstance(found, PluginContext) else PluginContext()
