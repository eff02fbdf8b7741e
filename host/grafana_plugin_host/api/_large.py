"""Large query answers: a bounded number at once, streamed with backpressure, stalled readers dropped.

A large query answer takes one of ``[server] max_concurrent_large_responses`` process-wide slots before its
JSON is produced and keeps it until the last byte is handed to the socket. The JSON is produced piece by piece
(at most one frame per piece, on a worker thread) as the client reads, and each piece waits for the socket to
drain, so a request holds about one frame of JSON rather than the whole document, and the slots bound the total.
Answers waiting for a slot hold their decoded frames: together at most ``[server] large_response_queue_bytes``
(one answer may always wait); one that would pass it is refused at once with 503, its memory freed. A reader
that takes nothing for ``[server] write_stall_timeout`` seconds has its connection closed and its slot freed.
Small answers are never queued behind large ones.
"""

from __future__ import annotations

import asyncio
import logging
import weakref
from collections.abc import AsyncIterator, Callable

from starlette.requests import Request
from starlette.responses import Response
from starlette.types import Receive, Scope, Send

from grafana_plugin_host.errors import ApiError
from grafana_plugin_host.services import services_of
from grafana_plugin_host.web.memory import return_freed_memory

log = logging.getLogger(__name__)

#: Bytes per slice handed to the server.
SLICE_BYTES = 256 << 10


class _Slots:
    """The large-answer slots of one event loop, and the bytes of the answers waiting for one."""

    def __init__(self, limit: int) -> None:
        self._free = asyncio.Semaphore(max(1, limit))
        self._taken = 0
        self._waiting_bytes = 0

    async def acquire(self, held_bytes: int, queue_bytes: int) -> None:
        """Take a slot, waiting when none is free unless the waiting answers would then hold over ``queue_bytes``."""
        if self._free.locked():
            if self._waiting_bytes and self._waiting_bytes + held_bytes > queue_bytes:
                raise ApiError(503, "Too many large query answers in progress, try again later")
            self._waiting_bytes += held_bytes
            try:
                await self._free.acquire()
            finally:
                self._waiting_bytes -= held_bytes
        else:
            await self._free.acquire()
        self._taken += 1

    def release(self) -> None:
        """Give a slot back; the last one out returns the burst's freed memory to the system."""
        self._taken -= 1
        self._free.release()
        if not self._taken:
            return_freed_memory()


#: The slots of each event loop (an asyncio semaphore belongs to one loop).
_SLOTS: weakref.WeakKeyDictionary[asyncio.AbstractEventLoop, _Slots] = weakref.WeakKeyDictionary()


def _slots(limit: int) -> _Slots:
    loop = asyncio.get_running_loop()
    if (slots := _SLOTS.get(loop)) is None:
        slots = _SLOTS[loop] = _Slots(limit)
    return slots


class StreamedJSON(Response):
    """A JSON body sent piece by piece as it is produced; gives up (closing the connection) when the reader stalls."""

    media_type = "application/json"

    def __init__(
        self, pieces: AsyncIterator[bytes], status_code: int, stall_seconds: float, release: Callable[[], None]
    ) -> None:
        super().__init__(None, status_code=status_code)
        self.raw_headers = [(b"content-type", b"application/json")]
        self._pieces = pieces
        self._stall = stall_seconds
        self._release = release

    async def _send(self, send: Send, body: bytes, more: bool) -> None:
        await asyncio.wait_for(send({"type": "http.response.body", "body": body, "more_body": more}), self._stall)

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        try:
            await send({"type": "http.response.start", "status": self.status_code, "headers": self.raw_headers})
            async for piece in self._pieces:
                view = memoryview(piece)
                for start in range(0, len(view), SLICE_BYTES):
                    await self._send(send, bytes(view[start : start + SLICE_BYTES]), True)
            await self._send(send, b"", False)
        except TimeoutError:
            log.info("closed a connection whose reader stalled for %.0f s", self._stall)
        finally:
            self._release()


async def json_answer(
    request: Request, pieces: Callable[[], AsyncIterator[bytes]], status: int, *, large_bytes: int | None
) -> Response:
    """The JSON answer made of ``pieces``: joined when small (``large_bytes`` None); a large answer, whose frames
    hold ``large_bytes``, is streamed under a slot."""
    if large_bytes is None:
        return Response(
            b"".join([piece async for piece in pieces()]), status_code=status, media_type="application/json"
        )
    settings = services_of(request).settings
    slots = _slots(settings.max_concurrent_large_responses)
    await slots.acquire(large_bytes, settings.large_response_queue_bytes)
    return StreamedJSON(pieces(), status, float(settings.write_stall_timeout), slots.release)
