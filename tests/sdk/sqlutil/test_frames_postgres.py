"""Frames from a real PostgreSQL through psycopg (sync and async), checked against Grafana's PostgreSQL data source.

The tables, SQL, time range and expected frames are the documented snapshot cases of Grafana's PostgreSQL data
source, ``pkg/tsdb/grafana-postgresql-datasource/postgres_snapshot_test.go`` (TestIntegrationPostgresSnapshots)
with ``testdata/time_series/fill_null``, ``fill_previous``, ``fill_value``, ``fill_value_wide`` and
``testdata/table/timestamp_convert_bigint``, ``types_numeric``:
https://github.com/grafana/grafana/tree/main/pkg/tsdb/grafana-postgresql-datasource/testdata
"""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

import pytest

from grafana_plugin_sdk.data import FieldType, Frame, FrameType
from grafana_plugin_sdk.sqlutil import Format, PostgresDialect, Query, QueryError, run_query, run_query_async

pytestmark = pytest.mark.postgres

# postgres_snapshot_test.go's time range for every case.
FROM = datetime(2023, 12, 24, 14, 15, 22, 0, tzinfo=UTC)
TO = datetime(2023, 12, 24, 14, 45, 13, 876_543, tzinfo=UTC)
LONG = """CREATE TEMPORARY TABLE tbl ("time" timestamp with time zone, v double precision, c text);
INSERT INTO tbl ("time", v, c) VALUES ('2023-12-24 14:21:03 UTC', 10, 'a'), ('2023-12-24 14:21:03 UTC', 110, 'b'),
('2023-12-24 14:23:03 UTC', 20, 'a'), ('2023-12-24 14:23:03 UTC', 120, 'b'),
('2023-12-24 14:39:03 UTC', 50, 'a'), ('2023-12-24 14:39:03 UTC', 150, 'b')"""
GRID = [1703427300000 + 300_000 * i for i in range(7)]  # 14:15 .. 14:45 UTC every 5 minutes


def epoch_ms(frame: Frame, index: int) -> list[int | None]:
    return [None if t is None else round(t.timestamp() * 1000) for t in frame.fields[index].to_pylist()]


def series(sql: str, pg: Any) -> Frame:
    return run_query(pg, Query(sql, FROM, TO, format=Format.TIME_SERIES), PostgresDialect())


@pytest.mark.parametrize(
    ("fill", "a", "b"),
    [
        ("NULL", [None, 15, None, None, 50, None, None], [None, 115, None, None, 150, None, None]),  # fill_null
        ("previous", [None, 15, 15, 15, 50, 50, 50], [None, 115, 115, 115, 150, 150, 150]),  # fill_previous
        ("27", [27, 15, 27, 27, 50, 27, 27], [27, 115, 27, 27, 150, 27, 27]),  # fill_value
    ],
)
def test_long_series_filled_as_grafana(pg: Any, fill: str, a: list[float | None], b: list[float | None]) -> None:
    pg.execute(LONG)
    frame = series(f'SELECT $__timeGroup("time",5m,{fill}),c,avg(v) AS "v" FROM tbl GROUP BY 1,2 ORDER BY 1,2', pg)
    assert frame.meta is not None and frame.meta.type is FrameType.TIMESERIES_WIDE
    assert frame.meta.executed_query_string == (
        'SELECT floor(extract(epoch from "time")/300)*300 AS "time",c,avg(v) AS "v" FROM tbl GROUP BY 1,2 ORDER BY 1,2'
    )
    time, va, vb = frame.fields
    assert (time.name, time.type, time.nullable) == ("Time", FieldType.TIME, False)
    assert [(f.name, f.type, f.nullable, f.labels) for f in (va, vb)] == [
        ("v", FieldType.FLOAT64, True, {"c": "a"}),
        ("v", FieldType.FLOAT64, True, {"c": "b"}),
    ]
    assert epoch_ms(frame, 0) == GRID
    assert (va.to_pylist(), vb.to_pylist()) == (a, b)


def test_wide_series_filled_with_value(pg: Any) -> None:  # fill_value_wide
    pg.execute(
        """CREATE TEMPORARY TABLE tbl ("time" timestamp with time zone, v1 double precision, v2 double precision);
        INSERT INTO tbl ("time", v1, v2) VALUES ('2023-12-24 14:21:03 UTC', 10, 110),
        ('2023-12-24 14:23:03 UTC', 20, 120), ('2023-12-24 14:39:03 UTC', 50, 150)"""
    )
    frame = series(
        'SELECT $__timeGroup("time",5m,27),avg(v1) AS "v1", avg(v2) AS "v2" FROM tbl GROUP BY 1 ORDER BY 1', pg
    )
    assert frame.meta is not None and frame.meta.type is None
    assert [(f.name, f.type, f.nullable) for f in frame.fields] == [
        ("Time", FieldType.TIME, True),
        ("v1", FieldType.FLOAT64, True),
        ("v2", FieldType.FLOAT64, True),
    ]
    assert epoch_ms(frame, 0) == GRID
    assert frame.fields[1].to_pylist() == [27, 15, 27, 27, 50, 27, 27]
    assert frame.fields[2].to_pylist() == [27, 115, 27, 27, 150, 27, 27]


