"""The host's Starlette application: routes, error rendering, and the lifespan that opens the store."""

from __future__ import annotations

import logging
import os
import subprocess
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from pathlib import Path

from starlette.applications import Starlette
from starlette.exceptions import HTTPException
from starlette.middleware import Middleware
from starlette.requests import Request
from starlette.responses import Response

from grafana_plugin_host import api, live
from grafana_plugin_host import tracing as host_tracing
from grafana_plugin_host.auth import AuthenticationMiddleware, ensure_admin_user
from grafana_plugin_host.config import Settings
from grafana_plugin_host.errors import ApiError
from grafana_plugin_host.plugins import PluginManager
from grafana_plugin_host.provisioning import provision
from grafana_plugin_host.provisioning_apps import provision_apps
from grafana_plugin_host.rbac import has_admin_rights
from grafana_plugin_host.services import Services
from grafana_plugin_host.store import Store
from grafana_plugin_host.tracing import TracingMiddleware
from grafana_plugin_host.web import JSONResponse
from grafana_plugin_host.web.compression import Compression
from grafana_plugin_host.web.metrics import HostMetrics, MetricsMiddleware

log = logging.getLogger(__name__)

_HTTP_MESSAGES = {404: "Not found", 405: "Method Not Allowed"}


def build_commit() -> str:
    """The source tree's git commit (short), or ``unknown`` outside a git checkout."""
    try:
        result = subprocess.run(
            ["git", "rev-parse", "--short", "HEAD"],
            cwd=Path(__file__).resolve().parent,
            capture_output=True,
            text=True,
            timeout=5,
            check=False,
        )
    except (OSError, subprocess.SubprocessError):
        return "unknown"
    return result.stdout.strip() if result.returncode == 0 and result.stdout.strip() else "unknown"


async def _api_error(request: Request, exc: Exception) -> Response:
    assert isinstance(exc, ApiError)
    body = exc.body()
    if exc.admin_detail and has_admin_rights(getattr(request.state, "identity", None)):
        body["error"] = exc.admin_detail
    return JSONResponse(body, status_code=exc.status)


async def _http_error(request: Request, exc: Exception) -> Response:
    assert isinstance(exc, HTTPException)
    message = _HTTP_MESSAGES.get(exc.status_code, exc.detail)
    return JSONResponse({"message": message}, status_code=exc.status_code, headers=exc.headers)


async def _server_error(request: Request, exc: Exception) -> Response:
    log.error("unhandled error on %s %s", request.method, request.url.path, exc_info=exc)
    return JSONResponse({"message": "Internal Server Error"}, status_code=500)


def provisioning_environ(settings: Settings) -> dict[str, str]:
    """The environment provisioning files expand: the process's, plus Grafana's ``GF_PATHS_*`` as absolute paths."""
    paths = {
        "GF_PATHS_DATA": settings.data_dir,
        "GF_PATHS_PLUGINS": Path(settings.plugins_path),
        "GF_PATHS_PROVISIONING": Path(settings.provisioning_path),
    }
    return {**{name: str(path.resolve()) for name, path in paths.items()}, **os.environ}


def create_app(settings: Settings, *, plugins: PluginManager | None = None) -> Starlette:
    """The host application; its lifespan opens the store (migrations, secrets, provisioning) and runs the plugins."""
    metrics = HostMetrics()
    live_hub = live.create_hub(settings, metrics.registry)
    services = Services(settings=settings, metrics=metrics, plugins=plugins, live=live_hub, commit=build_commit())

    @asynccontextmanager
    async def lifespan(app: Starlette) -> AsyncIterator[None]:
        store = await Store.open(settings)
        try:
            log.info("database: %s", store.description)
            await provision(store, settings.provisioning_path, provisioning_environ(settings))
            await provision_apps(store, settings.provisioning_path, provisioning_environ(settings))
            await store.run(ensure_admin_user, store.engine, settings)
            services.attach_store(store)
            if plugins is not None:
                await plugins.start()
            await live_hub.start()
            try:
                yield
            finally:
                await live_hub.close()
                if plugins is not None:
                    await plugins.stop()
        finally:
            services.attach_store(None)
            await store.close()

    app = Starlette(
        routes=[*api.routes, *live.routes],
        middleware=[
            Middleware(Compression, enabled=settings.enable_gzip),
            Middleware(TracingMiddleware),
            Middleware(MetricsMiddleware, metrics=metrics),
            Middleware(AuthenticationMiddleware),
        ],
        exception_handlers={ApiError: _api_error, HTTPException: _http_error, Exception: _server_error},
        lifespan=lifespan,
    )
    app.state.services = services
    host_tracing.setup(settings)
    return app
