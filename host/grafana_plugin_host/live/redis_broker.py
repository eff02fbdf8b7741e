"""Live across several hosts (``[live] ha_engine = redis``): publications through Redis pub/sub, one stream runner
per channel chosen by a Redis lease that expires when its host dies."""

from __future__ import annotations

import asyncio
import contextlib
import logging
import uuid

import redis.asyncio as redis
from redis.exceptions import RedisError

from .broker import Deliver, Lease

log = logging.getLogger(__name__)

#: Key prefix of everything Live keeps in Redis.
PREFIX = "grafana-plugin-host:live"
#: A lease lasts this long unless renewed; a host that dies hands its streams over after at most this.
LEASE_MS = 3000
#: The leader renews its lease this often; others try to take a channel this often.
RENEW_SECONDS = 1.0
ACQUIRE_SECONDS = 0.5

# Renew or release only a lease that is still ours.
_RENEW = "if redis.call('get', KEYS[1]) == ARGV[1] then return redis.call('pexpire', KEYS[1], ARGV[2]) end return 0"
_RELEASE = "if redis.call('get', KEYS[1]) == ARGV[1] then return redis.call('del', KEYS[1]) end return 0"


def parse_address(address: str) -> tuple[str, int]:
    """``host:port`` (Grafana's ``ha_engine_address``); the port defaults to 6379."""
    host, sep, port = address.strip().rpartition(":")
    if not sep:
        return address.strip() or "127.0.0.1", 6379
    if not port.isdigit():
        raise ValueError(f"invalid Redis address {address!r}")
    return host or "127.0.0.1", int(port)


class _RedisLease:
    """A held lease, renewed in the background; ``lost`` is set when a renewal fails."""

    def __init__(self, client: redis.Redis, key: str, token: str) -> None:
        self._client = client
        self._key = key
        self._token = token
        self.lost = asyncio.Event()
        self._renewer = asyncio.create_task(self._renew())

    async def _renew(self) -> None:
        while True:
            await asyncio.sleep(RENEW_SECONDS)
            try:
                renewed = await self._client.eval(_RENEW, 1, self._key, self._token, LEASE_MS)
            except RedisError as exc:
                log.warning("live: cannot renew the lease %s: %s", self._key, exc)
                renewed = 0
            if not renewed:
                self.lost.set()
                return

    async def release(self) -> None:
        """Stop renewing and delete the lease if it is still ours."""
        self._renewer.cancel()
        with contextlib.suppress(asyncio.CancelledError):
            await self._renewer
        with contextlib.suppress(RedisError):
            await self._client.eval(_RELEASE, 1, self._key, self._token)


class RedisBroker:
    """Publications to and from Redis channels; stream leases as Redis keys with an expiry."""

    def __init__(self, address: str, password: str = "") -> None:
        host, port = parse_address(address)
        self._address = f"{host}:{port}"
        self._client = redis.Redis(host=host, port=port, password=password or None, decode_responses=True)
        self._pubsub = self._client.pubsub(ignore_subscribe_messages=True)
        self._deliver: Deliver | None = None
        self._reader: asyncio.Task[None] | None = None
        self._token = uuid.uuid4().hex

    @staticmethod
    def _pub_key(channel: str) -> str:
        return f"{PREFIX}:pub:{channel}"

    async def start(self, deliver: Deliver) -> None:
        """Check the connection (a failure is logged: the host serves anyway and reconnects) and start reading."""
        self._deliver = deliver
        try:
            await self._client.ping()
        except RedisError as exc:
            log.error("live: Redis at %s is unreachable: %s", self._address, exc)
        self._reader = asyncio.create_task(self._read(), name="live redis reader")

    async def close(self) -> None:
        """Stop reading and disconnect."""
        if self._reader is not None:
            self._reader.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await self._reader
        with contextlib.suppress(RedisError):
            await self._pubsub.aclose()
        with contextlib.suppress(RedisError):
            await self._client.aclose()

    async def _read(self) -> None:
        prefix = f"{PREFIX}:pub:"
        while True:
            if self._pubsub.connection is None:  # nothing subscribed yet
                await asyncio.sleep(0.05)
                continue
            try:
                message = await self._pubsub.get_message(timeout=1.0)
            except RedisError as exc:
                log.warning("live: Redis subscription failed (%s); retrying", exc)
                await asyncio.sleep(1.0)
                continue
            if message is None:
                continue
            if message.get("type") == "message" and self._deliver is not None:
                self._deliver(str(message["channel"]).removeprefix(prefix), str(message["data"]))

    async def publish(self, channel: str, payload: str) -> None:
        """Publish to every host watching ``channel``."""
        await self._client.publish(self._pub_key(channel), payload)

    async def watch(self, channel: str) -> None:
        """Subscribe to the channel's Redis channel."""
        try:
            await self._pubsub.subscribe(self._pub_key(channel))
        except RedisError as exc:
            log.error("live: cannot subscribe to %s in Redis: %s", channel, exc)

    async def unwatch(self, channel: str) -> None:
        """Unsubscribe from the channel's Redis channel."""
        with contextlib.suppress(RedisError):
            await self._pubsub.unsubscribe(self._pub_key(channel))

    async def acquire(self, channel: str) -> Lease:
        """Wait until this host holds the channel's lease (a Redis key that expires unless renewed)."""
        key = f"{PREFIX}:lease:{channel}"
        token = f"{self._token}:{uuid.uuid4().hex}"
        while True:
            try:
                if await self._client.set(key, token, nx=True, px=LEASE_MS):
                    return _RedisLease(self._client, key, token)
            except RedisError as exc:
                log.warning("live: cannot take the lease of %s: %s", channel, exc)
            await asyncio.sleep(ACQUIRE_SECONDS)
