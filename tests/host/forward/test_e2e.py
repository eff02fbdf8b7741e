"""End to end: the host (uvicorn) with real plugin subprocesses served by the SDK, over HTTP."""

from __future__ import annotations

import asyncio
import base64
import os
import signal
import time
from typing import Any

import orjson
import pytest

pytestmark = pytest.mark.asyncio(loop_scope="module")

A, B, APP = "fwd-a-datasource", "fwd-b-datasource", "fwd-app"
Host = Any  # the conftest's Host (test modules cannot import the conftest)


def _q(ds: dict[str, Any], ref_id: str, **model: Any) -> dict[str, Any]:
    return {"refId": ref_id, "datasource": {"uid": ds["uid"], "type": ds["type"]}, **model}


async def _wait_recovered(host: Host, ds: dict[str, Any]) -> None:
    deadline = time.monotonic() + 20
    while time.monotonic() < deadline:
        response = await host.query([_q(ds, "A", values=[1])])
        if response.status_code == 200:
            return
        await asyncio.sleep(0.2)
    raise AssertionError("the plugin did not recover")


# --- /api/ds/query ---------------------------------------------------------------------------------


async def test_mixed_data_sources_in_one_request(env: dict[str, Any]) -> None:
    host: Host = env["host"]
    response = await host.query(
        [_q(env["a"], "A", values=[1, 2]), _q(env["b"], "B", values=[5]), _q(env["a"], "C", values=[7])]
    )
    assert response.status_code == 200, response.text
    results = response.json()["results"]
    assert list(results) == ["A", "B", "C"]
    for ref_id, values in (("A", [1.0, 2.0]), ("B", [5.0]), ("C", [7.0])):
        [frame] = results[ref_id]["frames"]
        assert results[ref_id]["status"] == 200
        assert frame["schema"]["refId"] == ref_id
        assert [f["name"] for f in frame["schema"]["fields"]] == ["time", "value"]
        assert frame["data"]["values"][1] == values


async def test_one_data_source_failing_while_another_succeeds(env: dict[str, Any]) -> None:
    host: Host = env["host"]
    response = await host.query(
        [_q(env["a"], "A", values=[1]), _q(env["b"], "B", scenario="crash"), _q(env["b"], "C", values=[2])]
    )
    assert response.status_code == 400, response.text
    results = response.json()["results"]
    assert results["A"]["status"] == 200 and results["A"]["frames"]
    for ref_id in ("B", "C"):
        assert results[ref_id]["error"] == "Plugin unavailable"
        assert results[ref_id]["status"] == 503
        assert results[ref_id]["errorSource"] == "plugin"
    await _wait_recovered(host, env["b"])
    response = await host.query([_q(env["a"], "A"), _q(env["missing"], "B")])
    assert response.status_code == 400
    assert response.json()["results"]["B"]["error"] == "Plugin not registered"
    assert response.json()["results"]["A"]["status"] == 200


async def test_plugin_killed_during_a_query_is_503_then_recovers(env: dict[str, Any]) -> None:
    host: Host = env["host"]
    pid_file = host.tmp / "sleeper.pid"
    pid_file.unlink(missing_ok=True)
    pending = asyncio.create_task(host.query([_q(env["b"], "A", scenario="sleep", seconds=30, pidFile=str(pid_file))]))
    deadline = time.monotonic() + 20
    while not pid_file.exists() or not pid_file.read_text():
        assert time.monotonic() < deadline, "the query never reached the plugin"
        await asyncio.sleep(0.05)
    os.kill(int(pid_file.read_text()), signal.SIGKILL)
    response = await asyncio.wait_for(pending, 20)
    assert response.status_code == 503
    assert response.json()["message"] == "Plugin unavailable"
    await _wait_recovered(host, env["b"])


