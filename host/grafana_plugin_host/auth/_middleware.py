"""The ASGI middleware that authenticates every request and sets ``request.state.identity``."""

from __future__ import annotations

import logging

from starlette.datastructures import Headers
from starlette.types import ASGIApp, Receive, Scope, Send

from grafana_plugin_host.errors import ApiError
from grafana_plugin_host.models import Identity
from grafana_plugin_host.services import Services
from grafana_plugin_host.web import JSONResponse

from ._authenticator import Authenticator
from ._cache import IdentityCache
from ._errors import UNAUTHORIZED
from ._headers import parse_authorization, parse_org_header
from ._ratelimit import LoginAttempts

log = logging.getLogger(__name__)

#: API paths anyone may call, as in Grafana.
PUBLIC_PATHS = frozenset({"/api/health"})


def is_protected(path: str) -> bool:
    """Whether a path needs an authenticated caller: everything under ``/api`` except the public paths."""
    return (path == "/api" or path.startswith("/api/")) and path.rstrip("/") not in PUBLIC_PATHS


class AuthenticationMiddleware:
    """Resolves the caller of each HTTP request; answers 401/400 on protected paths when that fails.

    The authenticator is built on first use from the app's services (settings and store); identities are
    served from an :class:`IdentityCache`. Credentials never reach a log line or an error body.
    """

    def __init__(self, app: ASGIApp, *, attempts: LoginAttempts | None = None) -> None:
        self.app = app
        self._attempts = attempts
        self._authenticator: Authenticator | None = None
        self._identities: IdentityCache | None = None

    def authenticator(self, scope: Scope) -> Authenticator:
        """The authenticator for the app serving ``scope``."""
        if self._authenticator is None:
            services = scope["app"].state.services
            assert isinstance(services, Services)
            self._authenticator = Authenticator(services.store.engine, services.settings, self._attempts)
        return self._authenticator

    def identities(self, scope: Scope) -> IdentityCache:
        """The identity cache in front of :meth:`authenticator`."""
        if self._identities is None:
            self._identities = IdentityCache(self.authenticator(scope), scope["app"].state.services.store)
        return self._identities

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] not in ("http", "websocket"):
            await self.app(scope, receive, send)
            return
        protected = is_protected(scope["path"])
        try:
            identity = await self._identify(scope)
            if identity is None and protected:
                raise UNAUTHORIZED.error()
        except ApiError as exc:
            if protected:
                log.info("refused %s %s: %s %s", scope.get("method", ""), scope["path"], exc.status, exc.message)
                await JSONResponse(exc.body(), status_code=exc.status)(scope, receive, send)
                return
            identity = None
        scope.setdefault("state", {})["identity"] = identity
        await self.app(scope, receive, send)

    async def _identify(self, scope: Scope) -> Identity | None:
        headers = Headers(scope=scope)
        credentials = parse_authorization(headers.get("authorization"))
        org_id = parse_org_header(headers.get("x-grafana-org-id"))
        authenticator = self.authenticator(scope)
        if credentials is None:
            return authenticator.anonymous(org_id)
        client = scope["client"][0] if scope.get("client") else ""
        return await self.identities(scope).identify(credentials, org_id, client)
