"""Large query answers: a bounded number at once, sent in slices with backpressure, stalled readers dropped.

A large query answer takes one of ``[server] max_concurrent_large_responses``
process-wide slots before it is rendered to JSON and keeps it until the last byte is handed to the socket, so the
JSON held in memory is bounded by the slots, not by the number of callers. The body goes out in slices, each
waiting for the socket to drain; a reader that takes no slice for ``[server] write_stall_timeout`` seconds has its
connection closed and its slot freed. Small answers are never queued behind large ones.
"""

from __future__ import annotations

import asyncio
import functools
import logging
from collections.abc import Awaitable, Callable

from starlette.requests import Request
from starlette.responses import Response
from starlette.types import Receive, Scope, Send

from grafana_plugin_host.config import Settings

log = logging.getLogger(__name__)

#: Bytes per slice handed to the server.
SLICE_BYTES = 256 << 10


@functools.cache
def _slots(limit: int) -> asyncio.Semaphore:
    return asyncio.Semaphore(max(1, limit))


class SlicedResponse(Response):
    """A JSON body sent slice by slice; gives up (closing the connection) when the reader stalls."""

    def __init__(self, body: bytes, status_code: int, stall_seconds: float, release: Callable[[], None]) -> None:
        super().__init__(body, status_code=status_code, media_type="application/json")
        self._stall = stall_seconds
        self._release = release

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        try:
            await send({"type": "http.response.start", "status": self.status_code, "headers": self.raw_headers})
            view = memoryview(self.body)
            for start in range(0, len(view), SLICE_BYTES):
                chunk = bytes(view[start : start + SLICE_BYTES])
                await asyncio.wait_for(
                    send({"type": "http.response.body", "body": chunk, "more_body": True}), self._stall
                )
            await asyncio.wait_for(send({"type": "http.response.body", "body": b"", "more_body": False}), self._stall)
        except TimeoutError:
            log.info("closed a connection whose reader stalled for %.0f s", self._stall)
        finally:
            self.body = b""
            self._release()


async def json_answer(
    request: Request, body_of: Callable[[], Awaitable[bytes]], status: int, *, large: bool
) -> Response:
    """The JSON answer ``body_of`` renders; a ``large`` one is rendered and sent under a slot, in slices."""
    if not large:
        return Response(await body_of(), status_code=status, media_type="application/json")
    settings: Settings = request.app.state.settings
    slots = _slots(settings.max_concurrent_large_responses)
    await slots.acquire()
    try:
        body = await body_of()
    except BaseException:
        slots.release()
        raise
    return SlicedResponse(body, status, float(settings.write_stall_timeout), slots.release)
