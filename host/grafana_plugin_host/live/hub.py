"""The Live hub: channels and their subscribers, one RunStream per channel, fan-out of each packet, publish."""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Coroutine
from dataclasses import dataclass, field
from typing import Any

from prometheus_client import CollectorRegistry
from starlette.requests import HTTPConnection

from grafana_plugin_host.api.forward import Target
from grafana_plugin_host.errors import PluginError
from grafana_plugin_host.models import Identity
from grafana_plugin_sdk.backend import (
    PublishStreamRequest,
    RunStreamRequest,
    StreamStatus,
    SubscribeStreamRequest,
)

from . import protocol
from .access import ChannelRef, LiveError, forbidden, not_found, plugin_failure, resolve
from .broker import Broker, LocalBroker
from .metrics import LiveMetrics
from .session import Session

log = logging.getLogger(__name__)

#: Subscriptions one connection may hold.
MAX_SUBSCRIPTIONS = 512
#: Waits between RunStream attempts after a failure (doubling up to the maximum while subscribers remain).
RETRY_FIRST = 0.2
RETRY_MAX = 5.0


@dataclass
class _Channel:
    ref: ChannelRef
    target: Target
    #: The first subscription's data, sent to RunStream (as Grafana does).
    data: bytes
    subscribers: set[Session] = field(default_factory=set)
    task: asyncio.Task[None] | None = None


def _status_error(status: StreamStatus) -> LiveError:
    return forbidden() if status == StreamStatus.PERMISSION_DENIED else not_found()