async def test_plugin_error_per_ref_id_is_400_with_status_and_source(env: dict[str, Any]) -> None:
    host: Host = env["host"]
    response = await host.query(
        [_q(env["a"], "A", scenario="error", message="bad input", status=422), _q(env["a"], "B")]
    )
    assert response.status_code == 400
    results = response.json()["results"]
    assert results["A"] == {"error": "bad input", "errorSource": "plugin", "status": 422}
    assert results["B"]["status"] == 200


async def test_request_errors(env: dict[str, Any]) -> None:
    host: Host = env["host"]
    response = await host.client.post("/api/ds/query", json={"queries": []})
    assert (response.status_code, response.json()["message"]) == (400, "No queries found")
    response = await host.client.post(
        "/api/ds/query", json={"queries": [_q(env["a"], "A")], "from": "last tuesday", "to": "now"}
    )
    assert response.status_code == 400 and "'last tuesday'" in response.json()["message"]
    response = await host.query([{"refId": "A", "datasource": {"uid": "nope"}}])
    assert (response.status_code, response.json()["message"]) == (404, "Data source not found")
    response = await host.query([{"refId": "A"}])
    assert response.status_code == 400
    response = await host.client.post(
        "/api/ds/query",
        json={"queries": [_q(env["a"], "A")], "from": "now-1h", "to": "now"},
        headers={"X-Datasource-Uid": env["b"]["uid"]},
    )
    assert response.json()["messageId"] == "query.headerMismatch"
    response = await host.client.post(
        "/api/ds/query",
        json={"queries": [_q(env["a"], "A")], "from": "now-1h", "to": "now"},
        headers={"X-Datasource-Uid": env["a"]["uid"], "X-Plugin-Id": A},
    )
    assert response.status_code == 200


async def test_legacy_datasource_id_and_name_references(env: dict[str, Any]) -> None:
    host: Host = env["host"]
    response = await host.query([{"refId": "X", "datasourceId": env["a"]["id"], "values": [4]}])
    assert response.status_code == 200
    assert response.json()["results"]["X"]["frames"][0]["data"]["values"][1] == [4.0]
    response = await host.query([{"refId": "Y", "datasource": "DS B", "values": [6]}])
    assert response.json()["results"]["Y"]["frames"][0]["data"]["values"][1] == [6.0]


async def test_plugin_context_on_queries(env: dict[str, Any]) -> None:
    host: Host = env["host"]
    response = await host.query([_q(env["a"], "A", scenario="context")])
    context = orjson.loads(response.json()["results"]["A"]["frames"][0]["data"]["values"][0][0])
    assert context["orgId"] == 1
    assert context["pluginId"] == A and context["pluginVersion"] == "1.2.3"
    assert context["user"] == {"login": "admin", "role": "Admin"}
    assert context["userAgent"].startswith("Grafana/")
    ds = context["datasource"]
    assert (ds["id"], ds["uid"], ds["name"]) == (env["a"]["id"], env["a"]["uid"], "DS A")
    assert ds["secrets"] == {"basicAuthPassword": "pw", "httpHeaderValue1": "custom-secret", "apiKey": "k-123"}
    assert ds["jsonData"]["tenant"] == "t1"
    assert ds["lastUpdatedMS"] > 0
    assert context["grafanaConfig"]["GF_CONCURRENT_QUERY_COUNT"] == "10"


async def test_large_response_is_converted(env: dict[str, Any]) -> None:
    host: Host = env["host"]
    response = await host.query([_q(env["a"], "A", scenario="rows", n=50_000)])
    values = response.json()["results"]["A"]["frames"][0]["data"]["values"]
    assert len(values[0]) == 50_000 and values[1][-1] == 49_999 * 0.5


# --- /api/tsdb/query -------------------------------------------------------------------------------


