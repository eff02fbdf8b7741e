"""Run a query on a DB-API 2 connection (sync, or async as psycopg's and aiosqlite's) and shape the frame."""

from __future__ import annotations

import inspect
from collections.abc import Mapping
from typing import Any

from grafana_plugin_sdk.data import Frame

from ._dialect import Dialect
from ._macros import MacroError, interpolate
from ._query import Query, QueryError
from ._rows import frame_from_rows
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
    sql, interpolated = _interpolate(query, dialect)
    cursor = connection.cursor()
    try:
        cursor.execute(sql)
        description = cursor.description
        rows = cursor.fetchmany(limit + 1) if description else []
    except Exception as exc:  # any driver error is the query's: DB-API drivers have no common base class
        raise QueryError(f"db query error: {exc}") from exc
    finally:
        cursor.close()
    return shape(
        frame_from_rows(description or (), rows, dialect, row_limit=limit),
        query,
        interpolated,
        dialect,
        row_limit=limit,
    )


async def run_query_async(connection: Any, query: Query, dialect: Dialect, *, limit: int = DEFAULT_ROW_LIMIT) -> Frame:
    """:func:`run_query` for an async DB-API connection (``cursor()``, ``execute``, ``fetchmany`` awaitable)."""
    sql, interpolated = _interpolate(query, dialect)
    cursor = await _maybe_await(connection.cursor())
    try:
        await cursor.execute(sql)
        description = cursor.description
        rows = await cursor.fetchmany(limit + 1) if description else []
    except Exception as exc:  # any driver error is the query's: DB-API drivers have no common base class
        raise QueryError(f"db query error: {exc}") from exc
    finally:
        await _maybe_await(cursor.close())
    return shape(
        frame_from_rows(description or (), rows, dialect, row_limit=limit),
        query,
        interpolated,
        dialect,
        row_limit=limit,
    )


def _interpolate(query: Query, dialect: Dialect) -> tuple[str, Any]:
    if not query.raw_sql.strip():
        raise QueryError("rawSql is empty")
    try:
        interpolated = interpolate(query, dialect)
    except MacroError as exc:
        raise QueryError(f"interpolation failed: {exc}") from None
    return interpolated.sql, interpolated


async def _maybe_await(value: Any) -> Any:
    return await value if inspect.isawaitable(value) else value
