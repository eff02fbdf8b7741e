"""SQLite example through ``grafana_plugin_sdk.sqlutil``: typed result frames, time_series long -> wide, fill, errors."""

from __future__ import annotations

import sqlite3
from collections.abc import Iterator
from contextlib import closing
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest
from python_sqlite_datasource.demo import SENSORS, create_demo_database
from python_sqlite_datasource.query import connect

from grafana_plugin_sdk.data import FieldType, FrameType
from grafana_plugin_sdk.sqlutil import Format, Query, QueryError, SQLiteDialect, run_query

NOW = datetime(2026, 11, 24, 12, 0, tzinfo=UTC)
START = NOW - timedelta(hours=1)
SQLITE = SQLiteDialect()


def query(sql: str, fmt: Format = Format.TABLE) -> Query:
    return Query(sql, START, NOW, interval=timedelta(seconds=30), format=fmt)


@pytest.fixture
def demo(tmp_path: Path) -> Iterator[sqlite3.Connection]:
    path = tmp_path / "demo.sqlite"
    create_demo_database(path, now=NOW.timestamp(), minutes=120)
    with closing(connect(str(path))) as db:
        yield db


def test_table_query_types_columns(demo: sqlite3.Connection) -> None:
    sql = (
        "SELECT time, sensor, temperature, humidity > 50 AS humid FROM readings WHERE $__timeFilter(time) ORDER BY time"
    )
    frame = run_query(demo, query(sql), SQLITE)
    assert [(f.name, f.type, f.nullable) for f in frame.fields] == [
        ("time", FieldType.TIME, True),
        ("sensor", FieldType.STRING, True),
        ("temperature", FieldType.FLOAT64, True),
        ("humid", FieldType.INT64, True),  # SQLite has no booleans: 0/1 integers
    ]
    assert frame.rows == 61 * len(SENSORS)
    assert frame.fields[0].to_pylist()[0] == START
    assert frame.meta is not None and frame.meta.type is None
    assert f"BETWEEN {int(START.timestamp())} AND {int(NOW.timestamp())}" in frame.meta.executed_query_string


def test_time_series_is_wide_with_labels(demo: sqlite3.Connection) -> None:
    sql = (
        "SELECT $__timeGroupAlias(time, 10m), sensor, avg(temperature) AS temperature FROM readings "
        "WHERE $__timeFilter(time) GROUP BY 1, 2 ORDER BY 1"
    )
    frame = run_query(demo, query(sql, Format.TIME_SERIES), SQLITE)
    assert frame.meta is not None and frame.meta.type is FrameType.TIMESERIES_WIDE
    assert (frame.fields[0].name, frame.fields[0].type) == ("Time", FieldType.TIME)
    assert sorted((f.labels or {}).get("sensor", "") for f in frame.fields[1:]) == sorted(SENSORS)
    assert frame.rows == 7  # 11:00 .. 12:00 every 10 minutes


def test_fill_covers_the_whole_range(demo: sqlite3.Connection) -> None:
    sql = "SELECT $__timeGroup(time, 5m, 0), avg(temperature) AS t FROM readings WHERE sensor = 'nowhere' GROUP BY 1"
    assert run_query(demo, query(sql, Format.TIME_SERIES), SQLITE).fields == []  # no rows: nothing to fill
    sql = "SELECT $__timeGroup(time, 5m, 0), avg(temperature) AS t FROM readings WHERE time < $__timeFrom() + 600 GROUP BY 1"
    frame = run_query(demo, query(sql, Format.TIME_SERIES), SQLITE)
    assert frame.rows == 13 and frame.fields[1].to_pylist()[2:] == [0.0] * 11


def test_row_limit_adds_a_notice(demo: sqlite3.Connection) -> None:
    frame = run_query(demo, query("SELECT * FROM readings"), SQLITE, limit=10)
    assert frame.rows == 10
    assert frame.meta is not None and "limited to 10 because" in frame.meta.notices[0].text


def test_errors(demo: sqlite3.Connection, tmp_path: Path) -> None:
    with pytest.raises(QueryError, match="db query error: no such column: nope"):
        run_query(demo, query("SELECT nope FROM readings"), SQLITE)
    with pytest.raises(QueryError, match="time column is missing"):
        run_query(demo, query("SELECT sensor, temperature FROM readings", Format.TIME_SERIES), SQLITE)
    with pytest.raises(QueryError, match="failed to convert time column"):
        run_query(demo, query("SELECT 'noon' AS time"), SQLITE)
    with pytest.raises(QueryError, match="database file not found"):
        connect(str(tmp_path / "missing.sqlite"))
    with pytest.raises(sqlite3.OperationalError, match="readonly"):
        demo.execute("DELETE FROM readings")
