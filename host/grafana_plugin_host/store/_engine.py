"""Database engines: SQLite (WAL, foreign keys, busy timeout, immediate write transactions) or PostgreSQL."""

from __future__ import annotations

import sqlite3
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any, Concatenate, ParamSpec, TypeVar

from sqlalchemy import Engine, create_engine, event
from sqlalchemy.engine import Connection, make_url

from grafana_plugin_host.errors import ConfigError

#: Execution option that makes a SQLite transaction take the write lock at BEGIN (no lock-upgrade deadlocks).
WRITE = {"sqlite_immediate": True}

P = ParamSpec("P")
T = TypeVar("T")

_BUSY_TIMEOUT_MS = 10_000
#: What to install for a PostgreSQL database.
POSTGRES_INSTALL = 'pip install "./host[postgres]"'


def make_engine(url: str) -> Engine:
    """An engine for ``url``; a SQLite file's folder is created and the connection tuned for concurrent use."""
    parsed = make_url(url)
    if parsed.get_backend_name() != "sqlite":
        try:
            return create_engine(url, pool_pre_ping=True, pool_size=8, max_overflow=8)
        except ModuleNotFoundError as exc:
            raise ConfigError(f"{parsed.get_backend_name()} needs {exc.name}: {POSTGRES_INSTALL}") from None
    if parsed.database and parsed.database != ":memory:":
        Path(parsed.database).parent.mkdir(parents=True, exist_ok=True)
    engine = create_engine(url, connect_args={"check_same_thread": False, "timeout": _BUSY_TIMEOUT_MS / 1000})
    event.listen(engine, "connect", _sqlite_connect)
    event.listen(engine, "begin", _sqlite_begin)
    return engine


def _sqlite_connect(dbapi_connection: Any, _record: Any) -> None:
    # Let SQLAlchemy's "begin" event issue BEGIN so writers can ask for BEGIN IMMEDIATE.
    dbapi_connection.isolation_level = None
    cursor = dbapi_connection.cursor()
    cursor.execute(f"PRAGMA busy_timeout={_BUSY_TIMEOUT_MS}")
    _enable_wal(cursor)
    cursor.execute("PRAGMA foreign_keys=ON")
    cursor.execute("PRAGMA synchronous=NORMAL")
    cursor.close()


def _enable_wal(cursor: Any) -> None:
    """Switch the file to WAL once (the mode persists in the file).

    The switch needs the database to itself, and SQLite refuses it at once, without the busy timeout, while
    another process (a second host starting on the same file) holds a lock: retry for up to the busy timeout.
    """
    deadline = time.monotonic() + _BUSY_TIMEOUT_MS / 1000
    while True:
        try:
            if cursor.execute("PRAGMA journal_mode").fetchone()[0].lower() != "wal":
                cursor.execute("PRAGMA journal_mode=WAL")
            return
        except sqlite3.OperationalError as exc:
            if "locked" not in str(exc) or time.monotonic() > deadline:
                raise
            time.sleep(0.05)


def _sqlite_begin(connection: Connection) -> None:
    immediate = connection.get_execution_options().get("sqlite_immediate", False)
    connection.exec_driver_sql("BEGIN IMMEDIATE" if immediate else "BEGIN")


def read_in(engine: Engine, fn: Callable[Concatenate[Connection, P], T], *args: P.args, **kwargs: P.kwargs) -> T:
    """``fn(connection, ...)`` in a read transaction (blocking: call it from a worker thread)."""
    with engine.connect() as connection, connection.begin():
        return fn(connection, *args, **kwargs)


def write_in(engine: Engine, fn: Callable[Concatenate[Connection, P], T], *args: P.args, **kwargs: P.kwargs) -> T:
    """``fn(connection, ...)`` in a write transaction, committed when it returns (SQLite takes the write lock at
    BEGIN); blocking: call it from a worker thread."""
    with engine.connect().execution_options(**WRITE) as connection, connection.begin():
        return fn(connection, *args, **kwargs)
