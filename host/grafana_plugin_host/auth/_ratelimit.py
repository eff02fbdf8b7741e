"""Failed-login limiting: after ``max_attempts`` failures within ``window`` seconds, a user is blocked.

Failures live in the database's ``login_attempt`` table, so every host sharing the database counts them
together, and they are keyed on the user the login resolves to (login or email, any case), so typing the email
instead of the login starts no fresh count. The client address is recorded but is not part of the key, as in
Grafana: a lockout cannot be lifted by coming from another address. The failure that locks a user out moves the
database's change counter, so no host's identity cache still admits that user (see ``store.login_attempts``).
"""

from __future__ import annotations

import threading
import time
from collections import OrderedDict
from collections.abc import Callable

from sqlalchemy import Engine

from grafana_plugin_host.store import login_attempts as table
from grafana_plugin_host.store import read_in, write_in

#: Grafana's defaults: 5 failed attempts within 5 minutes.
MAX_ATTEMPTS = 5
WINDOW_SECONDS = 300.0
#: Keys remembered by :meth:`LoginAttempts.seen_failures`.
_SEEN_KEYS = 10_000


class LoginAttempts:
    """Counter of recent failed logins per user key, in the database (blocking: call from a worker thread)."""

    def __init__(
        self,
        engine: Engine,
        max_attempts: int = MAX_ATTEMPTS,
        window: float = WINDOW_SECONDS,
        *,
        clock: Callable[[], float] = time.time,
    ) -> None:
        self.engine = engine
        self.max_attempts = max_attempts
        self.window = window
        self._clock = clock
        self._seen: OrderedDict[str, float] = OrderedDict()  # keys this process saw fail, by last failure time
        self._lock = threading.Lock()

    def _since(self) -> int:
        return int(self._clock() - self.window)

    def failures(self, key: str) -> int:
        """The user's failed attempts within the window (blocked at ``max_attempts``)."""
        return read_in(self.engine, table.count_since, key.lower(), self._since())

    def is_blocked(self, key: str) -> bool:
        """Whether the user has reached the limit within the window."""
        return self.failures(key) >= self.max_attempts

    def add_failure(self, key: str, address: str) -> None:
        """Record one failed attempt (and forget every attempt older than the window, any user)."""
        now = self._clock()
        write_in(self.engine, table.record, key.lower(), address, int(now), self._since(), self.max_attempts)
        with self._lock:
            self._seen[key.lower()] = now
            self._seen.move_to_end(key.lower())
            while len(self._seen) > _SEEN_KEYS:
                self._seen.popitem(last=False)

    def seen_failures(self, key: str) -> bool:
        """Whether this process recorded a failure of ``key`` within the window (a cheap, local pre-check)."""
        with self._lock:
            last = self._seen.get(key.lower())
        return last is not None and last > self._clock() - self.window

    def reset(self, key: str) -> None:
        """Forget the user's failures (after a successful login)."""
        write_in(self.engine, table.forget, key.lower())
        with self._lock:
            self._seen.pop(key.lower(), None)
