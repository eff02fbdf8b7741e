"""A bound on password checks, which anyone can trigger with a Basic header and an unknown login.

At most ``[security] password_hash_concurrency`` password checks run at once and ``password_hash_queue`` more
wait; a request beyond that is refused at once with 429 instead of queueing CPU work. The waiting happens on the
event loop, so waiting checks hold no worker thread (the store's threads stay free for everyone else), and the
hash itself runs on a worker thread, never on the event loop.
"""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager

from grafana_plugin_host.web import grafana_error


class KdfGate:
    """Admission control for password checks (one event loop)."""

    def __init__(self, concurrency: int, queue: int) -> None:
        self._concurrency = max(1, concurrency)
        self._limit = self._concurrency + max(0, queue)
        self._pending = 0
        self._slots: asyncio.Semaphore | None = None

    @asynccontextmanager
    async def slot(self) -> AsyncIterator[None]:
        """Hold one checking slot; raises the 429 ApiError at once when every slot and queue place is taken."""
        if self._pending >= self._limit:
            raise grafana_error(429, "password-auth.busy", "Too many login attempts at once, try again later")
        if self._slots is None:
            self._slots = asyncio.Semaphore(self._concurrency)
        self._pending += 1
        try:
            async with self._slots:
                yield
        finally:
            self._pending -= 1
