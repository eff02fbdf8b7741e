"""Macro expansion checked against Grafana's PostgreSQL data source for the same SQL.

Expected strings come from Grafana's documented cases:
- grafana/grafana ``pkg/tsdb/grafana-postgresql-datasource/macros_test.go`` (TestMacroEngine)
  https://github.com/grafana/grafana/blob/main/pkg/tsdb/grafana-postgresql-datasource/macros_test.go
- its global substitutions (``$__interval``, ``$__interval_ms``, ``$__unixEpochFrom()``) in ``sqleng/sql_engine.go``
  (``Interpolate``) and ``$__interval`` formatting in grafana-plugin-sdk-go ``backend/gtime`` (``FormatInterval``)
- ``$__table`` / ``$__column`` in grafana-plugin-sdk-go ``data/sqlutil/macros.go`` (DefaultMacros)
- the macro table of https://grafana.com/docs/grafana/latest/datasources/postgres/query-editor/ (Macros)
"""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest

from grafana_plugin_sdk.data import FillMissing, FillMode
from grafana_plugin_sdk.sqlutil import MacroError, PostgresDialect, Query, SQLiteDialect, interpolate

FROM = datetime(2018, 4, 12, 18, 0, tzinfo=UTC)
TO = FROM + timedelta(minutes=5)
PG = PostgresDialect()


def expand(sql: str, start: datetime = FROM, end: datetime = TO, **kwargs: object) -> str:
    return interpolate(Query(sql, start, end, **kwargs), PG).sql  # type: ignore[arg-type]


@pytest.mark.parametrize(
    ("sql", "expected"),
    [
        # macros_test.go, "Given a time range between 2018-04-12 00:00 and 2018-04-12 00:05"
        ("select $__time(time_column)", 'select time_column AS "time"'),
        ("select min($__time(time_column))", 'select min(time_column AS "time")'),
        (
            "WHERE $__timeFilter(time_column)",
            "WHERE time_column BETWEEN '2018-04-12T18:00:00Z' AND '2018-04-12T18:05:00Z'",
        ),
        ("select $__timeFrom()", "select '2018-04-12T18:00:00Z'"),
        ("select $__timeTo()", "select '2018-04-12T18:05:00Z'"),
        # "interpolate __timeGroup function pre 5.3 compatibility"
        (
            "SELECT $__timeGroup(time_column,'5m'), value",
            'SELECT floor(extract(epoch from time_column)/300)*300 AS "time", value',
        ),
        (
            "SELECT $__timeGroup(time_column,'5m') as time, value",
            "SELECT floor(extract(epoch from time_column)/300)*300 as time, value",
        ),
        ("SELECT $__timeGroup(time_column,'5m')", "SELECT floor(extract(epoch from time_column)/300)*300"),
        (
            "SELECT $__timeGroupAlias(time_column,'5m')",
            'SELECT floor(extract(epoch from time_column)/300)*300 AS "time"',
        ),
        # "with spaces between args"
        ("$__timeGroup(time_column , '5m')", "floor(extract(epoch from time_column)/300)*300"),
        ("$__timeGroupAlias(time_column , '5m')", 'floor(extract(epoch from time_column)/300)*300 AS "time"'),
        ("select $__unixEpochFilter(time)", "select time >= 1523556000 AND time <= 1523556300"),
        ("select $__unixEpochNanoFilter(time)", "select time >= 1523556000000000000 AND time <= 1523556300000000000"),
        ("select $__unixEpochNanoFrom()", "select 1523556000000000000"),
        ("select $__unixEpochNanoTo()", "select 1523556300000000000"),
        (
            "SELECT $__unixEpochGroup(time_column+time_adjustment,'5m')",
            "SELECT floor((time_column+time_adjustment)/300)*300",
        ),
        (
            "SELECT $__unixEpochGroupAlias(time_column+time_adjustment,'5m')",
            'SELECT floor((time_column+time_adjustment)/300)*300 AS "time"',
        ),
        # sql_engine.go Interpolate: epoch seconds of the range
        ("$__unixEpochFrom() $__unixEpochTo()", "1523556000 1523556300"),
    ],
)
def test_postgres_macros_as_grafana(sql: str, expected: str) -> None:
    assert expand(sql) == expected


@pytest.mark.parametrize(
    ("sql", "expected"),
    [
        # macros_test.go, "interpolate __timeGroup function with ... TimescaleDB enabled"
        ("GROUP BY $__timeGroup(time_column,'5m')", "GROUP BY time_bucket('300.000s',time_column)"),
        ("GROUP BY $__timeGroup(time_column , '5m')", "GROUP BY time_bucket('300.000s',time_column)"),
        ("GROUP BY $__timeGroup(time_column , '12d')", "GROUP BY time_bucket('1036800.000s',time_column)"),
        ("GROUP BY $__timeGroup(time_column , '20ms')", "GROUP BY time_bucket('0.020s',time_column)"),
    ],
)
def test_timescaledb_time_bucket(sql: str, expected: str) -> None:
    assert interpolate(Query(sql, FROM, TO), PostgresDialect(timescaledb=True)).sql == expected


