"""Authenticated identities kept in memory, never served past a change to users, orgs, roles or tokens.

Entries are keyed by an HMAC of the credentials (per-process random key; no credential is kept) and the org the
request names, and tagged with the store's change counter (see ``grafana_plugin_host.store``): a token revoked,
a user disabled, a password or role changed, by this host or another on the same database, empties every
host's cache before their next request. A token's entry also ends at the token's expiry and after a minute (so
its ``last_used_at`` is written as often as without the cache). Concurrent misses for the same credentials share
one lookup (one password hash check, not one per request). Failed attempts are never cached, and a login the
attempt limiter blocks is refused as before.
"""

from __future__ import annotations

import asyncio
import hashlib
import hmac
import secrets
import time
from dataclasses import dataclass

from grafana_plugin_host.models import Identity
from grafana_plugin_host.store import GenerationCache, Store

from ._authenticator import Authenticator
from ._headers import BasicCredentials, BearerToken, Credentials

#: Longest a token's entry is served (seconds), whatever the counter says.
_TOKEN_TTL = 60.0
_SIZE = 4096


@dataclass(frozen=True)
class _Entry:
    identity: Identity
    until: float


class IdentityCache:
    """Resolves credentials through the authenticator, remembering successes while the database is unchanged."""

    def __init__(self, authenticator: Authenticator, store: Store) -> None:
        self._authenticator = authenticator
        self._store = store
        self._key = secrets.token_bytes(32)
        self._entries: GenerationCache[bytes, _Entry] = GenerationCache(_SIZE)
        self._pending: dict[tuple[bytes, int, str], asyncio.Future[Identity | None]] = {}

    def _digest(self, credentials: BasicCredentials | BearerToken, org_id: int) -> bytes:
        if isinstance(credentials, BearerToken):
            parts = [b"bearer", credentials.token.encode()]
        else:
            parts = [b"basic", credentials.login.encode(), credentials.password.encode()]
        message = b"\0".join([*parts, str(org_id).encode()])
        return hmac.digest(self._key, message, hashlib.sha256)

    async def identify(self, credentials: Credentials, org_id: int, client: str) -> Identity | None:
        """The caller's identity (as :meth:`Authenticator.authenticate`), from memory when nothing changed."""
        generation = await self._store.generation()
        key = self._digest(credentials, org_id)
        entry = self._entries.get(key, generation)
        now = time.time()
        if entry is not None and entry.until > now:
            if not isinstance(credentials, BasicCredentials):
                return entry.identity
            # A user with recent failed logins goes through the authenticator, which checks the lockout.
            if not self._authenticator.attempts.seen_failures(entry.identity.login or credentials.login):
                return entry.identity
        flight = (key, generation, client if isinstance(credentials, BasicCredentials) else "")
        pending = self._pending.get(flight)
        if pending is None:
            pending = asyncio.ensure_future(self._resolve(credentials, org_id, client, key, generation))
            self._pending[flight] = pending
            pending.add_done_callback(lambda done: self._finished(flight, done))
        return await asyncio.shield(pending)

    def _finished(self, flight: tuple[bytes, int, str], done: asyncio.Future[Identity | None]) -> None:
        self._pending.pop(flight, None)
        if not done.cancelled():
            done.exception()  # retrieved here too: every waiter may have gone (client disconnected)

    async def _resolve(
        self, credentials: Credentials, org_id: int, client: str, key: bytes, generation: int
    ) -> Identity | None:
        # On the store's pool (as many threads as it has connections to spare): with more threads than pooled
        # connections, a burst of misses would wait on the connection pool.
        if isinstance(credentials, BasicCredentials):  # a password check: admitted by the KDF gate first
            async with self._authenticator.kdf_gate.slot():
                identity, expires = await self._store.run(self._authenticator.resolve, credentials, org_id, client)
        else:
            identity, expires = await self._store.run(self._authenticator.resolve, credentials, org_id, client)
        if identity is not None:
            until = float("inf")
            if isinstance(credentials, BearerToken):
                until = time.time() + _TOKEN_TTL if expires is None else min(time.time() + _TOKEN_TTL, float(expires))
            self._entries.put(key, _Entry(identity, until), generation)
        return identity
