"""Small HTTP helpers shared by every route module: JSON responses, body reading, the caller's identity."""

from __future__ import annotations

import re
from typing import Any, NamedTuple

import orjson
from starlette.requests import Request
from starlette.responses import Response

from grafana_plugin_host.api._json_guard import UnsafeJSON, check_json
from grafana_plugin_host.errors import ApiError
from grafana_plugin_host.models import Identity
from grafana_plugin_host.plugins import PluginManager


class JSONResponse(Response):
    """A JSON response encoded with orjson (numpy arrays and datetimes included)."""

    media_type = "application/json"

    def render(self, content: Any) -> bytes:
        return orjson.dumps(content, option=orjson.OPT_SERIALIZE_NUMPY | orjson.OPT_NON_STR_KEYS)


def identity_of(request: Request) -> Identity:
    """The authenticated caller, set on ``request.state.identity`` by the authentication middleware."""
    identity = getattr(request.state, "identity", None)
    if not isinstance(identity, Identity):
        raise ApiError(401, "Unauthorized")
    return identity


async def read_body(request: Request) -> bytes:
    """The raw request body, refused with 413 past ``[server] max_request_body_bytes``."""
    limit: int = request.app.state.settings.max_request_body_bytes
    declared = request.headers.get("content-length")
    if declared is not None and declared.isdigit() and int(declared) > limit:
        raise ApiError(413, f"Request body too large (limit {limit} bytes)")
    chunks: list[bytes] = []
    size = 0
    async for chunk in request.stream():
        size += len(chunk)
        if size > limit:
            raise ApiError(413, f"Request body too large (limit {limit} bytes)")
        chunks.append(chunk)
    return b"".join(chunks)


async def read_json(request: Request, *, bad_request_message: str = "bad request data") -> Any:
    """The request body parsed as JSON (an empty body reads as ``{}``); malformed or unsafe JSON is a 400.

    Every value is checked by :func:`check_json` (depth ``[server] max_json_depth``, number ranges, NUL).
    """
    body = await read_body(request)
    if not body.strip():
        return {}
    try:
        value = orjson.loads(body)
    except orjson.JSONDecodeError:
        raise ApiError(400, bad_request_message) from None
    try:
        check_json(value, request.app.state.settings.max_json_depth)
    except UnsafeJSON:
        raise ApiError(400, bad_request_message) from None
    return value


_INT64_MAX = (1 << 63) - 1
_INTEGER = re.compile(r"[+-]?[0-9]+")


def path_id(request: Request, param: str = "id") -> int:
    """A numeric path parameter (a data source id); 400 ``id is invalid`` unless it is a 64-bit integer."""
    text = str(request.path_params.get(param, ""))
    if len(text) > 20 or not _INTEGER.fullmatch(text) or not -_INT64_MAX <= (value := int(text)) <= _INT64_MAX:
        raise ApiError(400, "id is invalid")
    return value


def grafana_error(status: int, message_id: str, message: str) -> ApiError:
    """An error in the shape of Grafana's errutil: ``message``, ``messageId``, ``statusCode``, ``traceID``."""
    return ApiError(status, message, messageId=message_id, statusCode=status, traceID="")


class TypeInfo(NamedTuple):
    """How the API shows a data source type: canonical plugin id, display name, small logo URL."""

    id: str
    name: str
    logo_url: str


#: Logo shown for a data source whose plugin is unknown (Grafana's default).
DEFAULT_LOGO = "public/img/icn-datasource.svg"


def type_info(request: Request, type_id: str) -> TypeInfo:
    """Display data of a data source type from the plugin manager, or the defaults for an unknown plugin."""
    manager = getattr(request.app.state, "plugins", None)
    meta = manager.get(type_id) if isinstance(manager, PluginManager) else None
    if meta is None:
        return TypeInfo(type_id, type_id, DEFAULT_LOGO)
    logo = f"public/plugins/{meta.id}/{meta.logo}" if meta.logo else DEFAULT_LOGO
    return TypeInfo(meta.id, meta.name, logo)
