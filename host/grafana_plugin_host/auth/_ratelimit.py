"""Failed-login limiting: after ``max_attempts`` failures within ``window`` seconds, a login+IP pair is blocked."""

from __future__ import annotations

import threading
import time
from collections import OrderedDict, deque
from collections.abc import Callable

#: Grafana's defaults: 5 failed attempts within 5 minutes.
MAX_ATTEMPTS = 5
WINDOW_SECONDS = 300.0


class LoginAttempts:
    """In-memory counter of recent failures per (login, client address); thread-safe, bounded in size."""

    def __init__(
        self,
        max_attempts: int = MAX_ATTEMPTS,
        window: float = WINDOW_SECONDS,
        *,
        max_keys: int = 100_000,
        clock: Callable[[], float] = time.monotonic,
    ) -> None:
        self.max_attempts = max_attempts
        self.window = window
        self._max_keys = max_keys
        self._clock = clock
        self._failures: OrderedDict[tuple[str, str], deque[float]] = OrderedDict()
        self._lock = threading.Lock()

    @staticmethod
    def _key(login: str, address: str) -> tuple[str, str]:
        return login.lower(), address

    def _recent(self, key: tuple[str, str], now: float) -> deque[float] | None:
        times = self._failures.get(key)
        if times is None:
            return None
        while times and times[0] <= now - self.window:
            times.popleft()
        if not times:
            del self._failures[key]
            return None
        return times

    def is_blocked(self, login: str, address: str) -> bool:
        """Whether the pair has reached the limit within the window."""
        with self._lock:
            times = self._recent(self._key(login, address), self._clock())
            return times is not None and len(times) >= self.max_attempts

    def add_failure(self, login: str, address: str) -> None:
        """Record one failed attempt."""
        key = self._key(login, address)
        with self._lock:
            now = self._clock()
            times = self._recent(key, now)
            if times is None:
                times = self._failures[key] = deque(maxlen=self.max_attempts)
            times.append(now)
            self._failures.move_to_end(key)
            while len(self._failures) > self._max_keys:
                self._failures.popitem(last=False)

    def reset(self, login: str, address: str) -> None:
        """Forget the failures of a pair (after a successful login)."""
        with self._lock:
            self._failures.pop(self._key(login, address), None)
