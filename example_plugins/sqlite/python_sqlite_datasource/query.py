"""Open the configured SQLite file read-only; queries run through ``grafana_plugin_sdk.sqlutil``."""

from __future__ import annotations

import sqlite3
from pathlib import Path

from grafana_plugin_sdk.sqlutil import QueryError


def connect(path: str) -> sqlite3.Connection:
    """Open the database read-only; a missing or unreadable file is a QueryError."""
    if not path:
        raise QueryError("no database file configured (jsonData.path)")
    if not Path(path).is_file():
        raise QueryError(f"database file not found: {path}")
    try:
        return sqlite3.connect(f"file:{Path(path).resolve()}?mode=ro", uri=True, check_same_thread=False)
    except sqlite3.Error as exc:
        raise QueryError(f"cannot open {path}: {exc}") from None
