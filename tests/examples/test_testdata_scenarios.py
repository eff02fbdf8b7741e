"""TestData scenarios, called directly: shapes, parameters, determinism and clear parameter errors."""

from __future__ import annotations

import asyncio
from datetime import UTC, datetime, timedelta

import numpy as np
import orjson
import pytest
from python_testdata_datasource.scenarios import (
    SCENARIOS,
    ScenarioError,
    csv_content,
    csv_metric_values,
    large_frame,
    parse_duration,
    parse_labels,
    random_walk,
    slow_query,
    table_static,
)

from grafana_plugin_sdk.backend import DataQuery, PluginContext, QueryDataRequest, TimeRange
from grafana_plugin_sdk.data import FieldType

START = datetime(2022, 2, 10, 10, 15, 52, 84000, tzinfo=UTC)


def _query(ref_id: str = "A", *, minutes: int = 5, max_points: int = 100, **model: object) -> DataQuery:
    return DataQuery(
        ref_id=ref_id,
        time_range=TimeRange(START, START + timedelta(minutes=minutes)),
        max_data_points=max_points,
        interval=timedelta(seconds=1),
        json=orjson.dumps({"refId": ref_id, **model}),
    )


def _request(*queries: DataQuery) -> QueryDataRequest:
    return QueryDataRequest(PluginContext(plugin_id="python-testdata-datasource"), list(queries))


def test_csv_metric_values_matches_the_seed_example() -> None:
    query = _query(stringInput="1,20,90,30,5,0")
    (frame,) = csv_metric_values(_request(query), query).frames
    frame.ref_id = "A"
    doc = orjson.loads(frame.to_json())
    assert doc["schema"] == {
        "refId": "A",
        "fields": [
            {"name": "time", "type": "time", "typeInfo": {"frame": "time.Time"}},
            {"name": "A-series", "type": "number", "typeInfo": {"frame": "int64", "nullable": True}},
        ],
    }
    assert doc["data"]["values"] == [
        [1644488152084, 1644488212084, 1644488272084, 1644488332084, 1644488392084, 1644488452084],
        [1, 20, 90, 30, 5, 0],
    ]


def test_csv_metric_values_floats_and_nulls() -> None:
    query = _query(stringInput="1.5, null, 3")
    (frame,) = csv_metric_values(_request(query), query).frames
    assert frame.fields[1].type is FieldType.FLOAT64
    assert frame.fields[1].to_pylist() == [1.5, None, 3.0]
    with pytest.raises(ScenarioError, match="numbers separated by commas"):
        csv_metric_values(_request(query), _query(stringInput="1,x"))


def test_random_walk_is_deterministic_with_a_seed_and_respects_bounds() -> None:
    query = _query(seriesCount=3, seed=7, min=10, max=20, spread=50, labels="env=prod")
    first = random_walk(_request(query), query)
    second = random_walk(_request(query), query)
    assert [f.to_json() for f in first.frames] == [f.to_json() for f in second.frames]
    assert len(first.frames) == 3
    for frame in first.frames:
        values = frame.fields[1].to_numpy()
        assert len(values) == 100 and values.min() >= 10 and values.max() <= 20
        assert frame.fields[1].labels is not None and frame.fields[1].labels["env"] == "prod"
    times = first.frames[0].fields[0].values.cast("int64").to_numpy()
    assert np.all(np.diff(times) == 3_000_000_000)  # 5 minutes / 100 points = 3 s


def test_random_walk_rejects_bad_parameters() -> None:
    with pytest.raises(ScenarioError, match=r"min .* greater than max"):
        random_walk(_request(), _query(min=5, max=1))
    with pytest.raises(ScenarioError, match="seriesCount must be a whole number"):
        random_walk(_request(), _query(seriesCount=-1))
    with pytest.raises(ScenarioError, match="labels must look like key=value"):
        random_walk(_request(), _query(labels="nonsense"))


