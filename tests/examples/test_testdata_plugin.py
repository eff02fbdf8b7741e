"""The TestData example plugin through the harness: in process and as the host starts it, same golden files."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest
from python_testdata_datasource import PLUGIN_ID
from python_testdata_datasource import datasource as testdata

from grafana_plugin_sdk.backend import HealthStatus
from grafana_plugin_sdk.client import FetchError
from grafana_plugin_sdk.data import Field, Frame, FrameMeta, FrameType
from grafana_plugin_sdk.testing import (
    PluginTestClient,
    assert_frames_equal,
    assert_golden,
    data_source_settings,
    in_process,
    start_plugin,
)

FOLDER = Path(__file__).resolve().parents[2] / "example_plugins" / "testdata"
START = datetime(2022, 2, 10, 10, 15, 52, 84000, tzinfo=UTC)
RANGE = (START, START + timedelta(minutes=5))


@pytest.fixture(params=["in-process", "subprocess"])
def plugin(request: pytest.FixtureRequest) -> Iterator[PluginTestClient]:
    """The plugin at both depths, for one data source."""
    settings = data_source_settings(uid="testdata", name="TestData", type=PLUGIN_ID)
    if request.param == "in-process":
        client = in_process(factory=testdata.TestDataSource, plugin_id=PLUGIN_ID, settings=settings)
    else:
        client = start_plugin(FOLDER, settings=settings)
    with client:
        yield client


def test_csv_metric_values_golden(plugin: PluginTestClient) -> None:
    resp = plugin.query({"scenarioId": "csv_metric_values", "stringInput": "1,20,90,30,5,0"}, time_range=RANGE)
    assert_golden(resp, "testdata_csv_metric_values")


def test_seeded_random_walk_golden(plugin: PluginTestClient) -> None:
    model = {"scenarioId": "random_walk", "seriesCount": 2, "seed": 7, "labels": "host=a"}
    resp = plugin.query(model, {"scenarioId": "table_static"}, time_range=RANGE)
    assert_golden(resp, "testdata_random_walk_and_table")


def test_errors_per_ref_id(plugin: PluginTestClient) -> None:
    resp = plugin.query({"scenarioId": "server_error"}, {"scenarioId": "no-such"}, {"scenarioId": "no_data_points"})
    assert resp["A"].status == 500 and resp["A"].error
    assert resp["B"].status == 400 and resp["B"].error == "unknown scenario 'no-such'"
    assert resp["C"].error is None and resp["C"].frames == []


def test_csv_content_frame(plugin: PluginTestClient) -> None:
    resp = plugin.query({"scenarioId": "csv_content", "csvContent": "name,value\na,1.5\nb,2"})
    fields = [Field("name", ["a", "b"], nullable=True), Field("value", [1.5, 2.0], nullable=True)]
    expected = Frame("", fields, meta=FrameMeta(type=FrameType.TABLE))
    assert_frames_equal(resp["A"].frames, [expected])


def test_health_and_resources(plugin: PluginTestClient) -> None:
    health = plugin.check_health()
    assert health.status is HealthStatus.OK and "random_walk" in (health.details or {})["scenarios"]
    scenarios = plugin.get_resource("scenarios")
    assert {s["id"] for s in scenarios} == set((health.details or {})["scenarios"])
    with pytest.raises(FetchError) as info:
        plugin.post_resource("scenarios", {})
    assert info.value.status == 405
