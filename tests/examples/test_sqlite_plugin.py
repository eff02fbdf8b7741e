"""The SQLite example plugin through the harness: a fixed demo database, in process and as a subprocess."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest
from python_sqlite_datasource import PLUGIN_ID
from python_sqlite_datasource import datasource as sqlite_ds
from python_sqlite_datasource.demo import create_demo_database

from grafana_plugin_sdk.backend import HealthStatus
from grafana_plugin_sdk.client import FetchError
from grafana_plugin_sdk.testing import PluginTestClient, assert_golden, data_source_settings, in_process, start_plugin

FOLDER = Path(__file__).resolve().parents[2] / "example_plugins" / "sqlite"
END = datetime(2024, 3, 1, 12, 0, tzinfo=UTC)
RANGE = (END - timedelta(minutes=3), END)


@pytest.fixture(params=["in-process", "subprocess"])
def plugin(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[PluginTestClient]:
    """The plugin at both depths over an hour of demo readings ending at END."""
    path = tmp_path / "demo.sqlite"
    create_demo_database(path, now=END.timestamp(), minutes=60)
    settings = data_source_settings(uid="sqlite", type=PLUGIN_ID, json_data={"path": str(path)})
    if request.param == "in-process":
        client = in_process(factory=sqlite_ds.SQLiteDataSource, plugin_id=PLUGIN_ID, settings=settings)
    else:
        client = start_plugin(FOLDER, settings=settings)
    with client:
        yield client


def test_time_series_query_golden(plugin: PluginTestClient) -> None:
    sql = "SELECT time, sensor, temperature FROM readings WHERE $__timeFilter(time) ORDER BY time"
    resp = plugin.query({"rawSql": sql, "format": "time_series"}, time_range=RANGE)
    assert_golden(resp, "sqlite_time_series")


def test_table_query_golden_and_errors(plugin: PluginTestClient) -> None:
    sql = "SELECT sensor, count(*) AS n, round(avg(humidity), 1) AS humidity FROM readings GROUP BY sensor"
    resp = plugin.query({"rawSql": sql}, {"rawSql": ""}, {"rawSql": "SELECT nope FROM readings"}, time_range=RANGE)
    assert_golden(resp["A"], "sqlite_table")
    assert (resp["B"].status, resp["B"].error) == (400, "invalid query B: rawSql is required")
    assert resp["C"].status == 400 and "nope" in (resp["C"].error or "")


def test_health_and_autocomplete_resources(plugin: PluginTestClient) -> None:
    health = plugin.check_health()
    assert health.status is HealthStatus.OK and (health.details or {})["tables"] == 1
    assert plugin.get_resource("tables") == ["readings"]
    columns = plugin.get_resource("columns", {"table": "readings"})
    assert [c["name"] if isinstance(c, dict) else c for c in columns] == ["time", "sensor", "temperature", "humidity"]
    with pytest.raises(FetchError) as info:
        plugin.get_resource("columns", {"table": "missing"})
    assert info.value.status in (400, 404)


def test_unreadable_database_is_unhealthy(tmp_path: Path) -> None:
    settings = data_source_settings(json_data={"path": str(tmp_path / "absent.sqlite")})
    with in_process(factory=sqlite_ds.SQLiteDataSource, settings=settings) as plugin:
        assert plugin.check_health().status is HealthStatus.ERROR
