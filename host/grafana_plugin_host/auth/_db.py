"""Running store functions in a transaction from a worker thread (the authenticator, start-up, the CLI)."""

from __future__ import annotations

from collections.abc import Callable
from typing import Concatenate, ParamSpec, TypeVar

from sqlalchemy import Connection, Engine

from grafana_plugin_host.store._engine import WRITE

P = ParamSpec("P")
T = TypeVar("T")


def read(engine: Engine, fn: Callable[Concatenate[Connection, P], T], *args: P.args, **kwargs: P.kwargs) -> T:
    """``fn(conn, ...)`` in a read transaction."""
    with engine.connect() as conn:
        return fn(conn, *args, **kwargs)


def write(engine: Engine, fn: Callable[Concatenate[Connection, P], T], *args: P.args, **kwargs: P.kwargs) -> T:
    """``fn(conn, ...)`` in a write transaction (SQLite takes the write lock at BEGIN), committed on success."""
    with engine.connect().execution_options(**WRITE) as conn, conn.begin():
        return fn(conn, *args, **kwargs)
