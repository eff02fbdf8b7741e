"""The PostgreSQL example against a real PostgreSQL (``GRAFANA_PLUGIN_HOST_TEST_PG_URL``), in process and as a
subprocess started through its launcher: demo schema, time series and table queries, health, editor resources."""

from __future__ import annotations

import os
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from pathlib import Path
from urllib.parse import urlsplit

import psycopg
import pytest
from python_postgres_datasource import PLUGIN_ID
from python_postgres_datasource import datasource as pg_ds
from python_postgres_datasource.connection import connect_args
from python_postgres_datasource.demo import DEMO_SCHEMA, SENSORS, create_demo_schema

from grafana_plugin_sdk.backend import DataSourceInstanceSettings, HealthStatus
from grafana_plugin_sdk.data import FieldType, FrameType
from grafana_plugin_sdk.testing import PluginTestClient, data_source_settings, in_process, start_plugin

pytestmark = pytest.mark.postgres

PG_ENV = "GRAFANA_PLUGIN_HOST_TEST_PG_URL"
FOLDER = Path(__file__).resolve().parents[2] / "example_plugins" / "postgres"
END = datetime(2024, 3, 1, 12, 0, tzinfo=UTC)
RANGE = (END - timedelta(minutes=30), END)


def settings_for(url: str, **json_data: object) -> DataSourceInstanceSettings:
    """Grafana's form: ``url`` is host:port, user and database separate (the env URL is SQLAlchemy-style)."""
    parts = urlsplit(url)
    return data_source_settings(
        uid="pg",
        type=PLUGIN_ID,
        url=f"{parts.hostname}:{parts.port or 5432}",
        user=parts.username or "",
        json_data={"database": parts.path.lstrip("/"), **json_data},
        secure_json_data={"password": parts.password} if parts.password else None,
    )


@pytest.fixture(scope="module")
def pg_url() -> str:
    url = os.environ.get(PG_ENV, "")
    if not url:
        pytest.skip(f"needs a PostgreSQL server: set {PG_ENV} (CI starts one in .ci/setup.d/10-postgres.sh)")
    return url


@pytest.fixture(scope="module")
def demo_ready(pg_url: str) -> None:
    """The demo schema, recreated with readings up to END so the answers are fixed."""
    with psycopg.connect(**connect_args(settings_for(pg_url)), autocommit=True) as connection:
        connection.execute(f"DROP SCHEMA IF EXISTS {DEMO_SCHEMA} CASCADE")
        assert create_demo_schema(connection, now=END.isoformat()) is True
        assert create_demo_schema(connection, now=END.isoformat()) is False  # filled once


@pytest.fixture(params=["in-process", "subprocess"])
def plugin(request: pytest.FixtureRequest, pg_url: str, demo_ready: None) -> Iterator[PluginTestClient]:
    settings = settings_for(pg_url, demoData=True)
    if request.param == "in-process":
        client = in_process(factory=pg_ds.PostgresDataSource, plugin_id=PLUGIN_ID, settings=settings)
    else:
        client = start_plugin(FOLDER, settings=settings)
    with client:
        yield client


def test_time_series_with_fill_and_labels(plugin: PluginTestClient) -> None:
    sql = (
        f"SELECT $__timeGroup(time, 10m, previous), sensor, avg(temperature) AS temperature "
        f"FROM {DEMO_SCHEMA}.readings WHERE $__timeFilter(time) GROUP BY 1, 2 ORDER BY 1"
    )
    resp = plugin.query({"rawSql": sql}, time_range=RANGE)["A"]
    assert resp.error is None, resp.error
    (frame,) = resp.frames
    assert frame.meta is not None and frame.meta.type is FrameType.TIMESERIES_WIDE
    assert "BETWEEN '2024-03-01T11:30:00Z' AND '2024-03-01T12:00:00Z'" in frame.meta.executed_query_string
    assert (frame.fields[0].name, frame.fields[0].type) == ("Time", FieldType.TIME)
    assert [f.to_pylist()[0] for f in frame.fields[:1]] == [RANGE[0]]
    assert frame.rows == 4  # 11:30, 11:40, 11:50, 12:00
    assert sorted((f.labels or {})["sensor"] for f in frame.fields[1:]) == sorted(SENSORS)
    assert all(v is not None for f in frame.fields[1:] for v in f.to_pylist())


