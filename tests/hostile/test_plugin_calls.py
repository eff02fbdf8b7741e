"""Items 6 and 8: plugin calls have a deadline; large answers are bounded and stalled readers are dropped."""

from __future__ import annotations

import socket
import time

import orjson

from tests.hostile.conftest import ADMIN, Env, basic


def test_a_plugin_call_past_its_deadline_is_504(env: Env) -> None:
    query = {"refId": "A", "datasource": {"uid": env.backend_uid}, "scenario": "sleep", "seconds": 20}
    query["pidFile"] = str(env.tmp / "sleep.pid")
    started = time.monotonic()
    with env.client() as client:
        response = client.post("/api/ds/query", json={"queries": [query], "from": "now-1h", "to": "now"})
    assert response.status_code == 504 and response.json()["message"] == "Plugin request timed out"
    assert time.monotonic() - started < 10  # [plugins] call_timeout = 3


def _stalled_reader(env: Env, rows: int) -> socket.socket:
    body = orjson.dumps(
        {
            "queries": [{"refId": "A", "datasource": {"uid": env.backend_uid}, "scenario": "rows", "n": rows}],
            "from": "now-1h",
            "to": "now",
        }
    )
    sock = socket.socket()
    sock.setsockopt(socket.SOL_SOCKET, socket.SO_RCVBUF, 4096)
    sock.connect(("127.0.0.1", env.port))
    head = (
        f"POST /api/ds/query HTTP/1.1\r\nHost: x\r\nAuthorization: {basic(ADMIN)}\r\n"
        f"Content-Type: application/json\r\nContent-Length: {len(body)}\r\n\r\n"
    )
    sock.sendall(head.encode() + body)
    return sock


def _drain(sock: socket.socket) -> bytes:
    sock.settimeout(20)
    data = b""
    while chunk := sock.recv(1 << 20):
        data += chunk
    return data


def test_stalled_readers_of_large_answers_neither_block_small_queries_nor_stay_connected(env: Env) -> None:
    readers = [_stalled_reader(env, 300_000) for _ in range(4)]
    refused = 0
    try:
        time.sleep(1.5)
        started = time.monotonic()
        with env.client() as client:
            small = client.post(
                "/api/ds/query",
                json={
                    "queries": [{"refId": "A", "datasource": {"uid": env.backend_uid}}],
                    "from": "now-1h",
                    "to": "now",
                },
            )
        assert small.status_code == 200 and time.monotonic() - started < 3
        time.sleep(8)  # past [server] write_stall_timeout = 2 for each of the two slots in turn
        for reader in readers:
            answer = _drain(reader)
            head, _, body = answer.partition(b"\r\n\r\n")
            if head.startswith(b"HTTP/1.1 503 "):  # two answers sent, one waiting: no room for a fourth
                assert orjson.loads(body)["message"] == "Too many large query answers in progress, try again later"
                refused += 1
            elif head:  # streamed in chunks; the host gave up on the stalled reader before the last chunk
                assert head.startswith(b"HTTP/1.1 200 ")
                assert b"transfer-encoding: chunked" in head.lower() and body
                assert not body.endswith(b"0\r\n\r\n")
    finally:
        for reader in readers:
            reader.close()
    assert refused == 1  # [server] large_response_queue_bytes = 1: one answer may wait, not two
    with env.client() as client:  # slots were all released
        full = client.post(
            "/api/ds/query",
            json={
                "queries": [{"refId": "A", "datasource": {"uid": env.backend_uid}, "scenario": "rows", "n": 30_000}],
                "from": "now-1h",
                "to": "now",
            },
        )
    assert full.status_code == 200 and len(full.json()["results"]["A"]["frames"][0]["data"]["values"][0]) == 30_000
