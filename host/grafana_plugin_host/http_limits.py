"""Limits on the request head, enforced in the HTTP server before any request reaches the application.

An ASGI middleware only sees a request after the server has read and parsed all of its head, so a limit there
cannot stop a client that sends megabytes of header. The limits therefore live in the connection protocol:
:func:`limited_protocol` wraps uvicorn's httptools protocol, counts the request line, the headers and the bytes
of an unfinished head as they arrive, and answers ``431 Request Header Fields Too Large`` (and closes the
connection) as soon as one is exceeded. Memory held for one head is at most the limit plus one socket read.
"""

from __future__ import annotations

from dataclasses import dataclass

from uvicorn.protocols.http.httptools_impl import HttpToolsProtocol

_BODY = b'{"message":"Request Header Fields Too Large"}'
_RESPONSE = (
    b"HTTP/1.1 431 Request Header Fields Too Large\r\n"
    b"content-type: application/json\r\n"
    b"content-length: " + str(len(_BODY)).encode() + b"\r\n"
    b"connection: close\r\n\r\n" + _BODY
)


@dataclass(frozen=True)
class HeadLimits:
    """``[server] max_request_line_bytes``, ``max_header_count`` and ``max_header_bytes`` (request line included)."""

    request_line_bytes: int
    header_count: int
    header_bytes: int


class _HeadTooLarge(Exception):
    """Raised from a parser callback to stop parsing a head that broke a limit."""


def limited_protocol(limits: HeadLimits) -> type[HttpToolsProtocol]:
    """uvicorn's httptools protocol with ``limits`` applied to every request head."""

    class LimitedHttpToolsProtocol(HttpToolsProtocol):
        _head_open = True
        _head_bytes = 0
        _header_count = 0
        _refused = False

        def data_received(self, data: bytes) -> None:
            if self._refused:
                return
            super().data_received(data)
            if self._refused or not self._head_open or self.transport.is_closing():
                return
            self._head_bytes += len(data)
            if self._head_bytes > limits.header_bytes:
                self._refuse()

        def on_message_begin(self) -> None:
            super().on_message_begin()
            self._head_open = True
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
            self._head_open = False
            self._head_bytes = 0
            super().on_headers_complete()

        def on_message_complete(self) -> None:
            super().on_message_complete()
            self._head_open = True

        def send_400_response(self, msg: str) -> None:
            if self._refused:  # the parser stopped because a callback above raised _HeadTooLarge
                self._refuse()
            else:
                super().send_400_response(msg)

        def _refuse(self) -> None:
            self._refused = True
            self.logger.info("refused a request head over the configured limits (431)")
            self.transport.write(_RESPONSE)
            self.transport.close()

    return LimitedHttpToolsProtocol
