"""Caches that are never stale: entries tagged with the database's change counter, read once per request.

Triggers increment ``change_counter`` in the same transaction as every write to the tables identities and data
sources come from (any host, any tool). A request reads the counter once (:meth:`ChangeCounter.current`); a cache
answers only from entries loaded after a read of that same value, so an entry is never older than the
request's own view of the database. Loading happens after the read, so an entry may be newer than its tag,
never older.
"""

from __future__ import annotations

import asyncio
import contextvars
import time
from collections import OrderedDict
from collections.abc import Hashable
from concurrent.futures import Executor
from typing import Any, Generic, TypeVar

from sqlalchemy import Connection, Engine, select

from ._schema import change_counter

K = TypeVar("K", bound=Hashable)
V = TypeVar("V")

#: The counter value this request (task) read and when, so one request reads it once.
_REQUEST_GENERATION: contextvars.ContextVar[tuple[int, float] | None] = contextvars.ContextVar(
    "request_generation", default=None
)
#: A long-lived request (a stream, the start-up task) reads the counter again after this many seconds.
_REUSE_SECONDS = 0.1


def read_counter(connection: Connection) -> int:
    """The change counter's value."""
    value: int = connection.execute(select(change_counter.c.value).where(change_counter.c.id == 1)).scalar_one()
    return value


class ChangeCounter:
    """Reads the change counter: on the event loop for SQLite (a local read is smaller than a thread hop), on
    the store's thread pool for a database server."""

    def __init__(self, engine: Engine, executor: Executor) -> None:
        self._engine = engine
        self._executor = executor
        self._inline = engine.dialect.name == "sqlite"
        self._sqlite: Any = None

    def _read_sqlite(self) -> int:
        if self._sqlite is None:  # a dedicated autocommit connection: each SELECT sees the latest commit
            self._sqlite = self._engine.raw_connection()
        # fetchall: the statement runs to its end, so no read transaction (snapshot) outlives this call.
        rows = self._sqlite.execute("SELECT value FROM change_counter WHERE id = 1").fetchall()
        return int(rows[0][0])

    def _read_pooled(self) -> int:
        with self._engine.connect() as connection:
            return read_counter(connection)

    async def current(self) -> int:
        """The counter as this request sees it: read on the request's first call, then remembered (for at
        most 0.1 s, and until the request writes: see :meth:`forget`)."""
        memo = _REQUEST_GENERATION.get()
        now = time.monotonic()
        if memo is not None and now - memo[1] < _REUSE_SECONDS:
            return memo[0]
        if self._inline:
            value = self._read_sqlite()
        else:
            value = await asyncio.get_running_loop().run_in_executor(self._executor, self._read_pooled)
        _REQUEST_GENERATION.set((value, now))
        return value

    @staticmethod
    def forget() -> None:
        """After this request (task) wrote to the database: read the counter again on the next lookup."""
        _REQUEST_GENERATION.set(None)

    def close(self) -> None:
        """Return the dedicated connection."""
        if self._sqlite is not None:
            self._sqlite.close()
            self._sqlite = None


class GenerationCache(Generic[K, V]):
    """A bounded LRU map whose entries belong to one counter value; any other value empties it."""

    def __init__(self, size: int) -> None:
        self._size = size
        self._generation: int | None = None
        self._items: OrderedDict[K, V] = OrderedDict()

    def _sync(self, generation: int) -> bool:
        if generation != self._generation:
            self._items.clear()
            self._generation = generation
            return False
        return True

    def get(self, key: K, generation: int) -> V | None:
        """The entry loaded under ``generation``, or None."""
        if not self._sync(generation):
            return None
        value = self._items.get(key)
        if value is not None:
            self._items.move_to_end(key)
        return value

    def put(self, key: K, value: V, generation: int) -> None:
        """Remember ``value``, loaded after reading ``generation`` (dropped if the counter has moved on)."""
        if generation != self._generation:
            return
        self._items[key] = value
        self._items.move_to_end(key)
        while len(self._items) > self._size:
            self._items.popitem(last=False)