@pytest.mark.parametrize(
    ("start", "end", "low", "high"),
    [
        # macros_test.go: ranges before the epoch and with half seconds (RFC 3339 with nanoseconds)
        (
            datetime(1960, 2, 1, 7, tzinfo=UTC),
            datetime(1965, 2, 3, 8, tzinfo=UTC),
            "1960-02-01T07:00:00Z",
            "1965-02-03T08:00:00Z",
        ),
        (
            datetime(1960, 2, 1, 7, 0, 0, 500_000, tzinfo=UTC),
            datetime(1980, 2, 3, 8, 0, 0, 500_000, tzinfo=UTC),
            "1960-02-01T07:00:00.5Z",
            "1980-02-03T08:00:00.5Z",
        ),
    ],
)
def test_time_filter_formats_rfc3339_nano(start: datetime, end: datetime, low: str, high: str) -> None:
    assert expand("WHERE $__timeFilter(time_column)", start, end) == f"WHERE time_column BETWEEN '{low}' AND '{high}'"


def test_unix_epoch_filter_before_1970() -> None:
    start, end = datetime(1960, 2, 1, 7, tzinfo=UTC), datetime(1980, 2, 3, 8, tzinfo=UTC)
    assert expand("select $__unixEpochFilter(time)", start, end) == "select time >= -312915600 AND time <= 318412800"


@pytest.mark.parametrize(
    ("interval", "text", "ms"),
    [  # gtime.FormatInterval: the largest whole unit; sql_engine.go: $__interval_ms in milliseconds
        (timedelta(minutes=10), "10m", "600000"),
        (timedelta(seconds=90), "1m", "90000"),
        (timedelta(days=400), "1y", "34560000000"),
        (timedelta(hours=49), "2d", "176400000"),
        (timedelta(milliseconds=250), "250ms", "250"),
        (timedelta(microseconds=10), "1ms", "0"),
    ],
)
def test_interval_variables(interval: timedelta, text: str, ms: str) -> None:
    assert expand("SELECT $__interval, $__interval_ms", interval=interval) == f"SELECT {text}, {ms}"


def test_interval_inside_time_group_and_table_column() -> None:
    sql = "SELECT $__timeGroup(time, $__interval), $__column FROM $__table"
    expanded = expand(sql, interval=timedelta(minutes=1), table="metrics", column="cpu")
    assert expanded == 'SELECT floor(extract(epoch from time)/60)*60 AS "time", cpu FROM metrics'


@pytest.mark.parametrize(
    ("arg", "fill"),
    [
        ("NULL", FillMissing(FillMode.NULL)),
        ("previous", FillMissing(FillMode.PREVIOUS)),
        ("27", FillMissing(FillMode.VALUE, 27.0)),
        ("-1.5", FillMissing(FillMode.VALUE, -1.5)),
    ],
)
def test_time_group_fill_argument(arg: str, fill: FillMissing) -> None:
    result = interpolate(Query(f'SELECT $__timeGroup("time",5m,{arg}) FROM t', FROM, TO), PG)
    assert result.sql == 'SELECT floor(extract(epoch from "time")/300)*300 FROM t'
    assert (result.fill, result.fill_interval) == (fill, timedelta(minutes=5))
    assert interpolate(Query("SELECT $__timeGroup(t, 1h)", FROM, TO), PG).fill is None


def test_nested_parentheses_and_untouched_text() -> None:
    assert expand("SELECT $__timeGroup(coalesce(a, b), '1h') AS t, '$__notAMacro', $1") == (
        "SELECT floor(extract(epoch from coalesce(a, b))/3600)*3600 AS t, '$__notAMacro', $1"
    )


@pytest.mark.parametrize(
    ("sql", "message"),
    [
        ("$__timeFilter()", "missing time column argument for macro"),
        ("$__timeGroup(time)", "needs time column and interval"),
        ("$__timeGroup(time, soon)", "error parsing interval soon"),
        ("$__timeGroup(time, 0s)", "positive interval"),
        ("$__timeGroup(time, 5m, sometimes)", "error parsing fill value sometimes"),
        ("$__nope(x)", "unknown macro $__nope"),
        ("$__timeFilter(time", "no closing parenthesis"),
    ],
)
def test_macro_errors(sql: str, message: str) -> None:
    with pytest.raises(MacroError, match=message.replace("$", r"\$")):
        expand(sql)


def test_sqlite_dialect_works_on_epoch_seconds() -> None:
    expanded = interpolate(
        Query(
            "SELECT $__timeGroupAlias(time, 5m), $__timeEpoch(t) WHERE $__timeFilter(time) AND $__timeFrom() < 1",
            FROM,
            TO,
        ),
        SQLiteDialect(),
    ).sql
    assert expanded == (
        'SELECT (CAST(time / 300 AS INTEGER) * 300) AS "time", t AS "time" '
        "WHERE time BETWEEN 1523556000 AND 1523556300 AND 1523556000 < 1"
    )