def test_table_query_types_and_errors(plugin: PluginTestClient) -> None:
    table = f"SELECT sensor, count(*)::int4 AS n, max(time) AS last FROM {DEMO_SCHEMA}.readings GROUP BY 1 ORDER BY 1"
    resp = plugin.query(
        {"rawSql": table, "format": "table"},
        {"rawSql": f"DELETE FROM {DEMO_SCHEMA}.readings", "format": "table"},
        {"rawSql": "SELECT $__timeGroup(time)", "format": "table"},
        {"rawSql": "SELECT 1", "format": "graph"},
        time_range=RANGE,
    )
    (frame,) = resp["A"].frames
    assert [(f.name, f.type) for f in frame.fields] == [
        ("sensor", FieldType.STRING),
        ("n", FieldType.INT32),
        ("last", FieldType.TIME),
    ]
    assert frame.fields[1].to_pylist() == [24 * 60] * 3 and frame.fields[2].to_pylist() == [END] * 3
    assert resp["B"].status == 400 and "read-only transaction" in (resp["B"].error or "")
    assert resp["C"].status == 400 and "needs time column and interval" in (resp["C"].error or "")
    assert resp["D"].status == 400 and "format must be table or time_series" in (resp["D"].error or "")


def test_health_and_editor_resources(plugin: PluginTestClient) -> None:
    health = plugin.check_health()
    assert health.status is HealthStatus.OK and health.message == "Database Connection OK"
    assert (health.details or {})["tables"] >= 1 and (health.details or {})["version"]
    assert DEMO_SCHEMA in plugin.get_resource("schemas")
    assert plugin.get_resource("tables", {"schema": DEMO_SCHEMA}) == ["readings"]
    columns = plugin.get_resource("columns", {"schema": DEMO_SCHEMA, "table": "readings"})
    assert columns == [
        {"name": "time", "type": "timestamp with time zone"},
        {"name": "sensor", "type": "text"},
        {"name": "temperature", "type": "double precision"},
        {"name": "humidity", "type": "double precision"},
    ]
    for method, path, params, status in [
        ("GET", "columns", {"schema": DEMO_SCHEMA, "table": "nope'; DROP TABLE x; --"}, 404),
        ("GET", "columns", {}, 400),
        ("GET", "../../etc/passwd", {}, 404),
        ("POST", "tables", {}, 405),
        ("GET", "tables", {"schema": "x" * 100_000}, 200),
    ]:
        assert plugin.resource(method, path, params=params).status == status, (method, path)


def test_unreachable_server_is_unhealthy_with_a_clear_message() -> None:
    settings = data_source_settings(url="127.0.0.1:1", json_data={"connectionTimeout": 2})
    with in_process(factory=pg_ds.PostgresDataSource, settings=settings) as plugin:
        health = plugin.check_health()
        assert health.status is HealthStatus.ERROR and health.message.startswith("Database connection failed")
        resp = plugin.query({"rawSql": "SELECT 1"})["A"]
        assert resp.status == 502 and "database unavailable" in (resp.error or "")
        assert plugin.resource("GET", "schemas").status == 502


@pytest.mark.parametrize(
    ("url", "expected"),
    [
        ("db.example:6543", {"host": "db.example", "port": 6543, "sslmode": "disable"}),
        ("localhost", {"host": "localhost", "port": 5432, "sslmode": "disable"}),
        ("postgresql+psycopg://u@h:1/d", {"conninfo": "postgresql://u@h:1/d"}),
        ("postgres://u@h/d", {"conninfo": "postgresql://u@h/d"}),
    ],
)
def test_connect_args_accept_grafana_and_url_forms(url: str, expected: dict[str, object]) -> None:
    args = connect_args(data_source_settings(url=url, user="me", secure_json_data={"password": "s3cret"}))
    assert args == {"connect_timeout": 10, "user": "me", "password": "s3cret", **expected}
