"""SQLite example: macros, typed result frames, time_series long -> wide, clear errors."""

from __future__ import annotations

import sqlite3
from collections.abc import Iterator
from contextlib import closing
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest
from python_sqlite_datasource.demo import SENSORS, create_demo_database
from python_sqlite_datasource.macros import MacroContext, MacroError, expand
from python_sqlite_datasource.query import QueryError, connect, run_query

from grafana_plugin_sdk.data import FieldType, FrameType

NOW = datetime(2026, 11, 24, 12, 0, tzinfo=UTC)
CTX = MacroContext(NOW - timedelta(hours=1), NOW, timedelta(seconds=30))


@pytest.fixture
def demo(tmp_path: Path) -> Iterator[sqlite3.Connection]:
    path = tmp_path / "demo.sqlite"
    create_demo_database(path, now=NOW.timestamp(), minutes=120)
    with closing(connect(str(path))) as db:
        yield db


def test_macros_expand() -> None:
    start, end = int(CTX.start.timestamp()), int(CTX.end.timestamp())
    sql = "SELECT $__timeGroup(time, 5m) AS time FROM t WHERE $__timeFilter(time) AND x > $__interval"
    assert expand(sql, CTX) == (
        f"SELECT (CAST(time / 300 AS INTEGER) * 300) AS time FROM t WHERE time BETWEEN {start} AND {end} AND x > 30"
    )
    assert expand("$__timeFrom() $__timeTo() $__interval_ms", CTX) == f"{start} {end} 30000"
    assert expand("$__timeGroup(time, $__interval)", CTX) == "(CAST(time / 30 AS INTEGER) * 30)"


@pytest.mark.parametrize(
    ("sql", "message"),
    [
        ("$__timeFilter()", "takes 1 argument"),
        ("$__timeGroup(time)", "takes 2 argument"),
        ("$__timeGroup(time, soon)", "expected an interval"),
        ("$__interval(3)", "takes no arguments"),
    ],
)
def test_macro_errors(sql: str, message: str) -> None:
    with pytest.raises(MacroError, match=message):
        expand(sql, CTX)


def test_table_query_types_columns(demo: sqlite3.Connection) -> None:
    frame = run_query(
        demo, "SELECT time, sensor, temperature FROM readings WHERE $__timeFilter(time) ORDER BY time", CTX
    )
    assert [f.type for f in frame.fields] == [FieldType.TIME, FieldType.STRING, FieldType.FLOAT64]
    assert frame.rows == 61 * len(SENSORS)
    assert frame.meta is not None and frame.meta.type is FrameType.TABLE
    assert "BETWEEN" in frame.meta.executed_query_string


def test_time_series_is_wide_with_labels(demo: sqlite3.Connection) -> None:
    sql = (
        "SELECT $__timeGroup(time, 10m) AS time, sensor, avg(temperature) AS temperature FROM readings "
        "WHERE $__timeFilter(time) GROUP BY 1, 2 ORDER BY 1"
    )
    frame = run_query(demo, sql, CTX, fmt="time_series")
    assert frame.meta is not None and frame.meta.type is FrameType.TIMESERIES_WIDE
    assert frame.fields[0].type is FieldType.TIME
    assert sorted((f.labels or {}).get("sensor", "") for f in frame.fields[1:]) == sorted(SENSORS)


def test_row_limit_adds_a_notice(demo: sqlite3.Connection) -> None:
    frame = run_query(demo, "SELECT * FROM readings", CTX, row_limit=10)
    assert frame.rows == 10
    assert frame.meta is not None and "limited to 10 rows" in frame.meta.notices[0].text


def test_errors(demo: sqlite3.Connection, tmp_path: Path) -> None:
    with pytest.raises(QueryError, match="SQL error"):
        run_query(demo, "SELECT nope FROM readings", CTX)
    with pytest.raises(QueryError, match="format must be"):
        run_query(demo, "SELECT 1", CTX, fmt="graph")
    with pytest.raises(QueryError, match="needs a time column"):
        run_query(demo, "SELECT sensor, temperature FROM readings", CTX, fmt="time_series")
    with pytest.raises(QueryError, match="database file not found"):
        connect(str(tmp_path / "missing.sqlite"))
    with pytest.raises(sqlite3.OperationalError, match="readonly"):
        demo.execute("DELETE FROM readings")
