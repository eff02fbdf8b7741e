"""Item 5: the server believes ``X-Forwarded-For`` only from ``[server] trusted_proxies`` (none by default)."""

from __future__ import annotations

import asyncio

import httpx
import pytest
from starlette.types import Receive, Scope, Send

from grafana_plugin_host.cli import server_config
from grafana_plugin_host.config import load_settings
from tests.host.forward.conftest import free_socket


async def _client_address(scope: Scope, receive: Receive, send: Send) -> None:
    body = scope["client"][0].encode()
    await send({"type": "http.response.start", "status": 200, "headers": [(b"content-length", b"%d" % len(body))]})
    await send({"type": "http.response.body", "body": body})


async def _seen_address(trusted: str) -> str:
    import uvicorn

    settings = load_settings("", {"GF_SERVER_TRUSTED_PROXIES": trusted})
    server = uvicorn.Server(server_config(settings, _client_address))
    sock = free_socket()
    task = asyncio.create_task(server.serve(sockets=[sock]))
    try:
        for _ in range(500):
            if server.started:
                break
            await asyncio.sleep(0.02)
        url = f"http://127.0.0.1:{sock.getsockname()[1]}/"
        async with httpx.AsyncClient() as client:
            return (await client.get(url, headers={"X-Forwarded-For": "6.6.6.6"})).text
    finally:
        server.should_exit = True
        await asyncio.wait_for(task, 10)
        sock.close()


@pytest.mark.parametrize(
    ("trusted", "seen"), [("", "127.0.0.1"), ("10.0.0.0/8", "127.0.0.1"), ("127.0.0.1", "6.6.6.6")]
)
def test_forwarded_for_is_believed_only_from_trusted_proxies(trusted: str, seen: str) -> None:
    assert asyncio.run(_seen_address(trusted)) == seen
