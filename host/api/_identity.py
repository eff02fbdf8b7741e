"""Stand-in identity until authentication lands: every caller is Admin of org ``X-Grafana-Org-Id`` (default 1).

The authentication helper replaces this middleware; routes only read ``request.state.identity``.
"""

from __future__ import annotations

from starlette.datastructures import Headers
from starlette.types import ASGIApp, Receive, Scope, Send

from host.models import Identity, OrgRole


class DevIdentityMiddleware:
    """Sets ``request.state.identity`` to an org Admin of the org named by ``X-Grafana-Org-Id``."""

    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] == "http":
            header = Headers(scope=scope).get("x-grafana-org-id", "1").strip()
            org_id = int(header) if header.isascii() and header.isdigit() and 0 < int(header) < 1 << 63 else 1
            state = scope.setdefault("state", {})
            state["identity"] = Identity(org_id=org_id, org_role=OrgRole.ADMIN, login="admin", name="admin")
        await self.app(scope, receive, send)
