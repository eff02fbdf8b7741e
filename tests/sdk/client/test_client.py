"""GrafanaClient and AsyncGrafanaClient against a real host, plus auth and transport behaviour on a real ASGI app."""

from __future__ import annotations

import socket
from typing import Any

import httpx
import pytest
from starlette.applications import Starlette
from starlette.requests import Request
from starlette.responses import JSONResponse, Response
from starlette.routing import Route

from grafana_plugin_sdk.backend import HealthStatus
from grafana_plugin_sdk.client import AsyncGrafanaClient, FetchError, GrafanaClient
from grafana_plugin_sdk.testing import Stack
from tests.sdk.client.conftest import TESTDATA_UID


def test_backend_srv_verbs_and_datasource_crud(stack: Stack) -> None:
    client = stack.client
    created = client.create_datasource({"name": "Second", "type": "python-testdata-datasource", "jsonData": {"a": 1}})
    uid = created["uid"]
    assert client.get_datasource(uid)["jsonData"] == {"a": 1}
    assert {ds["uid"] for ds in client.list_datasources()} >= {uid, TESTDATA_UID}
    updated = client.update_datasource(uid, {"name": "Second", "type": "python-testdata-datasource", "url": "http://x"})
    assert updated["url"] == "http://x"
    assert client.get(f"/api/datasources/uid/{uid}")["url"] == "http://x"
    client.delete_datasource(uid)
    with pytest.raises(FetchError) as info:
        client.get_datasource(uid)
    err = info.value
    assert (err.status, err.message, err.handled) == (404, "Data source not found", False)
    assert err.data == {"message": "Data source not found"} and err.method == "GET" and uid in err.url
    assert err.mark_handled() is err and err.handled


def test_query_health_and_resources(stack: Stack) -> None:
    client = stack.client
    resp = client.query(
        [{"scenarioId": "csv_metric_values", "stringInput": "1,2,3"}, {"scenarioId": "nope"}], datasource=TESTDATA_UID
    )
    assert resp["A"].frames[0].fields[1].to_pylist() == [1, 2, 3]
    assert resp["B"].status == 400 and "unknown scenario" in (resp["B"].error or "")
    health = client.check_health(TESTDATA_UID)
    assert health.status is HealthStatus.OK and "random_walk" in (health.details or {})["scenarios"]
    assert [s["id"] for s in client.get_resource(TESTDATA_UID, "scenarios")][:1] == ["random_walk"]
    with pytest.raises(FetchError) as info:
        client.post_resource(TESTDATA_UID, "scenarios", {"x": 1})
    assert info.value.status == 405 and "not allowed" in info.value.message
    full = client.datasource_request(f"/api/datasources/uid/{TESTDATA_UID}/resources/scenarios")
    assert full.ok and full.status == 200 and full.headers["content-type"].startswith("application/json")


def test_request_level_query_errors_raise(stack: Stack) -> None:
    with pytest.raises(FetchError) as info:
        stack.client.query([])
    assert info.value.status == 400
    with pytest.raises(FetchError) as missing:
        stack.client.query([{"scenarioId": "random_walk"}], datasource="no-such-uid")
    assert missing.value.status == 404


async def test_async_client(stack: Stack) -> None:
    async with stack.async_client() as client:
        resp = await client.query([{"scenarioId": "csv_metric_values", "stringInput": "5"}], datasource=TESTDATA_UID)
        assert resp["A"].frames[0].fields[1].to_pylist() == [5]
        assert (await client.check_health(TESTDATA_UID)).status is HealthStatus.OK
        assert len(await client.get_resource(TESTDATA_UID, "scenarios")) >= 1
        with pytest.raises(FetchError) as info:
            await client.delete("/api/datasources/uid/no-such-uid")
        assert info.value.status == 404


def _echo_app() -> Starlette:
    async def echo(request: Request) -> Response:
        body = await request.body()
        return JSONResponse(
            {
                "method": request.method,
                "authorization": request.headers.get("authorization"),
                "org": request.headers.get("x-grafana-org-id"),
                "contentType": request.headers.get("content-type"),
                "query": str(request.query_params),
                "body": body.decode(),
            }
        )

    async def text(request: Request) -> Response:
        return Response("plain words", status_code=int(request.query_params.get("status", "200")))

    return Starlette(
        routes=[Route("/echo", echo, methods=["GET", "POST", "PUT", "PATCH", "DELETE"]), Route("/text", text)]
    )


def _client(**kwargs: Any) -> AsyncGrafanaClient:
    return AsyncGrafanaClient("http://test", transport=httpx.ASGITransport(app=_echo_app()), **kwargs)


async def test_auth_headers_and_bodies() -> None:
    async with _client(auth=("admin", "secret"), org_id=2) as client:
        seen = await client.post("/echo", {"a": 1})
        assert seen["authorization"] == "Basic YWRtaW46c2VjcmV0" and seen["org"] == "2"
        assert (seen["contentType"], seen["body"]) == ("application/json", '{"a":1}')
        assert (await client.get("/echo", {"q": "x"}))["query"] == "q=x"
        assert (await client.put("/echo", "raw text"))["contentType"] == "text/plain; charset=utf-8"
        assert (await client.patch("/echo", b"\x01"))["method"] == "PATCH"
    async with _client(token="glsa_abc") as client:
        assert (await client.delete("/echo"))["authorization"] == "Bearer glsa_abc"
        assert await client.get("/text") == "plain words"
        with pytest.raises(FetchError) as info:
            await client.get("/text", {"status": "503"})
        assert (info.value.status, info.value.message, info.value.data) == (503, "Service Unavailable", "plain words")
    with pytest.raises(ValueError):
        GrafanaClient("http://x", auth=("a", "b"), token="t")


def test_no_response_is_status_zero() -> None:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port = sock.getsockname()[1]
    with GrafanaClient(f"http://127.0.0.1:{port}", timeout=2) as client, pytest.raises(FetchError) as info:
        client.get("/api/health")
    assert info.value.status == 0 and "ConnectError" in info.value.message
