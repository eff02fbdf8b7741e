"""``/api/live/ws`` and ``/api/live/publish`` on a real host with TestData: protocol, access rules, hostile input."""

from __future__ import annotations

import asyncio
from typing import Any

import httpx
import orjson
import pytest
from websockets.asyncio.client import connect
from websockets.exceptions import ConnectionClosed, InvalidStatus

from grafana_plugin_host.config import load_settings
from grafana_plugin_host.live.routes import origin_allowed
from grafana_plugin_sdk.data import Frame
from grafana_plugin_sdk.testing import Stack
from tests.live.conftest import ADMIN, ADMIN_HEADERS, UID, LiveClient, basic, http, walk_channel


def _ws_url(stack: Stack) -> str:
    return stack.url.rstrip("/").replace("http://", "ws://") + "/api/live/ws"


async def _close_code(ws: Any, seconds: float = 10.0) -> int | None:
    """Read until the server closes; its close code."""
    with pytest.raises(ConnectionClosed) as closed:
        async with asyncio.timeout(seconds):
            while True:
                await ws.recv()
    return closed.value.rcvd.code if closed.value.rcvd else None


async def test_subscribe_initial_schema_then_frames(stack: Stack) -> None:
    client = await LiveClient.open(stack.url)
    channel = walk_channel()
    reply = await client.call("subscribe", {"channel": channel, "data": {"interval": 20, "seed": 1}})
    schema = Frame.from_json(orjson.dumps(reply["subscribe"]["data"]))
    assert [f.name for f in schema.fields] == ["time", "value"] and schema.rows == 0
    pubs = await client.publications(channel, 3)
    frames = [Frame.from_json(orjson.dumps(p), schema=schema) for p in pubs]
    values = [f.field("value").to_pylist()[0] for f in frames]
    assert len(set(values)) == 3 and all(abs(v - 50) < 3 for v in values)
    await client.close()


async def test_refusals_answer_errors(stack: Stack) -> None:
    client = await LiveClient.open(stack.url)
    cases = {
        "2/ds/td/random-walk": 103,  # another org's channel
        "1/ds/missing/random-walk": 404,  # no such data source in the org
        "1/ds/td/unknown-path": 404,  # the plugin answers NOT_FOUND
        "1/plugin/no-such-app/x": 404,
        "1/plugin/python-testdata-datasource/echo": 404,  # plugin/ channels are app plugins
        "1/grafana/dashboards/x": 404,
        "1/ds/td": 400,
        "ds/td/random-walk": 400,
        "1/ds/t d/random-walk": 400,
        "1/ds/td/" + "x" * 200: 400,
    }
    for channel, code in cases.items():
        reply = await client.call("subscribe", {"channel": channel})
        assert reply["error"]["code"] == code, (channel, reply)
    for params in ({}, {"channel": 7}, {"channel": ""}):
        assert (await client.call("subscribe", params))["error"]["code"] == 107
    assert (await client.call("rpc", {"method": "grafana.query"}))["error"]["code"] == 104
    publish = await client.call("publish", {"channel": walk_channel(), "data": {"x": 1}})
    assert publish["error"] == {"code": 403, "message": "Forbidden"}
    ok = await client.call("subscribe", {"channel": walk_channel(), "data": {"interval": 50}})
    assert "subscribe" in ok
    again = await client.call("subscribe", {"channel": walk_channel()})
    assert again["error"]["code"] == 105
    await client.close()


async def test_publish_through_plugin_reaches_subscribers(stack: Stack) -> None:
    listener, writer = await LiveClient.open(stack.url), await LiveClient.open(stack.url)
    channel = walk_channel(path="echo")
    assert "subscribe" in await listener.call("subscribe", {"channel": channel})
    assert (await writer.call("publish", {"channel": channel, "data": {"from": "ws"}})) == {"id": 2, "publish": {}}
    response = await http(
        "POST",
        stack.url.rstrip("/") + "/api/live/publish",
        json={"channel": f"ds/{UID}/echo", "data": {"from": "http"}},
        auth=ADMIN,
    )
    assert (response.status_code, response.json()) == (200, {})
    assert await listener.publications(channel, 2) == [{"from": "ws"}, {"from": "http"}]
    assert "unsubscribe" in await listener.call("unsubscribe", {"channel": channel})
    await writer.call("publish", {"channel": channel, "data": {"after": "unsubscribe"}})
    await listener.call("subscribe", {"channel": walk_channel(), "data": {"interval": 20}})
    await listener.publications(walk_channel(), 2)
    assert not [p for p in listener.pushes if p.get("channel") == channel]
    await listener.close()
    await writer.close()


@pytest.mark.parametrize(
    ("body", "status", "message"),
    [
        (b"{not json", 400, None),
        (b"[]", 400, "Bad channel address"),
        (b'{"channel": 5}', 400, "Bad channel address"),
        (b'{"channel": "ds/td"}', 400, "Bad channel address"),
        (b'{"channel": "ds/td/random-walk", "data": {}}', 403, "Forbidden"),
        (b'{"channel": "ds/nope/echo", "data": {}}', 404, "Not found"),
        (b'{"channel": "ds/td/nope", "data": {}}', 403, "Forbidden"),
    ],
)
def test_http_publish_refusals(stack: Stack, body: bytes, status: int, message: str | None) -> None:
    response = httpx.post(stack.url.rstrip("/") + "/api/live/publish", content=body, auth=ADMIN)
    assert response.status_code == status, response.text
    if message:
        assert response.json()["message"] == message


