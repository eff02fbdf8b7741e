"""Every example plugin through the host's HTTP API: the real host process, real plugin processes, real SQLite.

The data sources are the ones `make run` provisions (conf/provisioning), with their paths in a temporary folder.
"""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
import yaml

from grafana_plugin_sdk.client import FetchError, GrafanaClient
from grafana_plugin_sdk.testing import Stack, start_stack

ROOT = Path(__file__).resolve().parents[2]
EXAMPLES = sorted(p.parent for p in (ROOT / "example_plugins").glob("*/plugin.json"))
PROVISIONING = ROOT / "conf" / "provisioning" / "datasources" / "examples.yaml"


@pytest.fixture(scope="module")
def stack(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Stack]:
    data = tmp_path_factory.mktemp("examples-data")
    text = PROVISIONING.read_text().replace("${GF_PATHS_DATA}", str(data))
    datasources = yaml.safe_load(text)["datasources"]
    with start_stack(plugins=EXAMPLES, datasources=datasources) as running:
        yield running


@pytest.fixture
def client(stack: Stack) -> GrafanaClient:
    return stack.client


def _query(client: GrafanaClient, uid: str, **query: Any) -> dict[str, Any]:
    body = {"from": "now-6h", "to": "now", "queries": [{"refId": "A", "datasource": {"uid": uid}, **query}]}
    result: dict[str, Any] = client.post("/api/ds/query", body)["results"]["A"]
    return result


def test_every_example_is_provisioned_and_healthy(client: GrafanaClient) -> None:
    uids = {ds["uid"]: ds["type"] for ds in client.get("/api/datasources")}
    assert uids == {
        "python-testdata": "python-testdata-datasource",
        "python-sqlite": "python-sqlite-datasource",
        "python-iot": "python-iot-datasource",
    }
    for uid in uids:
        health = client.get(f"/api/datasources/uid/{uid}/health")
        assert health["status"] == "OK", (uid, health)


def test_testdata_scenarios_and_errors(client: GrafanaClient) -> None:
    walk = _query(client, "python-testdata", scenarioId="random_walk", seriesCount=2, seed=1)
    assert walk["status"] == 200 and len(walk["frames"]) == 2
    assert [f["name"] for f in walk["frames"][0]["schema"]["fields"]] == ["time", "value"]
    with pytest.raises(FetchError) as failed:
        client.post(
            "/api/ds/query",
            {"queries": [{"refId": "E", "datasource": {"uid": "python-testdata"}, "scenarioId": "server_error"}]},
        )
    assert failed.value.status == 400
    assert failed.value.data["results"]["E"]["status"] == 500
    assert "failed on purpose" in failed.value.data["results"]["E"]["error"]
    scenarios = client.get_resource("python-testdata", "scenarios")
    assert "csv_metric_values" in {s["id"] for s in scenarios}


def test_testdata_without_from_and_to_answers_empty_series(client: GrafanaClient) -> None:
    queries = [
        {"refId": ref, "datasource": {"uid": "python-testdata"}, "scenarioId": scenario}
        for ref, scenario in (("W", "random_walk"), ("T", "table_static"))
    ]
    results = client.post("/api/ds/query", {"queries": queries})["results"]
    assert {ref: (r["status"], [f["data"]["values"] for f in r["frames"]]) for ref, r in results.items()} == {
        "W": (200, [[[], []]]),
        "T": (200, [[[], [], [], [], []]]),
    }


def test_sqlite_time_series_and_autocompletion(client: GrafanaClient) -> None:
    sql = (
        "SELECT $__timeGroup(time, 30m) AS time, sensor, avg(temperature) AS temperature "
        "FROM readings WHERE $__timeFilter(time) GROUP BY 1, 2 ORDER BY 1"
    )
    result = _query(client, "python-sqlite", rawSql=sql, format="time_series")
    [frame] = result["frames"]
    assert frame["schema"]["meta"]["type"] == "timeseries-wide"
    labels = sorted(f["labels"]["sensor"] for f in frame["schema"]["fields"][1:])
    assert labels == ["attic", "garage", "kitchen"]
    assert client.get_resource("python-sqlite", "tables") == ["readings"]
    columns = client.get_resource("python-sqlite", "columns", {"table": "readings"})
    assert [c["name"] for c in columns] == ["time", "sensor", "temperature", "humidity"]
    with pytest.raises(FetchError) as sql_error:
        _query(client, "python-sqlite", rawSql="SELECT nope FROM readings")
    assert "db query error: no such column: nope" in sql_error.value.data["results"]["A"]["error"]


def test_iot_write_back_shows_in_the_history(client: GrafanaClient) -> None:
    switched = client.post_resource("python-iot", "device", {"id": "heater", "state": "on"})
    assert (switched["id"], switched["state"], switched["by"]) == ("heater", "on", "admin")
    devices = {d["id"]: d["state"] for d in client.get_resource("python-iot", "devices")}
    assert devices["heater"] == "on"
    result = _query(client, "python-iot", device="heater")
    [frame] = result["frames"]
    assert frame["data"]["values"][1][-1] == 1
    with pytest.raises(FetchError) as refused:
        client.post_resource("python-iot", "device", {"id": "heater", "state": "dim"})
    assert refused.value.status == 400 and "state must be one of" in refused.value.data["message"]
