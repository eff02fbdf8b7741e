"""Turns an app's status, headers and body chunks into CallResourceResponse messages, as Go's adapter does."""

from __future__ import annotations

import logging
from collections.abc import Iterable

import orjson

from grafana_plugin_sdk.backend import CallResourceResponse, CallResourceResponseSender

from ._message import canonical_header_name

log = logging.getLogger("grafana_plugin_sdk.httpadapter")

_ERROR_BODY = orjson.dumps({"message": "Internal Server Error"})


class ResponseEmitter:
    """Sends one message per non-empty body chunk; the first carries status and headers.

    Like Go's response writer on ``Flush()``: later messages carry only body (status 0, no
    headers), and a response without body still sends exactly one message.
    """

    def __init__(self, sender: CallResourceResponseSender) -> None:
        self._sender = sender
        self._status: int | None = None
        self._headers: dict[str, list[str]] = {}
        self.sent_first = False
        self.complete = False

    @property
    def started(self) -> bool:
        """Whether the app has set its status and headers."""
        return self._status is not None

    def start(self, status: int, headers: Iterable[tuple[str, str]]) -> None:
        """Record status and headers (sent with the first body chunk or at the end)."""
        if self.sent_first:
            raise RuntimeError("response headers were already sent")
        if not 100 <= status <= 599:
            raise ValueError(f"invalid HTTP status {status}")
        collected: dict[str, list[str]] = {}
        for name, value in headers:
            collected.setdefault(canonical_header_name(name), []).append(value)
        self._status, self._headers = status, collected

    def write(self, chunk: bytes) -> None:
        """Send a body chunk as its own message (empty chunks send nothing)."""
        if self._writable(chunk):
            self._sender.send(self._next_message(bytes(chunk)))

    async def write_async(self, chunk: bytes) -> None:
        """Like :meth:`write`, waiting while the host is behind (for async apps)."""
        if self._writable(chunk):
            await self._sender.send_async(self._next_message(bytes(chunk)))

    def _writable(self, chunk: bytes) -> bool:
        if self.complete:
            raise RuntimeError("response already complete")
        return bool(chunk)

    def finish(self) -> None:
        """End the response; sends status and headers if no body chunk did."""
        if not self.sent_first:
            self._sender.send(self._next_message(b""))
        self.complete = True

    def fail(self, exc: BaseException) -> None:
        """Handle an exception from the app: log it; answer 500 JSON if nothing was sent yet.

        Re-raises when part of a body was already sent, so the call ends with an error
        instead of a silently truncated response.
        """
        log.error("resource handler failed", exc_info=exc)
        if self.complete:
            return
        if self.sent_first:
            raise exc
        self._sender.send(CallResourceResponse(500, {"Content-Type": ["application/json"]}, _ERROR_BODY))
        self.sent_first = self.complete = True

    def _next_message(self, body: bytes) -> CallResourceResponse:
        """The message carrying ``body``: the first with status and headers, later ones body only."""
        if self._status is None:
            raise RuntimeError("response body before status and headers")
        if self.sent_first:
            return CallResourceResponse(0, {}, body)
        self.sent_first = True
        return CallResourceResponse(self._status, self._headers, body)
