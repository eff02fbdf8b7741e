"""A demo database: a day of sensor readings every minute, created when a data source asks for it."""

from __future__ import annotations

import math
import sqlite3
import time
from pathlib import Path

SENSORS = ("kitchen", "garage", "attic")


def create_demo_database(path: str | Path, *, now: float | None = None, minutes: int = 24 * 60) -> None:
    """Write ``readings(time, sensor, temperature, humidity)`` with epoch-second times up to ``now``."""
    end = int(now if now is not None else time.time()) // 60 * 60
    target = Path(path)
    target.parent.mkdir(parents=True, exist_ok=True)
    partial = target.with_suffix(".partial")
    partial.unlink(missing_ok=True)
    with sqlite3.connect(partial) as db:
        db.execute(
            "CREATE TABLE readings (time INTEGER NOT NULL, sensor TEXT NOT NULL, temperature REAL, humidity REAL)"
        )
        db.execute("CREATE INDEX readings_time ON readings (time)")
        rows = []
        for minute in range(minutes):
            t = end - (minutes - 1 - minute) * 60
            for index, sensor in enumerate(SENSORS):
                phase = 2 * math.pi * (t % 86400) / 86400 + index
                rows.append(
                    (t, sensor, round(18 + 6 * math.sin(phase) + index, 2), round(45 + 10 * math.cos(phase), 1))
                )
        db.executemany("INSERT INTO readings VALUES (?, ?, ?, ?)", rows)
    partial.replace(target)