def test_epoch_time_columns_convert_as_grafana(pg: Any) -> None:  # timestamp_convert_bigint
    pg.execute(
        """CREATE TEMPORARY TABLE tbl (reallyt timestamp with time zone, "time" bigint, n bigint, timeend bigint);
        INSERT INTO tbl (reallyt, "time", n, timeend) VALUES
        ('2023-12-24T14:21:27 UTC', 1703161287, 1703161287, 1703161312),
        ('2023-12-24T14:21:27.724 UTC', 1703161287724, 1703161287724, 1703161312522),
        ('2023-12-24T14:21:27.724919 UTC', 1703161287724919000, 1703161287724919000, 1703161312522186000),
        (NULL, NULL, NULL, NULL)"""
    )
    frame = run_query(pg, Query("SELECT * FROM tbl", FROM, TO, format=Format.TABLE), PostgresDialect())
    assert (
        frame.meta is not None and frame.meta.type is None and frame.meta.executed_query_string == "SELECT * FROM tbl"
    )
    assert [(f.name, f.type, f.nullable) for f in frame.fields] == [
        ("reallyt", FieldType.TIME, True),
        ("time", FieldType.TIME, True),
        ("n", FieldType.INT64, True),
        ("timeend", FieldType.TIME, True),
    ]
    assert epoch_ms(frame, 1) == [1703161287000, 1703161287724, 1703161287724, None]
    assert frame.fields[2].to_pylist() == [1703161287, 1703161287724, 1703161287724919000, None]
    assert epoch_ms(frame, 3) == [1703161312000, 1703161312522, 1703161312522, None]
    assert frame.fields[0].to_pylist()[2] == datetime(2023, 12, 24, 14, 21, 27, 724_919, tzinfo=UTC)


def test_column_types_as_grafana(pg: Any) -> None:  # types_numeric, types_char, types_other (sql_engine.go types)
    sql = (
        "SELECT 1::int2 AS i2, 2::int4 AS i4, 3::int8 AS i8, 1.5::float4 AS f4, 2.5::float8 AS f8, 3.25::numeric AS num,"
        " true AS b, 'x'::text AS t, 'y'::varchar AS vc, '{\"k\": 1}'::jsonb AS j, '2024-01-02'::date AS d,"
        " '12:00'::time AS tm, NULL::int4 AS nothing"
    )
    frame = run_query(pg, Query(sql, FROM, TO, format=Format.TABLE), PostgresDialect())
    assert [f.type for f in frame.fields] == [
        FieldType.INT16,
        FieldType.INT32,
        FieldType.INT64,
        FieldType.FLOAT64,
        FieldType.FLOAT64,
        FieldType.FLOAT64,
        FieldType.BOOL,
        FieldType.STRING,
        FieldType.STRING,
        FieldType.JSON,
        FieldType.TIME,
        FieldType.STRING,
        FieldType.INT32,
    ]
    assert all(f.nullable for f in frame.fields)
    row = [f.to_pylist()[0] for f in frame.fields]
    assert row == [
        1,
        2,
        3,
        1.5,
        2.5,
        3.25,
        True,
        "x",
        "y",
        {"k": 1},
        datetime(2024, 1, 2, tzinfo=UTC),
        "12:00:00",
        None,
    ]


def test_metric_column_names_series_and_row_limit(pg: Any) -> None:  # 7x_compat_metric_label; sql_engine.go limit
    pg.execute(LONG)
    frame = series('SELECT "time", c AS metric, v FROM tbl ORDER BY 1', pg)
    assert [(f.name, f.labels) for f in frame.fields] == [("Time", None), ("a", None), ("b", None)]
    limited = run_query(pg, Query("SELECT * FROM tbl", FROM, TO, format=Format.TABLE), PostgresDialect(), limit=4)
    assert limited.rows == 4 and limited.meta is not None
    assert [n.text for n in limited.meta.notices] == [
        "Results have been limited to 4 because the SQL row limit was reached"
    ]


def test_errors_name_the_problem(pg: Any) -> None:
    pg.execute(LONG)
    with pytest.raises(QueryError, match=r'db query error: .*"nope"'):
        run_query(pg, Query("SELECT nope FROM tbl", FROM, TO), PostgresDialect())
    with pytest.raises(QueryError, match="time column is missing"):
        series("SELECT c, v FROM tbl", pg)
    with pytest.raises(QueryError, match="interpolation failed: unknown macro"):
        series("SELECT $__bogus(x)", pg)
    assert pg.execute("SELECT 1").fetchone() == (1,)  # the connection is still usable (autocommit)
    empty = series("SELECT * FROM tbl WHERE false", pg)
    assert empty.fields == [] and empty.meta is not None and empty.meta.executed_query_string


async def test_async_driver_gives_the_same_frame(pg: Any, pg_url: str) -> None:
    import psycopg

    pg.execute("CREATE TEMPORARY TABLE tbl (t timestamptz, v int4)")
    pg.execute("INSERT INTO tbl VALUES ('2023-12-24 14:21:03 UTC', 1), ('2023-12-24 14:26:03 UTC', NULL)")
    pg.execute("CREATE TABLE IF NOT EXISTS sqlutil_async AS SELECT * FROM tbl")
    query = Query("SELECT $__timeGroupAlias(t, 5m, previous), v FROM sqlutil_async ORDER BY 1", FROM, TO)
    try:
        async with await psycopg.AsyncConnection.connect(pg_url) as connection:
            frame = await run_query_async(connection, query, PostgresDialect())
        assert frame == run_query(pg, query, PostgresDialect())
    finally:
        pg.execute("DROP TABLE sqlutil_async")
    assert epoch_ms(frame, 0) == GRID
    # A real NULL is a value: "previous" repeats it, as Grafana's resampling does.
    assert frame.fields[1].to_pylist() == [None, 1.0, None, None, None, None, None]
