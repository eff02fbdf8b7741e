"""Serve resource calls with an ASGI app (Starlette, FastAPI...)."""

from __future__ import annotations

import asyncio
from collections.abc import Awaitable, Callable, MutableMapping
from typing import Any

from grafana_plugin_sdk.backend import CallResourceRequest, CallResourceResponseSender

from ._context import ASGI_STATE_KEY
from ._message import request_headers, request_target, text_from_bytes
from ._response import ResponseEmitter

Scope = MutableMapping[str, Any]
Message = MutableMapping[str, Any]
Receive = Callable[[], Awaitable[Message]]
Send = Callable[[Message], Awaitable[None]]
ASGIApp = Callable[[Scope, Receive, Send], Awaitable[None]]


class ASGIAdapter:
    """A :class:`~grafana_plugin_sdk.backend.CallResourceHandler` that calls an ASGI app on the server's loop.

    The call ends when the app completes its response (``more_body`` false); work the app does
    afterwards (Starlette background tasks) goes on without holding the call open.
    Lifespan events are not sent.
    """

    def __init__(self, app: ASGIApp) -> None:
        self.app = app
        self._background: set[asyncio.Task[None]] = set()

    async def call_resource(self, request: CallResourceRequest, sender: CallResourceResponseSender) -> None:
        """Run the app on the request; send its response as one message per body chunk."""
        exchange = _Exchange(request, ResponseEmitter(sender))
        app_task = asyncio.create_task(exchange.run(self.app))
        try:
            await exchange.completed.wait()  # set when the response is complete or the app has ended
        except asyncio.CancelledError:
            app_task.cancel()
            raise
        if app_task.done():
            app_task.result()
            return
        self._background.add(app_task)
        app_task.add_done_callback(self._background.discard)


class _Exchange:
    """One request/response between the adapter and the app: ``receive``, ``send`` and their state."""

    def __init__(self, request: CallResourceRequest, emitter: ResponseEmitter) -> None:
        self.request = request
        self.emitter = emitter
        self.completed = asyncio.Event()
        self._body_taken = False

    async def run(self, app: ASGIApp) -> None:
        try:
            await app(build_scope(self.request), self.receive, self.send)
            if not self.emitter.complete:
                raise RuntimeError("ASGI app returned without completing its response")
        except Exception as exc:
            self.emitter.fail(exc)
        finally:
            self.completed.set()

    async def receive(self) -> Message:
        if not self._body_taken:
            self._body_taken = True
            return {"type": "http.request", "body": self.request.body, "more_body": False}
        await self.completed.wait()
        return {"type": "http.disconnect"}

    async def send(self, message: Message) -> None:
        kind = message["type"]
        if kind == "http.response.start":
            if self.emitter.started:
                raise RuntimeError("http.response.start sent twice")
            headers = [(text_from_bytes(name), text_from_bytes(value)) for name, value in message.get("headers", ())]
            self.emitter.start(int(message["status"]), headers)
        elif kind == "http.response.body":
            await self.emitter.write_async(message.get("body", b""))
            if not message.get("more_body", False):
                self.emitter.finish()
                self.completed.set()
        else:
            raise RuntimeError(f"unexpected ASGI message type {kind!r}")


def build_scope(request: CallResourceRequest) -> Scope:
    """The ASGI HTTP scope for a resource call, with the plugin context in ``scope["state"]["plugin_context"]``.

    Repeated headers stay separate, except ``Cookie`` values, joined with ``; `` (RFC 9113 8.2.3)
    because frameworks read only one cookie header.
    """
    target = request_target(request)
    headers: list[tuple[bytes, bytes]] = []
    cookies: list[str] = []
    for name, value in request_headers(request):
        if name.lower() == "cookie":
            cookies.append(value)
        else:
            headers.append((name.lower().encode(), value.encode()))
    if cookies:
        headers.append((b"cookie", "; ".join(cookies).encode()))
    if request.body:
        headers.append((b"content-length", str(len(request.body)).encode()))
    return {
        "type": "http",
        "asgi": {"version": "3.0", "spec_version": "2.4"},
        "http_version": "1.1",
        "method": target.method,
        "scheme": "http",
        "path": text_from_bytes(target.path),
        "raw_path": target.raw_path,
        "query_string": target.query,
        "root_path": "",
        "headers": headers,
        "client": None,
        "server": ("localhost", 80),
        "state": {ASGI_STATE_KEY: request.plugin_context},
        "extensions": {},
    }
