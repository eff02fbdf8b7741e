"""A bound on password hashing, which anyone can trigger with a Basic header and an unknown login.

At most ``[security] password_hash_concurrency`` hashes run at once and ``password_hash_queue`` more wait;
a request beyond that is refused at once with 429 instead of queueing CPU work. Hashing always runs on the
worker thread that resolves credentials, never on the event loop.
"""

from __future__ import annotations

import threading
from collections.abc import Iterator
from contextlib import contextmanager

from grafana_plugin_host.web import grafana_error


class KdfGate:
    """Admission control for the password KDF (thread-safe)."""

    def __init__(self, concurrency: int, queue: int) -> None:
        self._slots = threading.BoundedSemaphore(max(1, concurrency))
        self._limit = max(1, concurrency) + max(0, queue)
        self._pending = 0
        self._lock = threading.Lock()

    @contextmanager
    def slot(self) -> Iterator[None]:
        """Hold one hashing slot; raises the 429 ApiError at once when every slot and queue place is taken."""
        with self._lock:
            if self._pending >= self._limit:
                raise grafana_error(429, "password-auth.busy", "Too many login attempts at once, try again later")
            self._pending += 1
        try:
            with self._slots:
                yield
        finally:
            with self._lock:
                self._pending -= 1