async def test_tsdb_query_legacy_shape(env: dict[str, Any]) -> None:
    host: Host = env["host"]
    body = {
        "from": "1420066800000",
        "to": "1575845999999",
        "queries": [
            {"refId": "A", "datasourceId": env["a"]["id"], "values": [109, 122]},
            {"refId": "B", "datasourceId": env["a"]["id"], "scenario": "error", "message": "nope"},
        ],
    }
    response = await host.client.post("/api/tsdb/query", json=body)
    assert response.status_code == 400
    payload = response.json()
    assert payload["message"] == "nope"
    result = payload["results"]["A"]
    assert result["refId"] == "A"
    assert result["series"] == [{"name": "value", "points": [[109.0, 1420066800000], [122.0, 1420066801000]]}]
    assert len(result["dataframes"]) == 1 and base64.b64decode(result["dataframes"][0])[:6] == b"ARROW1"
    assert payload["results"]["B"]["error"] == "nope"


# --- health ------------------------------------------------------------------------------------------


async def test_health(env: dict[str, Any]) -> None:
    client = env["host"].client
    response = await client.get(f"/api/datasources/uid/{env['a']['uid']}/health")
    assert response.status_code == 200
    assert response.json() == {"status": "OK", "message": "plugin is healthy", "details": {"pluginId": A}}
    response = await client.post(f"/api/datasources/{env['b']['id']}/health")
    assert response.status_code == 400
    assert response.json()["status"] == "ERROR"
    assert response.json()["details"] == {"verboseMessage": "jsonData.health is error"}
    assert (await client.get("/api/datasources/uid/nope/health")).json() == {"message": "Data source not found"}
    assert (await client.get("/api/datasources/uid/nope/health")).status_code == 404
    assert (await client.get("/api/datasources/uid/bad$uid/health")).json()["message"] == "UID is invalid"
    assert (await client.get("/api/datasources/x1/health")).json()["message"] == "id is invalid"
    response = await client.get(f"/api/datasources/uid/{env['missing']['uid']}/health")
    assert (response.status_code, response.json()["message"]) == (404, "Plugin not registered")


# --- resources ---------------------------------------------------------------------------------------


async def test_resource_call_headers_and_response(env: dict[str, Any]) -> None:
    client = env["host"].client
    response = await client.post(
        f"/api/datasources/uid/{env['a']['uid']}/resources/echo/a%20b?x=1&y=2",
        content=b"payload",
        headers={
            "Referer": "http://grafana/d/1",
            "Origin": "http://grafana",
            "Cookie": "grafana_session=abc; keep=yes; other=no",
            "X-Test": "1",
        },
    )
    assert response.status_code == 201
    assert "set-cookie" not in response.headers
    assert response.headers["content-security-policy"] == "sandbox"
    assert response.headers["x-plugin"] == "yes"
    echo = response.json()
    assert (echo["path"], echo["method"], echo["url"], echo["body"]) == (
        "echo/a b",
        "POST",
        "echo/a%20b?x=1&y=2",
        "payload",
    )
    headers = echo["headers"]
    assert headers["X-Grafana-Referer"] == ["http://grafana/d/1"]
    assert headers["Cookie"] == ["keep=yes"]
    assert headers["X-Test"] == ["1"]
    assert headers["X-Forwarded-For"] == ["127.0.0.1"]
    for gone in ("Authorization", "Origin", "Referer"):
        assert gone not in headers
    assert echo["context"]["datasource"]["uid"] == env["a"]["uid"]
    response = await client.get(f"/api/datasources/{env['a']['id']}/resources")
    assert response.status_code == 200 and response.json()["path"] == ""
    response = await client.get("/api/datasources/uid/nope/resources/echo")
    assert (response.status_code, response.json()["message"]) == (404, "Data source not found")


async def test_streamed_resource_first_chunk_arrives_before_the_last_is_sent(env: dict[str, Any]) -> None:
    host: Host = env["host"]
    signal_file = host.tmp / "send-last"
    signal_file.unlink(missing_ok=True)
    url = f"/api/datasources/uid/{env['a']['uid']}/resources/stream"
    async with host.client.stream("POST", url, content=str(signal_file).encode()) as response:
        assert response.status_code == 200
        assert response.headers["content-type"] == "text/plain"
        chunks = response.aiter_raw()
        first = await asyncio.wait_for(anext(chunks), 10)
        assert first == b"first\n"
        assert not signal_file.exists()  # the plugin is still waiting: the last chunk has not been sent
        signal_file.touch()
        rest = b"".join([chunk async for chunk in chunks])
    assert rest == b"last\n"


