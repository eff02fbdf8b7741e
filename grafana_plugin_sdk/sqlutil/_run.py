"""Run a query on a DB-API 2 connection (sync, or async as psycopg's and aiosqlite's) and shape the frame."""

from __future__ import annotations

import contextlib
import inspect
from collections.abc import Iterator, Mapping, Sequence
from typing import Any

from grafana_plugin_sdk.data import Frame

from ._dialect import Dialect
from ._macros import Interpolated, MacroError, interpolate
from ._query import Query, QueryError
from ._rows import Description, frame_from_rows
from ._shape import shape

DEFAULT_ROW_LIMIT = 1_000_000
"""Grafana's default ``[sql] row_limit``."""


def row_limit(grafana_config: Mapping[str, str]) -> int:
    """The row limit Grafana sends plugins (``GF_SQL_ROW_LIMIT``), or the default when unset or invalid."""
    try:
        limit = int(grafana_config.get("GF_SQL_ROW_LIMIT", "") or DEFAULT_ROW_LIMIT)
    except ValueError:
        return DEFAULT_ROW_LIMIT
    return limit if limit > 0 else DEFAULT_ROW_LIMIT


def run_query(connection: Any, query: Query, dialect: Dialect, *, limit: int = DEFAULT_ROW_LIMIT) -> Frame:
    """Expand the macros, run the SQL on a DB-API 2 connection, and return the shaped frame.

    Raises QueryError (with the driver's message for SQL errors; macro errors are QueryErrors too).
    """
    interpolated = _interpolate(query, dialect)
    cursor = connection.cursor()
    try:
        with _driver_errors():
            cursor.execute(interpolated.sql)
            rows = cursor.fetchmany(limit + 1) if cursor.description else []
        return _frame(cursor.description, rows, query, interpolated, dialect, limit)
    finally:
        cursor.close()


async def run_query_async(connection: Any, query: Query, dialect: Dialect, *, limit: int = DEFAULT_ROW_LIMIT) -> Frame:
    """:func:`run_query` for an async DB-API connection (``cursor()``, ``execute``, ``fetchmany`` awaitable)."""
    interpolated = _interpolate(query, dialect)
    cursor = await _maybe_await(connection.cursor())
    try:
        with _driver_errors():
            await cursor.execute(interpolated.sql)
            rows = await cursor.fetchmany(limit + 1) if cursor.description else []
        return _frame(cursor.description, rows, query, interpolated, dialect, limit)
    finally:
        await _maybe_await(cursor.close())


@contextlib.contextmanager
def _driver_errors() -> Iterator[None]:
    """Any driver error is the query's (DB-API drivers share no base class): a QueryError with its message."""
    try:
        yield
    except Exception as exc:
        raise QueryError(f"db query error: {exc}") from exc


def _frame(
    description: Description | None,
    rows: Sequence[Sequence[Any]],
    query: Query,
    interpolated: Interpolated,
    dialect: Dialect,
    limit: int,
) -> Frame:
    frame = frame_from_rows(description or (), rows, dialect, row_limit=limit)
    return shape(frame, query, interpolated, dialect, row_limit=limit)


def _interpolate(query: Query, dialect: Dialect) -> Interpolated:
    if not query.raw_sql.strip():
        raise QueryError("rawSql is empty")
    try:
        return interpolate(query, dialect)
    except MacroError as exc:
        raise QueryError(f"interpolation failed: {exc}") from None


async def _maybe_await(value: Any) -> Any:
    return await value if inspect.isawaitable(value) else value
