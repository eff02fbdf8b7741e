"""A response body wrapper that counts the bytes read, for the size metric and the response limit."""

from __future__ import annotations

from collections.abc import AsyncIterator, Callable, Iterator

import httpx

Observer = Callable[[int], None]
"""Called with a byte count: the running total after each chunk (may raise to stop reading), or the final total."""


class CountingStream(httpx.SyncByteStream, httpx.AsyncByteStream):
    """Wraps a response stream (sync or async) and reports the running total of bytes read."""

    def __init__(
        self,
        stream: httpx.SyncByteStream | httpx.AsyncByteStream,
        on_chunk: Observer | None = None,
        on_close: Observer | None = None,
    ) -> None:
        self._stream = stream
        self._on_chunk = on_chunk
        self._on_close = on_close
        self._total = 0

    def _count(self, chunk: bytes) -> bytes:
        self._total += len(chunk)
        if self._on_chunk is not None:
            self._on_chunk(self._total)
        return chunk

    def _closed(self) -> None:
        if self._on_close is not None:
            self._on_close(self._total)
            self._on_close = None

    def __iter__(self) -> Iterator[bytes]:
        assert isinstance(self._stream, httpx.SyncByteStream)
        for chunk in self._stream:
            yield self._count(chunk)

    async def __aiter__(self) -> AsyncIterator[bytes]:
        assert isinstance(self._stream, httpx.AsyncByteStream)
        async for chunk in self._stream:
            yield self._count(chunk)

    def close(self) -> None:
        """Close the wrapped stream."""
        self._closed()
        if isinstance(self._stream, httpx.SyncByteStream):
            self._stream.close()

    async def aclose(self) -> None:
        """Close the wrapped stream."""
        self._closed()
        if isinstance(self._stream, httpx.AsyncByteStream):
            await self._stream.aclose()


def wrap_body(response: httpx.Response, on_chunk: Observer | None = None, on_close: Observer | None = None) -> None:
    """Count ``response``'s body as it is read (not for ``101 Switching Protocols``)."""
    if response.status_code != 101:
        stream = response.stream
        response.stream = CountingStream(stream, on_chunk, on_close)