# --- proxy ---------------------------------------------------------------------------------------------


async def test_proxy_forwards_with_auth_headers_and_body(env: dict[str, Any]) -> None:
    client = env["host"].client
    response = await client.post(
        f"/api/datasources/proxy/uid/{env['a']['uid']}/api/v1/items?q=1",
        content=b"hello",
        headers={"Cookie": "grafana_session=s; keep=k"},
    )
    assert response.status_code == 200, response.text
    assert "set-cookie" not in response.headers
    assert response.headers["x-upstream"] == "yes"
    echo = response.json()
    assert (echo["method"], echo["path"], echo["query"], echo["body"]) == ("POST", "/root/api/v1/items", "q=1", "hello")
    headers = echo["headers"]
    assert headers["authorization"] == "Basic " + base64.b64encode(b"ann:pw").decode()
    assert headers["x-custom"] == "custom-secret"
    assert headers["cookie"] == "keep=k"
    assert headers["user-agent"].startswith("Grafana/")
    response = await client.get(f"/api/datasources/proxy/{env['a']['id']}/x")
    assert response.json()["path"] == "/root/x"


async def test_proxy_routes_from_plugin_json(env: dict[str, Any]) -> None:
    client = env["host"].client
    response = await client.get(f"/api/datasources/proxy/uid/{env['a']['uid']}/routed/deeper?a=b")
    echo = response.json()
    assert echo["path"] == "/base/deeper"
    assert echo["query"] == "a=b&tenant=t1"
    assert echo["headers"]["x-api-key"] == "k-123"


async def test_proxy_errors(env: dict[str, Any]) -> None:
    client = env["host"].client
    uid = env["a"]["uid"]
    response = await client.get(f"/api/datasources/proxy/uid/{uid}/unauthorized")
    assert (response.status_code, response.text) == (400, '{"message":"Authentication to data source failed"}')
    response = await client.get(f"/api/datasources/proxy/uid/{uid}/slow")
    assert response.status_code == 504
    response = await client.get("/api/datasources/proxy/uid/nope/x")
    assert (response.status_code, response.json()["message"]) == (404, "Unable to find datasource")
    response = await client.get(f"/api/datasources/proxy/uid/{env['missing']['uid']}/x")
    assert (response.status_code, response.json()["message"]) == (404, "Unable to find datasource plugin")
    response = await client.get(f"/api/datasources/proxy/uid/{env['b']['uid']}/x")
    assert (response.status_code, response.json()["message"]) == (400, 'Invalid data source URL: ""')


# --- /api/plugins ------------------------------------------------------------------------------------


async def test_plugins_list_health_metrics_and_app_resources(env: dict[str, Any]) -> None:
    client = env["host"].client
    listed = {p["id"]: p for p in (await client.get("/api/plugins")).json()}
    assert {A, B, APP} <= set(listed)
    assert listed[A]["type"] == "datasource" and listed[APP]["type"] == "app"
    assert listed[A]["info"]["version"] == "1.2.3"
    apps = (await client.get("/api/plugins", params={"type": "app"})).json()
    assert [p["id"] for p in apps] == [APP]
    response = await client.get(f"/api/plugins/{APP}/health")
    assert response.json() == {"status": "OK", "message": "plugin is healthy", "details": {"pluginId": APP}}
    response = await client.get(f"/api/plugins/{A}/metrics")
    assert response.status_code == 200 and "fwd_test_total 7" in response.text
    response = await client.get(f"/api/plugins/{APP}/resources/echo?z=9")
    echo = response.json()
    assert (echo["path"], echo["url"]) == ("echo", "echo?z=9")
    assert echo["context"]["datasource"] is None
    assert (await client.get("/api/plugins/nope/health")).status_code == 404
