"""``[server] enable_gzip`` (Grafana's setting, off by default): the API's own answers gzip-compressed for clients
that accept it. Forwarded bodies (data source proxy, plugin resources) and Live are sent as the upstream or plugin
made them, as Grafana does."""

from __future__ import annotations

import asyncio
import gzip

from starlette.middleware.gzip import GZipMiddleware
from starlette.requests import Request
from starlette.types import ASGIApp, Receive, Scope, Send

#: Answers shorter than this go uncompressed (the header costs more than it saves).
MINIMUM_BYTES = 1024
#: zlib's default trade-off: most of the gain for a fraction of level 9's time.
LEVEL = 6


def _forwarded(path: str) -> bool:
    return "/proxy/" in path or path.endswith("/proxy") or "/resources" in path or path.startswith("/api/live/")


class Compression:
    """Pure ASGI middleware: gzip through Starlette's ``GZipMiddleware`` when enabled, except forwarded bodies."""

    def __init__(self, app: ASGIApp, *, enabled: bool) -> None:
        self._app = app
        self._gzip = GZipMiddleware(app, minimum_size=MINIMUM_BYTES, compresslevel=LEVEL) if enabled else None

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if self._gzip is None or scope["type"] != "http" or _forwarded(scope["path"]):
            await self._app(scope, receive, send)
        else:
            await self._gzip(scope, receive, send)


def accepts_gzip(request: Request) -> bool:
    """Whether the client takes a gzip-encoded answer."""
    return "gzip" in request.headers.get("accept-encoding", "")


async def gzipped(body: bytes) -> bytes:
    """``body`` compressed (on a worker thread: a large body takes tens of milliseconds)."""
    return await asyncio.to_thread(gzip.compress, body, LEVEL)
