"""Serve resource calls with a WSGI app (Flask, Werkzeug, Bottle...)."""

from __future__ import annotations

import io
import sys
from collections.abc import Callable
from types import TracebackType
from typing import TYPE_CHECKING, Any

from grafana_plugin_sdk.backend import CallResourceRequest, CallResourceResponseSender

from ._context import WSGI_ENVIRON_KEY
from ._message import request_headers, request_target, text_from_bytes
from ._response import ResponseEmitter

if TYPE_CHECKING:
    from _typeshed.wsgi import WSGIApplication

_ExcInfo = tuple[type[BaseException], BaseException, TracebackType] | tuple[None, None, None]

# Values of repeated request headers are joined like HTTP/1.1 servers do (RFC 9110), cookies with "; ".
_COOKIE_KEY = "HTTP_COOKIE"


class WSGIAdapter:
    """A :class:`~grafana_plugin_sdk.backend.CallResourceHandler` that calls a WSGI app.

    ``call_resource`` is synchronous: the plugin server runs it in its thread pool, so a
    slow route does not hold up other calls.
    """

    def __init__(self, app: WSGIApplication) -> None:
        self.app = app

    def call_resource(self, request: CallResourceRequest, sender: CallResourceResponseSender) -> None:
        """Run the app on the request; send its response as one message per body chunk."""
        emitter = ResponseEmitter(sender)
        try:
            self._run(request, emitter)
        except Exception as exc:
            emitter.fail(exc)

    def _run(self, request: CallResourceRequest, emitter: ResponseEmitter) -> None:
        def start_response(
            status: str, headers: list[tuple[str, str]], exc_info: _ExcInfo | None = None
        ) -> Callable[[bytes], object]:
            if exc_info is not None and exc_info[1] is not None:
                if emitter.sent_first:
                    raise exc_info[1].with_traceback(exc_info[2])
            elif emitter.started:
                raise RuntimeError("start_response called twice without exc_info")
            emitter.start(_parse_status(status), [(name, _text(value)) for name, value in headers])
            return emitter.write

        result = self.app(build_environ(request), start_response)
        try:
            for chunk in result:
                emitter.write(chunk)
            emitter.finish()
        finally:
            close = getattr(result, "close", None)
            if close is not None:
                close()


def build_environ(request: CallResourceRequest) -> dict[str, Any]:
    """The PEP 3333 environ for a resource call, with the plugin context under ``grafana.plugin_context``.

    Header names containing ``_`` are dropped: they would collide with their ``-`` spelling.
    """
    target = request_target(request)
    uri = target.raw_path + (b"?" + target.query if target.query else b"")
    environ: dict[str, Any] = {
        "REQUEST_METHOD": target.method,
        "SCRIPT_NAME": "",
        "PATH_INFO": target.path.decode("latin-1"),
        "QUERY_STRING": target.query.decode("latin-1"),
        "REQUEST_URI": uri.decode("latin-1"),
        "RAW_URI": uri.decode("latin-1"),
        "SERVER_NAME": "localhost",
        "SERVER_PORT": "80",
        "SERVER_PROTOCOL": "HTTP/1.1",
        "CONTENT_LENGTH": str(len(request.body)),
        "wsgi.version": (1, 0),
        "wsgi.url_scheme": "http",
        "wsgi.input": io.BytesIO(request.body),
        "wsgi.input_terminated": True,
        "wsgi.errors": sys.stderr,
        "wsgi.multithread": True,
        "wsgi.multiprocess": False,
        "wsgi.run_once": False,
        WSGI_ENVIRON_KEY: request.plugin_context,
    }
    joined: dict[str, list[str]] = {}
    for name, value in request_headers(request):
        if "_" in name:
            continue
        key = name.upper().replace("-", "_")
        key = key if key == "CONTENT_TYPE" else "HTTP_" + key
        joined.setdefault(key, []).append(value.encode().decode("latin-1"))
    for key, values in joined.items():
        environ[key] = ("; " if key == _COOKIE_KEY else ", ").join(values)
    return environ


def _parse_status(status: str) -> int:
    code = status.split(" ", 1)[0]
    if len(code) != 3 or not code.isdigit():
        raise ValueError(f"invalid WSGI status line {status!r}")
    return int(code)


def _text(native: str) -> str:
    """A WSGI native string (bytes as Latin-1) as text; non-Latin-1 strings are passed through."""
    try:
        return text_from_bytes(native.encode("latin-1"))
    except UnicodeEncodeError:
        return native
