"""Serve resource calls with a WSGI or ASGI app (Go SDK's ``resource/httpadapter``).

``wsgi(app)`` and ``asgi(app)`` turn a Flask/Werkzeug/Bottle or Starlette/FastAPI app into a
``CallResourceHandler``. The app sees ``/`` + the resource path, the query string, method,
headers and body; each body chunk it produces goes to the host as its own message, the first
one with status and headers. Inside the app, ``plugin_context(...)`` returns the call's
``PluginContext``.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from ._httpadapter._asgi import ASGIAdapter, ASGIApp
from ._httpadapter._context import ASGI_STATE_KEY, WSGI_ENVIRON_KEY, plugin_context
from ._httpadapter._wsgi import WSGIAdapter

if TYPE_CHECKING:
    from _typeshed.wsgi import WSGIApplication

__all__ = [
    "ASGI_STATE_KEY",
    "WSGI_ENVIRON_KEY",
    "ASGIAdapter",
    "WSGIAdapter",
    "asgi",
    "plugin_context",
    "wsgi",
]


def wsgi(app: WSGIApplication) -> WSGIAdapter:
    """A resource handler that runs a WSGI app (synchronous; the server runs it in a thread)."""
    return WSGIAdapter(app)


def asgi(app: ASGIApp) -> ASGIAdapter:
    """A resource handler that runs an ASGI app (asynchronous; on the server's event loop)."""
    return ASGIAdapter(app)
