"""End-to-end helpers: a plugins folder with the forwarding test plugin, and the host served by uvicorn."""

from __future__ import annotations

import asyncio
import contextlib
import socket
import sys
from collections.abc import AsyncIterator, Callable, Iterator, Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import httpx
import orjson
import pytest
import pytest_asyncio
from starlette.applications import Starlette
from starlette.requests import Request
from starlette.responses import JSONResponse, Response
from starlette.routing import Route

HERE = Path(__file__).resolve().parent
A, B, APP = "fwd-a-datasource", "fwd-b-datasource", "fwd-app"
PLUGIN_IDS = (A, B, APP)
ADMIN = ("admin", "admin")


def write_test_plugin(root: Path, plugin_id: str, *, type_: str = "datasource", extra: Mapping[str, Any] = {}) -> Path:
    """A plugin folder running ``fwd_plugin.py`` with this interpreter (bare executable name, as the host allows)."""
    folder = root / plugin_id
    folder.mkdir(parents=True)
    manifest = {
        "id": plugin_id,
        "type": type_,
        "name": plugin_id,
        "backend": True,
        "executable": "gpx_fwd",
        "info": {"version": "1.2.3"},
        **extra,
    }
    (folder / "plugin.json").write_bytes(orjson.dumps(manifest))
    launcher = folder / "gpx_fwd"
    launcher.write_text(f"#!/bin/sh\nexec {sys.executable} {HERE / 'fwd_plugin.py'} {plugin_id}\n")
    launcher.chmod(0o755)
    return folder


def free_socket() -> socket.socket:
    """A listening loopback socket on a free port."""
    sock = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
    sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    sock.bind(("127.0.0.1", 0))
    sock.listen(128)
    return sock


@contextlib.asynccontextmanager
async def serve_asgi(app: Any) -> AsyncIterator[str]:
    """Serve an ASGI app with uvicorn (lifespan on) in this event loop; yields its base URL."""
    import uvicorn

    sock = free_socket()
    port = sock.getsockname()[1]
    server = uvicorn.Server(uvicorn.Config(app, log_level="warning", lifespan="on"))
    task = asyncio.create_task(server.serve(sockets=[sock]))
    try:
        for _ in range(600):
            if server.started or task.done():
                break
            await asyncio.sleep(0.05)
        if task.done():
            task.result()
        assert server.started, "uvicorn did not start"
        yield f"http://127.0.0.1:{port}"
    finally:
        server.should_exit = True
        await asyncio.wait_for(task, 30)
        sock.close()


@dataclass
class Host:
    """A running host: its base URL, the app and an authenticated client."""

    url: str
    app: Any
    client: httpx.AsyncClient
    tmp: Path

    async def create_datasource(self, name: str, type_: str, **fields: Any) -> dict[str, Any]:
        """Create a data source through the HTTP API; returns its DTO."""
        body = {"name": name, "type": type_, "access": "proxy", **fields}
        response = await self.client.post("/api/datasources", json=body)
        assert response.status_code == 200, response.text
        datasource: dict[str, Any] = response.json()["datasource"]
        return datasource

    async def query(self, queries: list[dict[str, Any]], **extra: Any) -> httpx.Response:
        """``POST /api/ds/query`` over the last 5 minutes."""
        return await self.client.post(
            "/api/ds/query", json={"queries": queries, "from": "now-5m", "to": "now", **extra}
        )


@contextlib.asynccontextmanager
async def running_host(tmp: Path, plugins_path: Path, env: Mapping[str, str] = {}) -> AsyncIterator[Host]:
    """The host app (``create_app``) with a temporary data folder, served on a free port."""
    from grafana_plugin_host.app import create_app
    from grafana_plugin_host.config import load_settings
    from grafana_plugin_host.plugins import PluginManager

    settings = load_settings(
        "",
        {
            "GF_PATHS_DATA": str(tmp / "data"),
            "GF_PATHS_PLUGINS": str(plugins_path),
            "GF_PLUGINS_ALLOW_LOADING_UNSIGNED_PLUGINS": ",".join(PLUGIN_IDS),
            "GF_SECURITY_ADMIN_USER": ADMIN[0],
            "GF_SECURITY_ADMIN_PASSWORD": ADMIN[1],
            "GF_SECURITY_SECRET_KEY": "forwarding-tests",
            **env,
        },
    )
    app = create_app(settings, plugins=PluginManager(settings))
    async with serve_asgi(app) as url, httpx.AsyncClient(base_url=url, auth=ADMIN, timeout=60) as client:
        yield Host(url, app, client, tmp)


@pytest.fixture
def start_host() -> Callable[..., contextlib.AbstractAsyncContextManager[Host]]:
    """:func:`running_host`, for test modules (they cannot import the conftest)."""
    return running_host


@pytest.fixture(scope="module")
def module_tmp(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Path]:
    """A temporary folder shared by one test module."""
    yield tmp_path_factory.mktemp("forward")


async def _upstream_echo(request: Request) -> Response:
    path = request.path_params.get("path", "")
    if path.endswith("unauthorized"):
        return JSONResponse({"message": "who are you"}, status_code=401)
    if path.endswith("slow"):
        await asyncio.sleep(5)
    body = await request.body()
    return JSONResponse(
        {
            "method": request.method,
            "path": request.url.path,
            "query": request.url.query,
            "headers": dict(request.headers),
            "body": body.decode(),
        },
        headers={"set-cookie": "upstream=1", "x-upstream": "yes"},
    )


UPSTREAM = Starlette(routes=[Route("/{path:path}", _upstream_echo, methods=["GET", "POST", "PUT", "DELETE"])])


@pytest_asyncio.fixture(loop_scope="module", scope="module")
async def env(module_tmp: Path) -> AsyncIterator[dict[str, Any]]:
    """A host with two data source plugins and an app plugin, an upstream HTTP server, and data sources."""
    plugins = module_tmp / "plugins"
    routes = [
        {
            "path": "routed",
            "url": "{{.JsonData.routedUrl}}/base",
            "headers": [{"name": "X-Api-Key", "content": "{{.SecureJsonData.apiKey}}"}],
            "urlParams": [{"name": "tenant", "content": "{{.JsonData.tenant}}"}],
        },
        {"path": "admins", "url": "{{.JsonData.routedUrl}}", "reqRole": "Admin"},
        {"path": "editors", "url": "{{.JsonData.routedUrl}}", "reqRole": "Editor"},
    ]
    write_test_plugin(plugins, A, extra={"routes": routes})
    write_test_plugin(plugins, B)
    write_test_plugin(plugins, APP, type_="app")
    async with serve_asgi(UPSTREAM) as upstream, running_host(module_tmp, plugins) as host:
        ds_a = await host.create_datasource(
            "DS A",
            A,
            url=upstream + "/root",
            basicAuth=True,
            basicAuthUser="ann",
            jsonData={
                "keepCookies": ["keep"],
                "httpHeaderName1": "X-Custom",
                "routedUrl": upstream,
                "tenant": "t1",
                "timeout": 1,
            },
            secureJsonData={"basicAuthPassword": "pw", "httpHeaderValue1": "custom-secret", "apiKey": "k-123"},
        )
        ds_b = await host.create_datasource("DS B", B, jsonData={"health": "error"})
        ds_missing = await host.create_datasource("DS gone", "no-such-plugin")
        yield {"host": host, "a": ds_a, "b": ds_b, "missing": ds_missing, "upstream": upstream}
