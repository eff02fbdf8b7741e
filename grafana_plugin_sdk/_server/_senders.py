"""Senders that stream a handler's messages (resource responses, stream packets) to the host as they are sent."""

from __future__ import annotations

import asyncio
import enum
import threading
from collections.abc import AsyncIterator
from typing import TYPE_CHECKING, Any, Generic, TypeVar

import orjson

from grafana_plugin_sdk.backend import CallResourceResponse
from grafana_plugin_sdk.wire.convert import call_resource_response_to_proto
from grafana_plugin_sdk.wire.genproto import backend_pb2 as pb

if TYPE_CHECKING:
    from grafana_plugin_sdk.data import Frame

_T = TypeVar("_T")


class _Slot(enum.Enum):
    """Which bound a queued message holds a place in."""

    NONE = 0
    THREAD = 1
    LOOP = 2


class CallEndedError(ConnectionError):
    """Raised by a sender when its call has ended (finished, cancelled or the host went away)."""


class MessageChannel(Generic[_T]):
    """Ordered messages from a handler to the gRPC response stream.

    From other threads (sync handlers) ``put`` blocks while ``capacity`` messages wait to be written, and async
    handlers get the same bound by awaiting ``put_async``, so a fast producer cannot outrun the host. ``put`` from
    the event loop's thread cannot wait, so it never blocks.
    """

    def __init__(self, loop: asyncio.AbstractEventLoop, capacity: int = 8) -> None:
        self._loop = loop
        self._queue: asyncio.Queue[tuple[_T, _Slot] | None] = asyncio.Queue()
        self._thread_slots = threading.Semaphore(capacity)
        self._loop_slots = asyncio.Semaphore(capacity)
        self._closed = False

    def _on_loop(self) -> bool:
        try:
            return asyncio.get_running_loop() is self._loop
        except RuntimeError:
            return False

    def put(self, message: _T) -> None:
        """Queue ``message`` for the host; raises :class:`CallEndedError` once the call is over."""
        if self._closed:
            raise CallEndedError("the call has ended; nothing more can be sent")
        if self._on_loop():
            self._queue.put_nowait((message, _Slot.NONE))
            return
        while not self._thread_slots.acquire(timeout=0.1):
            if self._closed:
                raise CallEndedError("the call has ended; nothing more can be sent")
        self._loop.call_soon_threadsafe(self._queue.put_nowait, (message, _Slot.THREAD))

    async def put_async(self, message: _T) -> None:
        """Queue ``message`` from the event loop, waiting while ``capacity`` messages wait to be written."""
        if self._closed:
            raise CallEndedError("the call has ended; nothing more can be sent")
        await self._loop_slots.acquire()
        if self._closed:
            self._loop_slots.release()
            raise CallEndedError("the call has ended; nothing more can be sent")
        self._queue.put_nowait((message, _Slot.LOOP))

    def finish(self) -> None:
        """Mark the end of the messages (call on the loop once the handler returned)."""
        self._closed = True
        self._queue.put_nowait(None)

    def close(self) -> None:
        """Refuse further messages (the call is over)."""
        self._closed = True

    async def messages(self) -> AsyncIterator[_T]:
        """The queued messages in order, until :meth:`finish`."""
        while (item := await self._queue.get()) is not None:
            message, slot = item
            if slot is _Slot.THREAD:
                self._thread_slots.release()
            elif slot is _Slot.LOOP:
                self._loop_slots.release()
            yield message


class ResourceSender:
    """The ``CallResourceResponseSender`` handed to ``call_resource``: every send is one streamed message."""

    def __init__(self, channel: MessageChannel[pb.CallResourceResponse]) -> None:
        self._channel = channel

    def send(self, response: CallResourceResponse) -> None:
        """Send one message (the first carries status and headers, later ones body chunks)."""
        self._channel.put(call_resource_response_to_proto(response))

    async def send_async(self, response: CallResourceResponse) -> None:
        """Send one message from an async handler, waiting while the host is behind."""
        await self._channel.put_async(call_resource_response_to_proto(response))

    def send_json(self, value: Any, status: int = 200) -> None:
        """Send a whole JSON response."""
        self.send(CallResourceResponse.json(value, status))

    def send_text(self, text: str, status: int = 200) -> None:
        """Send a whole plain-text response."""
        self.send(CallResourceResponse.text(text, status))


class StreamPacketSender:
    """The ``StreamSender`` handed to ``run_stream``: every send is one packet on the channel."""

    def __init__(self, channel: MessageChannel[pb.StreamPacket]) -> None:
        self._channel = channel

    def send_frame(self, frame: Frame, include_schema: bool = True) -> None:
        """Send a data frame as frame JSON (``include_schema=False``: data only, for later packets)."""
        from grafana_plugin_sdk.data import FrameInclude

        self.send_bytes(frame.to_json(FrameInclude.ALL if include_schema else FrameInclude.DATA_ONLY))

    def send_json(self, value: Any) -> None:
        """Send any JSON value."""
        self.send_bytes(orjson.dumps(value, option=orjson.OPT_SERIALIZE_NUMPY))

    def send_bytes(self, data: bytes) -> None:
        """Send raw bytes that already hold JSON."""
        self._channel.put(pb.StreamPacket(data=data))
