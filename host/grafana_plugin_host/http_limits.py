"""Limits and checks on the request head, enforced in the HTTP server before any request reaches the application.

An ASGI middleware only sees a request after the server has read and parsed all of its head, so a limit there
cannot stop a client that sends megabytes of header. The limits therefore live in the connection protocol:
:func:`limited_protocol` wraps uvicorn's httptools protocol, counts the request line, the headers and the bytes
of an unfinished head as they arrive, and answers ``431 Request Header Fields Too Large`` (and closes the
connection) as soon as one is exceeded. Memory held for one head is at most the limit plus one socket read. A URL
carrying a NUL character (``%00``), which no path or query parameter may hold, is refused here with 400, and a
head that is still incomplete ``read_header_timeout`` seconds after its first byte (a slow-loris client) with 408.
"""

from __future__ import annotations

import asyncio
from dataclasses import dataclass

from uvicorn.protocols.http.httptools_impl import HttpToolsProtocol


def _response(status: bytes, message: bytes) -> bytes:
    body = b'{"message":"' + message + b'"}'
    return (
        b"HTTP/1.1 " + status + b"\r\ncontent-type: application/json\r\ncontent-length: "
        + str(len(body)).encode() + b"\r\nconnection: close\r\n\r\n" + body
    )  # fmt: skip


_TOO_LARGE = _response(b"431 Request Header Fields Too Large", b"Request Header Fields Too Large")
_NUL_IN_URL = _response(b"400 Bad Request", b"NUL character in the URL")
_TOO_SLOW = _response(b"408 Request Timeout", b"Request head not received in time")


@dataclass(frozen=True)
class HeadLimits:
    """``[server] max_request_line_bytes``, ``max_header_count``, ``max_header_bytes`` (request line included) and
    ``read_header_timeout`` (seconds from the first byte of a head to its end)."""

    request_line_bytes: int
    header_count: int
    header_bytes: int
    header_seconds: float


class _HeadTooLarge(Exception):
    """Raised from a parser callback to stop parsing a head that was refused."""


def limited_protocol(limits: HeadLimits) -> type[HttpToolsProtocol]:
    """uvicorn's httptools protocol with ``limits`` applied to every request head."""

    class LimitedHttpToolsProtocol(HttpToolsProtocol):
        _in_head = False  # between the first byte of a request and the end of its head
        _head_bytes = 0
        _header_count = 0
        _refused = False
        _head_timer: asyncio.TimerHandle | None = None

        def data_received(self, data: bytes) -> None:
            if self._refused:
                return
            super().data_received(data)
            if self._refused or not self._in_head or self.transport.is_closing():
                return
            self._head_bytes += len(data)
            if self._head_bytes > limits.header_bytes:
                self._refuse(_TOO_LARGE)
            elif self._head_timer is None:  # a head has begun and is not complete: it must be within the time
                self._head_timer = self.loop.call_later(limits.header_seconds, self._refuse, _TOO_SLOW)

        def on_message_begin(self) -> None:
            super().on_message_begin()
            self._in_head = True
            self._header_count = 0

        def on_url(self, url: bytes) -> None:
            if len(self.url) + len(url) > limits.request_line_bytes:
                self._refused = True
                raise _HeadTooLarge
            super().on_url(url)

        def on_header(self, name: bytes, value: bytes) -> None:
            self._header_count += 1
            if self._header_count > limits.header_count:
                self._refused = True
                raise _HeadTooLarge
            super().on_header(name, value)

        def on_headers_complete(self) -> None:
            self._in_head = False
            self._head_bytes = 0
            self._cancel_timer()
            if b"%00" in self.url or b"\x00" in self.url:
                self._refuse(_NUL_IN_URL)
                raise _HeadTooLarge
            super().on_headers_complete()

        def send_400_response(self, msg: str) -> None:
            if self._refused:  # the parser stopped because a callback above raised _HeadTooLarge
                self._refuse(_TOO_LARGE)
            else:
                super().send_400_response(msg)

        def connection_lost(self, exc: Exception | None) -> None:
            self._cancel_timer()
            super().connection_lost(exc)

        def _cancel_timer(self) -> None:
            if self._head_timer is not None:
                self._head_timer.cancel()
                self._head_timer = None

        def _refuse(self, response: bytes) -> None:
            self._cancel_timer()
            if self.transport.is_closing():
                return
            self._refused = True
            self.logger.info("refused a request head: %s", response.split(b"\r\n", 1)[0].decode())
            self.transport.write(response)
            self.transport.close()

    return LimitedHttpToolsProtocol
