"""Run a SQL query on a SQLite file (read-only) and turn the rows into a data frame."""

from __future__ import annotations

import sqlite3
from collections.abc import Sequence
from pathlib import Path
from typing import Any

import numpy as np

from grafana_plugin_sdk.data import Field, FieldType, Frame, FrameMeta, FrameType, Notice, NoticeSeverity, long_to_wide

from .macros import MacroContext, expand

TIME_COLUMNS = ("time", "time_sec", "timestamp")


class QueryError(ValueError):
    """The query cannot run: bad SQL, missing database, unsupported format."""


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


def _field(name: str, values: list[Any]) -> Field:
    kinds = {type(v) for v in values if v is not None}
    if name.lower() in TIME_COLUMNS and kinds <= {int, float}:
        seconds = np.array([np.nan if v is None else v for v in values], dtype=np.float64)
        ns = np.round(seconds * 1e9).astype("datetime64[ns]")
        ns[np.isnan(seconds)] = np.datetime64("NaT")
        return Field(name, ns, type=FieldType.TIME)
    if kinds <= {int}:
        return Field(name, values, type=FieldType.INT64, nullable=True)
    if kinds <= {int, float}:
        return Field(name, [None if v is None else float(v) for v in values], type=FieldType.FLOAT64, nullable=True)
    if kinds <= {bytes}:
        values = [None if v is None else v.decode("utf-8", "replace") for v in values]
    else:
        values = [None if v is None else str(v) for v in values]
    return Field(name, values, type=FieldType.STRING, nullable=True)


def run_query(
    connection: sqlite3.Connection, sql: str, ctx: MacroContext, *, fmt: str = "table", row_limit: int = 1_000_000
) -> Frame:
    """Expand macros, run the SQL and build a frame; ``time_series`` turns a long result into a wide one."""
    if fmt not in ("table", "time_series"):
        raise QueryError(f"format must be table or time_series, got {fmt!r}")
    expanded = expand(sql, ctx)
    try:
        cursor = connection.execute(expanded)
        rows: Sequence[tuple[Any, ...]] = cursor.fetchmany(row_limit + 1)
    except sqlite3.Error as exc:
        raise QueryError(f"SQL error: {exc}") from None
    names = [d[0] for d in cursor.description or ()]
    notices = []
    if len(rows) > row_limit:
        rows = rows[:row_limit]
        notices.append(f"Results have been limited to {row_limit} rows")
    columns = list(zip(*rows, strict=True)) if rows else [() for _ in names]
    frame = Frame("", [_field(n, list(c)) for n, c in zip(names, columns, strict=True)])
    frame_type = FrameType.TABLE
    if fmt == "time_series":
        if not any(f.type is FieldType.TIME for f in frame.fields):
            raise QueryError(f"time_series format needs a time column named one of {', '.join(TIME_COLUMNS)}")
        frame, frame_type = long_to_wide(frame), FrameType.TIMESERIES_WIDE
    frame.meta = FrameMeta(
        type=frame_type,
        executed_query_string=expanded,
        notices=[Notice(severity=NoticeSeverity.WARNING, text=t) for t in notices],
    )
    return frame