class LiveHub:
    """Grafana Live for one host process. Sessions join and leave; subscriptions start and stop streams."""

    def __init__(self, registry: CollectorRegistry, broker: Broker | None = None) -> None:
        self.metrics = LiveMetrics(registry)
        self.sessions: set[Session] = set()
        self._broker: Broker = broker or LocalBroker()
        self._channels: dict[str, _Channel] = {}
        self._background: set[asyncio.Task[None]] = set()

    async def start(self) -> None:
        """Connect the broker."""
        await self._broker.start(self.deliver)

    async def close(self) -> None:
        """Disconnect every client (going away), stop every stream and the broker."""
        for session in list(self.sessions):
            session.disconnect(protocol.DISCONNECT_SHUTDOWN, "shutdown")
            self.leave(session)
        tasks = [ch.task for ch in self._channels.values() if ch.task] + list(self._background)
        for task in tasks:
            task.cancel()
        await asyncio.gather(*tasks, return_exceptions=True)
        self._channels.clear()
        await self._broker.close()

    def join(self, session: Session) -> None:
        """A client connected."""
        self.sessions.add(session)
        self.metrics.clients.set(len(self.sessions))

    def leave(self, session: Session) -> None:
        """A client disconnected (or was dropped): end all its subscriptions."""
        for name in list(session.channels):
            self.unsubscribe(session, name)
        self.sessions.discard(session)
        self.metrics.clients.set(len(self.sessions))

    async def subscribe(self, conn: HTTPConnection, session: Session, name: str, data: bytes) -> str | None:
        """Subscribe ``session`` to the org-qualified channel ``name``; the plugin's initial data as JSON text.

        Raises LiveError when refused. The caller must queue its reply before awaiting anything else, so that
        the reply precedes the channel's first push.
        """
        ref = ChannelRef.parse(name)
        if name in session.channels:
            raise LiveError(protocol.ERROR_ALREADY_SUBSCRIBED, "already subscribed")
        if len(session.channels) >= MAX_SUBSCRIPTIONS:
            raise LiveError(protocol.ERROR_LIMIT_EXCEEDED, "limit exceeded")
        target = await resolve(conn, session.identity, ref)
        request = SubscribeStreamRequest(target.context, ref.channel.path, data)
        try:
            reply = await target.client.subscribe_stream(request)
        except PluginError as exc:
            raise plugin_failure(exc) from None
        if reply.status != StreamStatus.OK:
            raise _status_error(reply.status)
        initial = protocol.json_text(reply.data) if reply.data else None
        if session.closing:
            raise LiveError(protocol.ERROR_NOT_AVAILABLE, "disconnecting")
        channel = self._channels.get(name)
        if channel is None:
            channel = self._channels[name] = _Channel(ref, target, data)
            channel.task = asyncio.create_task(self._run(channel), name=f"live stream {name}")
            self._spawn(self._broker.watch(name))
        channel.subscribers.add(session)
        session.channels.add(name)
        self._count()
        return initial

    def unsubscribe(self, session: Session, name: str) -> None:
        """End one subscription; the channel's stream stops with its last local subscriber."""
        session.channels.discard(name)
        channel = self._channels.get(name)
        if channel is None:
            return
        channel.subscribers.discard(session)
        if not channel.subscribers:
            del self._channels[name]
            if channel.task is not None:
                channel.task.cancel()
            self._spawn(self._broker.unwatch(name))
        self._count()

    async def publish(self, conn: HTTPConnection, identity: Identity, ref: ChannelRef, data: bytes) -> None:
        """A client's publication: the plugin's PublishStream decides; what it returns goes to the subscribers."""
        target = await resolve(conn, identity, ref)
        try:
            reply = await target.client.publish_stream(PublishStreamRequest(target.context, ref.channel.path, data))
        except PluginError as exc:
            raise plugin_failure(exc) from None
        if reply.status != StreamStatus.OK:
            raise _status_error(reply.status)
        if reply.data:
            try:
                text = protocol.json_text(reply.data)
            except ValueError:
                raise LiveError(protocol.ERROR_INTERNAL, "internal server error") from None
            await self._broker.publish(ref.name, protocol.publication(ref.name, text))

    def deliver(self, name: str, payload: str) -> None:
        """Queue a push to every local subscriber of ``name``; a subscriber too slow to take it is dropped."""
        channel = self._channels.get(name)
        if channel is None:
            return
        sent = 0
        for session in list(channel.subscribers):
            if session.closing:
                continue
            if session.send(payload):
                sent += 1
            else:
                self.metrics.messages_dropped.inc()
                self.leave(session)
        self.metrics.messages_sent.inc(sent)

    def _count(self) -> None:
        self.metrics.channels.set(len(self._channels))
        self.metrics.subscribers.set(sum(len(ch.subscribers) for ch in self._channels.values()))

    def _spawn(self, coro: Coroutine[Any, Any, None]) -> None:
        task = asyncio.create_task(coro)
        self._background.add(task)
        task.add_done_callback(self._background.discard)

    async def _run(self, channel: _Channel) -> None:
        """Run the channel's stream while it has subscribers, on whichever host holds its lease."""
        delay = RETRY_FIRST
        while True:
            lease = await self._broker.acquire(channel.ref.name)
            try:
                delivered = await self._stream_until_lost(channel, lease.lost)
            finally:
                await asyncio.shield(lease.release())
            delay = RETRY_FIRST if delivered else min(delay * 2, RETRY_MAX)
            await asyncio.sleep(delay)

    async def _stream_until_lost(self, channel: _Channel, lost: asyncio.Event) -> bool:
        stream = asyncio.create_task(self._stream(channel))
        watch = asyncio.create_task(lost.wait())
        try:
            await asyncio.wait({stream, watch}, return_when=asyncio.FIRST_COMPLETED)
        finally:
            watch.cancel()
            stream.cancel()
            await asyncio.gather(stream, watch, return_exceptions=True)
        return not stream.cancelled() and stream.exception() is None and stream.result()

    async def _stream(self, channel: _Channel) -> bool:
        """One RunStream call; whether it delivered anything (a failure right away backs off longer)."""
        name, delivered = channel.ref.name, False
        request = RunStreamRequest(channel.target.context, channel.ref.channel.path, channel.data)
        self.metrics.streams.inc()
        try:
            async for packet in channel.target.client.run_stream(request):
                try:
                    text = protocol.json_text(packet)
                except ValueError:
                    log.warning("live channel %s: the plugin sent a packet that is not JSON; dropped", name)
                    continue
                delivered = True
                await self._broker.publish(name, protocol.publication(name, text))
            log.info("live channel %s: the plugin ended the stream; running it again", name)
        except PluginError as exc:
            log.warning("live channel %s: stream failed (%s); running it again", name, exc)
        except Exception:  # a bug must not end the channel for good
            log.exception("live channel %s: stream failed; running it again", name)
        finally:
            self.metrics.streams.dec()
        return delivered