def test_csv_content_types_each_column() -> None:
    query = _query(csvContent="name,count,ratio,ok\na,1,0.5,true\nb,,1.5,false\n")
    (frame,) = csv_content(_request(query), query).frames
    assert [f.type for f in frame.fields] == [FieldType.STRING, FieldType.INT64, FieldType.FLOAT64, FieldType.BOOL]
    assert frame.fields[1].to_pylist() == [1, None]
    with pytest.raises(ScenarioError, match="rows must all have 2 cells"):
        csv_content(_request(), _query(csvContent="a,b\n1\n"))


def test_table_static_and_large_frame() -> None:
    (table,) = table_static(_request(), _query()).frames
    assert [f.name for f in table.fields] == ["time", "host", "cpu", "requests", "healthy"]
    (big,) = large_frame(_request(), _query(rows=250_000, seed=1)).frames
    assert big.rows == 250_000
    with pytest.raises(ScenarioError, match="rows must be a whole number"):
        large_frame(_request(), _query(rows=10**9))


def test_slow_query_waits() -> None:
    query = _query(stringInput="50ms", seed=1)
    loop = asyncio.new_event_loop()
    try:
        started = loop.time()
        response = loop.run_until_complete(slow_query(_request(query), query))
        assert loop.time() - started >= 0.05
    finally:
        loop.close()
    assert response.frames


def test_helpers() -> None:
    assert parse_duration("500ms") == 0.5 and parse_duration("2m") == 120 and parse_duration("3") == 3
    with pytest.raises(ScenarioError):
        parse_duration("soon")
    assert parse_labels('{a=1, b="two"}') == {"a": "1", "b": "two"}
    assert set(SCENARIOS) >= {"random_walk", "csv_metric_values", "server_error", "no_data_points", "large_frame"}


def _empty_range_query(**model: object) -> DataQuery:
    """A query whose range is empty, as the host sends when the request has no from/to (both the epoch)."""
    epoch = datetime(1970, 1, 1, tzinfo=UTC)
    return DataQuery(ref_id="A", time_range=TimeRange(epoch, epoch), max_data_points=100, json=orjson.dumps(model))


def test_empty_range_time_series_scenarios_answer_series_without_rows() -> None:
    query = _empty_range_query(seriesCount=2, seed=1)
    frames = random_walk(_request(query), query).frames
    assert [(frame.rows, [f.name for f in frame.fields]) for frame in frames] == [(0, ["time", "value"])] * 2
    slow = _empty_range_query(stringInput="0s")
    (frame,) = asyncio.run(slow_query(_request(slow), slow)).frames
    assert frame.rows == 0


def test_empty_range_table_static_has_its_columns_and_no_rows() -> None:
    query = _empty_range_query()
    (frame,) = table_static(_request(query), query).frames
    assert frame.rows == 0
    assert [(f.name, f.type) for f in frame.fields] == [
        ("time", FieldType.TIME),
        ("host", FieldType.STRING),
        ("cpu", FieldType.FLOAT64),
        ("requests", FieldType.INT64),
        ("healthy", FieldType.BOOL),
    ]


def test_empty_range_keeps_the_users_values_at_the_range_start() -> None:
    query = _empty_range_query(stringInput="1,2,3")
    (frame,) = csv_metric_values(_request(query), query).frames
    assert frame.fields[0].values.view("int64").to_pylist() == [0, 0, 0]
    assert frame.fields[1].to_pylist() == [1, 2, 3]
    large = _empty_range_query(rows=5, seed=1)
    (frame,) = large_frame(_request(large), large).frames
    assert frame.rows == 5 and set(frame.fields[0].values.view("int64").to_pylist()) == {0}


def test_table_static_rows_lie_inside_a_nonempty_range() -> None:
    query = _query(minutes=3)
    (frame,) = table_static(_request(query), query).frames
    times = frame.fields[0].values.view("int64").to_pylist()
    start = int(START.timestamp() * 1000) * 1_000_000
    assert len(times) == 4 and times[0] == start and times[-1] == start + 180_000 * 1_000_000
