"""Request parsing shared by the management API: JSON objects, ids in paths, roles, paging, timestamps."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from starlette.requests import Request

from grafana_plugin_host.errors import ApiError
from grafana_plugin_host.models import OrgRole

from .requests import read_json

#: Roles that can be given in an org (``None`` is Grafana's "no basic role").
ASSIGNABLE_ROLES = frozenset(role.value for role in OrgRole)


async def json_object(request: Request) -> dict[str, Any]:
    """The JSON object body; 400 ``bad request data`` for anything else."""
    body = await read_json(request)
    if not isinstance(body, dict):
        raise ApiError(400, "bad request data")
    return body


def text_field(body: dict[str, Any], key: str, *, required: bool = False) -> str:
    """A string field; 400 ``bad request data`` if of another type, or empty while required."""
    value = body.get(key)
    if value is None:
        value = ""
    if not isinstance(value, str) or (required and not value.strip()):
        raise ApiError(400, "bad request data")
    return value.strip()


def int_param(request: Request, name: str, message: str) -> int:
    """A positive integer path parameter; 400 with ``message`` otherwise."""
    text = str(request.path_params.get(name, ""))
    if not text.isdigit() or len(text) > 18:
        raise ApiError(400, message)
    return int(text)


def role_field(body: dict[str, Any], key: str = "role", *, default: OrgRole | None = None) -> OrgRole:
    """An org role from the body; 400 ``Invalid role specified`` unless Viewer, Editor, Admin or None."""
    value = body.get(key)
    if value is None and default is not None:
        return default
    if not isinstance(value, str) or value not in ASSIGNABLE_ROLES:
        raise ApiError(400, "Invalid role specified")
    return OrgRole(value)


def paging(request: Request, default_per_page: int = 1000) -> tuple[int, int]:
    """``(page, perpage)`` from the query string, as Grafana reads them (bad or missing values: defaults)."""

    def number(name: str, default: int) -> int:
        text = request.query_params.get(name, "")
        return int(text) if text.isdigit() and 0 < int(text) <= 1_000_000 else default

    return number("page", 1), number("perpage", default_per_page)


def iso(value: datetime | None) -> str | None:
    """A stored (naive UTC) time as RFC 3339 with ``Z``."""
    return None if value is None else value.replace(microsecond=0).isoformat() + "Z"