def test_http_publish_needs_credentials_and_a_sane_body(stack: Stack) -> None:
    url = stack.url.rstrip("/") + "/api/live/publish"
    assert httpx.post(url, json={"channel": "ds/td/echo"}, auth=("admin", "wrong")).status_code == 401
    huge = b'{"channel": "ds/td/echo", "data": "' + b"x" * (20 << 20) + b'"}'
    assert httpx.post(url, content=huge, auth=ADMIN, timeout=30).status_code == 413


async def test_handshake_refusals(stack: Stack) -> None:
    url = _ws_url(stack)
    for headers, status in (
        (basic("admin", "wrong"), 401),
        ({**ADMIN_HEADERS, "Origin": "http://evil.example"}, 403),
        ({"Authorization": "Bearer glsa_not_a_token"}, 401),
        ({**ADMIN_HEADERS, "X-Huge": "x" * 10000}, 431),
    ):
        with pytest.raises(InvalidStatus) as refused:
            async with connect(url, additional_headers=headers):
                pass
        assert refused.value.response.status_code == status, headers


def test_origins() -> None:
    settings = load_settings(
        "[server]\nroot_url = https://grafana.example.com/\n[live]\nallowed_origins = https://*.corp.example\n"
    )
    assert origin_allowed(None, "127.0.0.1:3000", settings)
    assert origin_allowed("http://127.0.0.1:3000", "127.0.0.1:3000", settings)
    assert origin_allowed("https://grafana.example.com", "10.0.0.1:3000", settings)
    assert origin_allowed("https://dash.corp.example", "127.0.0.1:3000", settings)
    assert not origin_allowed("https://evil.example", "127.0.0.1:3000", settings)
    assert not origin_allowed("null", "127.0.0.1:3000", settings)


async def test_anonymous_viewer_streams(stack: Stack) -> None:
    client = await LiveClient.open(stack.url, headers={})
    reply = await client.call("subscribe", {"channel": walk_channel(), "data": {"interval": 20}})
    assert "subscribe" in reply
    assert len(await client.publications(walk_channel(), 2)) == 2
    await client.close()


@pytest.mark.parametrize(
    "frame",
    [
        "not json",
        '{"id": 1, "subscribe": {"channel": "1/ds/td/random-walk"}}',  # before connect
        '{"id": "one", "connect": {}}',
        "[1, 2]",
        b"\x00binary",
    ],
)
async def test_protocol_violations_close_with_bad_request(stack: Stack, frame: str | bytes) -> None:
    async with connect(_ws_url(stack), additional_headers=ADMIN_HEADERS) as ws:
        await ws.send(frame)
        assert await _close_code(ws) == 3501


async def test_second_connect_and_garbage_after_connect_close(stack: Stack) -> None:
    for frame in ('{"id": 9, "connect": {}}', '{"id": 9, "subscribe": 5}', "}"):
        client = await LiveClient.open(stack.url)
        await client.ws.send(frame)
        assert await client.close_code() == 3501


async def test_pong_is_accepted_and_batched_commands_answered(stack: Stack) -> None:
    client = await LiveClient.open(stack.url)
    await client.ws.send(
        '{}\n{"id": 5, "subscribe": {"channel": "1/ds/td/echo"}}\n{"id": 6, "unsubscribe": {"channel": "1/ds/td/echo"}}'
    )
    assert "subscribe" in await client.reply(5)
    assert await client.reply(6) == {"id": 6, "unsubscribe": {}}
    await client.close()


async def test_query_access_is_required(stack: Stack) -> None:
    api = stack.client
    account = api.post("/api/serviceaccounts", {"name": "no-role", "role": "None"})
    token = api.post(f"/api/serviceaccounts/{account['id']}/tokens", {"name": "t"})["key"]
    client = await LiveClient.open(stack.url, headers={"Authorization": f"Bearer {token}"})
    reply = await client.call("subscribe", {"channel": walk_channel()})
    assert reply["error"] == {"code": 403, "message": "Forbidden"}
    await client.close()
    response = await http(
        "POST",
        stack.url.rstrip("/") + "/api/live/publish",
        json={"channel": f"ds/{UID}/echo", "data": {}},
        headers={"Authorization": f"Bearer {token}"},
    )
    assert response.status_code == 403


async def test_another_orgs_data_source_is_invisible(stack: Stack) -> None:
    api = stack.client
    org_id = api.post("/api/orgs", {"name": "Live other org"})["orgId"]
    created = await http(
        "POST",
        stack.url.rstrip("/") + "/api/datasources",
        json={"name": "Other TD", "type": "python-testdata-datasource", "access": "proxy"},
        auth=ADMIN,
        headers={"X-Grafana-Org-Id": str(org_id)},
    )
    assert created.status_code == 200, created.text
    other_uid = created.json()["datasource"]["uid"]
    mine = await LiveClient.open(stack.url)
    assert (await mine.call("subscribe", {"channel": f"1/ds/{other_uid}/random-walk"}))["error"]["code"] == 404
    assert (await mine.call("subscribe", {"channel": f"{org_id}/ds/{other_uid}/random-walk"}))["error"]["code"] == 103
    await mine.close()
    theirs = await LiveClient.open(stack.url, headers={**ADMIN_HEADERS, "X-Grafana-Org-Id": str(org_id)})
    channel = f"{org_id}/ds/{other_uid}/random-walk"
    assert "subscribe" in await theirs.call("subscribe", {"channel": channel, "data": {"interval": 20}})
    assert len(await theirs.publications(channel, 1)) == 1
    assert (await theirs.call("subscribe", {"channel": walk_channel()}))["error"]["code"] == 103
    await theirs.close()
