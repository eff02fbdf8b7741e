"""A real host with the TestData plugin, and a small centrifuge (JSON protocol) client over ``websockets``."""

from __future__ import annotations

import asyncio
import base64
import contextlib
import re
import time
from collections.abc import Callable, Iterator, Mapping
from pathlib import Path
from typing import Any

import httpx
import orjson
import pytest
from websockets.asyncio.client import ClientConnection, connect
from websockets.exceptions import ConnectionClosed

from grafana_plugin_sdk.testing import Stack, start_stack

ROOT = Path(__file__).resolve().parents[2]
TESTDATA = ROOT / "example_plugins" / "testdata"
TESTDATA_ID = "python-testdata-datasource"
ADMIN = ("admin", "harness-admin-password")
#: The data source every test streams from (org 1).
UID = "td"
DATASOURCES = [{"name": "TestData", "type": TESTDATA_ID, "uid": UID}]


def stack_with_testdata(env: Mapping[str, str] | None = None, data_dir: Path | None = None) -> Stack:
    """A host running TestData, with the ``td`` data source."""
    return start_stack(plugins=[TESTDATA], datasources=DATASOURCES, env=env, data_dir=data_dir)


@pytest.fixture(scope="module")
def stack() -> Iterator[Stack]:
    """One host per test module (anonymous access on, as a Viewer of org 1)."""
    with stack_with_testdata({"GF_AUTH_ANONYMOUS_ENABLED": "true", "GF_LIVE_MAX_CONNECTIONS": "2000"}) as running:
        yield running


def basic(login: str, password: str) -> dict[str, str]:
    """The Authorization header for Basic credentials."""
    return {"Authorization": "Basic " + base64.b64encode(f"{login}:{password}".encode()).decode()}


ADMIN_HEADERS = basic(*ADMIN)


async def http(method: str, url: str, **options: Any) -> httpx.Response:
    """One HTTP request without blocking the event loop."""
    async with httpx.AsyncClient(timeout=30) as client:
        return await client.request(method, url, **options)


async def metric(url: str, name: str) -> float:
    """One unlabelled sample from the host's ``/metrics``."""
    text = (await http("GET", url.rstrip("/") + "/metrics")).text
    match = re.search(rf"^{re.escape(name)} (\S+)$", text, re.MULTILINE)
    assert match, f"{name} not in /metrics"
    return float(match.group(1))


async def wait_metric(url: str, name: str, wanted: float, seconds: float = 15.0) -> None:
    """Wait until the metric reads ``wanted``."""
    deadline = time.monotonic() + seconds
    while (value := await metric(url, name)) != wanted:
        assert time.monotonic() < deadline, f"{name} is {value}, expected {wanted}"
        await asyncio.sleep(0.1)


class LiveClient:
    """A connected centrifuge client that reads all the time (as a browser does): replies matched by id, pushes
    kept in order, pings answered."""

    def __init__(self, ws: ClientConnection) -> None:
        self.ws = ws
        self._next = 0
        self.pushes: list[dict[str, Any]] = []
        self._replies: dict[int, dict[str, Any]] = {}
        self._arrived = asyncio.Condition()
        self._reader = asyncio.create_task(self._read_all())

    @classmethod
    async def open(cls, url: str, headers: Mapping[str, str] | None = None, **options: Any) -> LiveClient:
        """Open the WebSocket and send connect; the connect reply is checked."""
        ws_url = url.rstrip("/").replace("http://", "ws://") + "/api/live/ws"
        ws = await connect(ws_url, additional_headers=dict(ADMIN_HEADERS if headers is None else headers), **options)
        client = cls(ws)
        reply = await client.call("connect", {"name": "python-test"})
        assert set(reply["connect"]) >= {"client", "version", "ping", "pong"}
        return client

    async def send(self, method: str, params: Mapping[str, Any]) -> int:
        """Send one command; its id."""
        self._next += 1
        await self.ws.send(orjson.dumps({"id": self._next, method: params}).decode())
        return self._next

    async def _read_all(self) -> None:
        with contextlib.suppress(ConnectionClosed):  # the close code stays on ``self.ws``
            async for text in self.ws:
                assert isinstance(text, str), "the JSON protocol sends text frames"
                for line in text.split("\n"):
                    message = orjson.loads(line)
                    if "push" in message:
                        self.pushes.append(message["push"])
                    elif message.get("id"):
                        self._replies[message["id"]] = message
                    else:
                        await self.ws.send("{}")  # pong
                async with self._arrived:
                    self._arrived.notify_all()
        async with self._arrived:
            self._arrived.notify_all()

    async def _until(self, ready: Callable[[], bool], seconds: float) -> None:
        async with asyncio.timeout(seconds), self._arrived:
            while not ready():
                if self._reader.done():
                    raise ConnectionError(f"the server closed the connection ({self.ws.close_code})")
                await self._arrived.wait()

    async def reply(self, cid: int, seconds: float = 15.0) -> dict[str, Any]:
        """The reply to command ``cid``."""
        await self._until(lambda: cid in self._replies, seconds)
        return self._replies.pop(cid)

    async def call(self, method: str, params: Mapping[str, Any]) -> dict[str, Any]:
        """Send a command and wait for its reply."""
        return await self.reply(await self.send(method, params))

    def _count(self, channel: str) -> int:
        return sum(1 for p in self.pushes if p.get("channel") == channel and "pub" in p)

    async def publications(self, channel: str, count: int, seconds: float = 15.0) -> list[Any]:
        """The next ``count`` publication payloads of ``channel`` (consumed)."""
        await self._until(lambda: self._count(channel) >= count, seconds)
        taken: list[Any] = []
        rest: list[dict[str, Any]] = []
        for push in self.pushes:
            if push.get("channel") == channel and "pub" in push and len(taken) < count:
                taken.append(push["pub"]["data"])
            else:
                rest.append(push)
        self.pushes = rest
        return taken

    async def close_code(self, seconds: float = 10.0) -> int | None:
        """Wait until the server closes the connection; its close code."""
        async with asyncio.timeout(seconds):
            await asyncio.gather(self._reader, return_exceptions=True)
        return self.ws.close_code

    async def close(self) -> None:
        """Close the WebSocket."""
        await self.ws.close()
        await asyncio.gather(self._reader, return_exceptions=True)


def walk_channel(org: int = 1, uid: str = UID, path: str = "random-walk") -> str:
    """The org-qualified name of a TestData stream."""
    return f"{org}/ds/{uid}/{path}"
