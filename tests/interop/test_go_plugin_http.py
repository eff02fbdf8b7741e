"""A plugin built with Grafana's Go SDK, served through our host's HTTP API as Grafana serves it.

The frame our host converts from the Go plugin's Arrow must equal the frame JSON the Go SDK itself writes for the
same sample: the end-to-end check that a Go plugin answers our clients exactly as it answers Grafana's.
"""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from grafana_plugin_sdk.client import FetchError, GrafanaClient
from grafana_plugin_sdk.testing import Stack, start_stack

pytestmark = pytest.mark.interop

UID = "go-interop"


@pytest.fixture(scope="module")
def stack(go_plugins_dir: Path) -> Iterator[Stack]:
    datasource = {
        "name": "Go interop",
        "type": "go-interop-datasource",
        "uid": UID,
        "jsonData": {"mode": "http"},
        "secureJsonData": {"token": "s3cret-token"},
    }
    with start_stack(plugins=sorted(go_plugins_dir.iterdir()), datasources=[datasource]) as running:
        yield running


@pytest.fixture
def client(stack: Stack) -> GrafanaClient:
    return stack.client


def _query(client: GrafanaClient, *queries: dict[str, Any]) -> tuple[int, dict[str, Any]]:
    body = {"from": "now-1h", "to": "now", "queries": [{"datasource": {"uid": UID}, **q} for q in queries]}
    try:
        response = client.datasource_request("/api/ds/query", method="POST", data=body)
    except FetchError as exc:
        return exc.status, exc.data
    return response.status, response.data


def test_every_field_type_reaches_the_client_as_go_writes_it(
    client: GrafanaClient, go_frames: dict[str, tuple[bytes, Any]]
) -> None:
    status, body = _query(client, {"refId": "A", "scenario": "all_types"})
    assert status == 200, body
    [frame] = body["results"]["A"]["frames"]
    _, go_json = go_frames["all_types"]
    assert frame["schema"].pop("refId") == "A"
    go_json["schema"].pop("refId", None)
    assert frame == go_json


def test_errors_keep_the_go_plugins_status_and_source(client: GrafanaClient) -> None:
    status, body = _query(client, {"refId": "A", "scenario": "all_types"}, {"refId": "B", "scenario": "error"})
    assert status == 400
    assert body["results"]["A"]["status"] == 200
    assert body["results"]["B"] == {"error": "scenario error for B", "errorSource": "downstream", "status": 400}


def test_health_sees_the_decrypted_secret_keys(client: GrafanaClient) -> None:
    health = client.datasource_request(f"/api/datasources/uid/{UID}/health").data
    assert health["status"] == "OK" and health["message"] == "Go interop plugin is working"
    assert health["details"]["secureKeys"] == ["token"]
    assert "s3cret-token" not in str(health)


def test_resources_through_the_go_httpadapter(client: GrafanaClient) -> None:
    pong = client.get_resource(UID, "ping", {"x": "1"})
    assert pong == {
        "message": "pong",
        "method": "GET",
        "path": "/ping",
        "query": "x=1",
        "user": "admin",
        "datasourceUid": UID,
        "xTest": "",
    }
    echo = client.datasource_request(f"/api/datasources/uid/{UID}/resources/echo", method="POST", data={"state": "on"})
    assert (echo.status, echo.data, echo.headers["x-echo-length"]) == (201, {"state": "on"}, "14")
    stream = client.datasource_request(f"/api/datasources/uid/{UID}/resources/stream", params={"n": "3"})
    assert stream.data == "chunk 0\nchunk 1\nchunk 2\n"
    assert stream.headers["content-security-policy"] == "sandbox"
    with pytest.raises(FetchError) as missing:
        client.get_resource(UID, "status/404")
    assert missing.value.status == 404
