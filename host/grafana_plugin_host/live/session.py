"""One Live client connection's outgoing side: a queue bounded in bytes and the task that writes it."""

from __future__ import annotations

import asyncio
import contextlib
import logging
import uuid
from collections import deque

from starlette.websockets import WebSocket, WebSocketDisconnect

from grafana_plugin_host.models import Identity

from . import protocol

log = logging.getLogger(__name__)

#: How long a close frame may wait behind a full socket buffer before the connection is dropped.
CLOSE_TIMEOUT = 5.0


class Session:
    """A connected client: who it is, its subscriptions, and its outgoing queue.

    :meth:`send` never waits: past ``max_queue`` bytes waiting (a single message may be larger) the client is too
    slow, and it is disconnected with close code 3008 (``slow``) instead of holding back the stream or growing memory.
    """

    def __init__(self, websocket: WebSocket, identity: Identity, max_queue: int) -> None:
        self.websocket = websocket
        self.identity = identity
        self.client_id = str(uuid.uuid4())
        #: Org-qualified channel names this client is subscribed to.
        self.channels: set[str] = set()
        self._max_queue = max_queue
        self._queue: deque[str] = deque()
        self._queued = 0
        self._ready = asyncio.Event()
        self._close: tuple[int, str] | None = None
        self._writer: asyncio.Task[None] | None = None
        self._sending = False
        self._aborting = False
        self._gone = False
        self.closed = asyncio.Event()

    @property
    def closing(self) -> bool:
        """Whether the connection is being closed (nothing more is queued)."""
        return self._close is not None

    def send(self, message: str) -> bool:
        """Queue one reply or push; False (and the client is disconnected as slow) when the queue is full."""
        if self._close is not None:
            return False
        if self._queued and self._queued + len(message) > self._max_queue:  # one message alone always fits
            log.warning("live client %s is too slow (%d bytes queued); disconnecting", self.client_id, self._queued)
            self.disconnect(protocol.DISCONNECT_SLOW, "slow")
            return False
        self._queue.append(message)
        self._queued += len(message)
        self._ready.set()
        return True

    def gone(self) -> None:
        """The client closed the connection: stop writing, nothing to close."""
        self._gone = True
        self.disconnect(1000, "")

    def disconnect(self, code: int, reason: str) -> None:
        """Close the connection with ``code`` once the writer is free; queued messages are dropped."""
        if self._close is None:
            self._close = (code, reason)
            self._queue.clear()
            self._queued = 0
            self._ready.set()
            if self._sending and self._writer is not None:  # stuck behind a full socket: stop waiting
                self._aborting = True
                self._writer.cancel()

    async def write(self) -> None:
        """Send queued messages (joined into one frame when several wait) until the connection closes."""
        self._writer = asyncio.current_task()
        try:
            while True:
                await self._ready.wait()
                self._ready.clear()
                if self._close is not None:
                    break
                if not self._queue:
                    continue
                batch = "\n".join(self._queue)
                self._queue.clear()
                self._queued = 0
                if not await self._send(batch):
                    break
            code, reason = self._close or (protocol.DISCONNECT_SHUTDOWN, "closed")
            if self._gone:
                return
            with contextlib.suppress(Exception):
                async with asyncio.timeout(CLOSE_TIMEOUT):
                    await self.websocket.close(code, reason)
        except (WebSocketDisconnect, RuntimeError, OSError):
            pass  # the client went away
        finally:
            self._close = self._close or (protocol.DISCONNECT_SHUTDOWN, "closed")
            self.closed.set()

    async def _send(self, batch: str) -> bool:
        """Send one frame; False when :meth:`disconnect` cut the wait short."""
        self._sending = True
        try:
            await self.websocket.send_text(batch)
            return True
        except asyncio.CancelledError:
            task = asyncio.current_task()
            if not self._aborting or task is None:
                raise
            task.uncancel()
            return False
        finally:
            self._sending = False
