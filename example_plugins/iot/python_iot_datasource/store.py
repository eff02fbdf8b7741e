"""Device state kept in a small SQLite file: the current state of each device and every change."""

from __future__ import annotations

import sqlite3
import threading
import time
from contextlib import closing
from dataclasses import dataclass
from pathlib import Path

STATES = ("on", "off")
DEFAULT_DEVICES = ("lamp", "heater", "fan")


class DeviceError(ValueError):
    """Unknown device or invalid state."""


@dataclass(frozen=True)
class Change:
    """A device switched to ``state`` at ``time`` (epoch seconds)."""

    device: str
    state: str
    time: float

    @property
    def epoch_ns(self) -> int:
        """``time`` in nanoseconds, as frames hold it."""
        return round(self.time * 1e9)

    @property
    def epoch_ms(self) -> int:
        """``time`` in milliseconds, the unit of frame JSON and of the resource API (floored, as frame JSON)."""
        return self.epoch_ns // 1_000_000


class DeviceStore:
    """Thread-safe store of device states; every device starts ``off``."""

    def __init__(self, path: str | Path, devices: tuple[str, ...] = DEFAULT_DEVICES) -> None:
        self.path = Path(path)
        self.path.parent.mkdir(parents=True, exist_ok=True)
        self._lock = threading.Lock()
        with self._connect() as db:
            db.execute(
                "CREATE TABLE IF NOT EXISTS change (device TEXT NOT NULL, state TEXT NOT NULL, time REAL NOT NULL)"
            )
            known = {d for (d,) in db.execute("SELECT DISTINCT device FROM change")}
            db.executemany(
                "INSERT INTO change VALUES (?, 'off', ?)", [(d, time.time()) for d in devices if d not in known]
            )

    def _connect(self) -> sqlite3.Connection:
        return sqlite3.connect(self.path, timeout=5)

    def devices(self) -> dict[str, Change]:
        """Each device's latest change."""
        with closing(self._connect()) as db:
            rows = db.execute("SELECT device, state, max(time) FROM change GROUP BY device ORDER BY device").fetchall()
        return {d: Change(d, s, t) for d, s, t in rows}

    def switch(self, device: str, state: str) -> Change:
        """Record ``device`` switching to ``state`` (``on`` or ``off``)."""
        if state not in STATES:
            raise DeviceError(f"state must be one of {', '.join(STATES)}, got {state!r}")
        with self._lock, self._connect() as db:
            if db.execute("SELECT 1 FROM change WHERE device = ? LIMIT 1", (device,)).fetchone() is None:
                raise DeviceError(f"unknown device {device!r}")
            change = Change(device, state, time.time())
            db.execute("INSERT INTO change VALUES (?, ?, ?)", (change.device, change.state, change.time))
        return change

    def history(self, device: str, start: float, end: float) -> list[Change]:
        """Changes of ``device`` in ``[start, end]``, preceded by the state it had at ``start``."""
        with closing(self._connect()) as db:
            before = db.execute(
                "SELECT state FROM change WHERE device = ? AND time < ? ORDER BY time DESC LIMIT 1", (device, start)
            ).fetchone()
            rows = db.execute(
                "SELECT state, time FROM change WHERE device = ? AND time BETWEEN ? AND ? ORDER BY time",
                (device, start, end),
            ).fetchall()
        changes = [Change(device, before[0], start)] if before else []
        return changes + [Change(device, s, t) for s, t in rows]
