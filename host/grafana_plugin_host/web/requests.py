"""Reading requests: the caller's identity, the body (bounded), JSON, numeric path parameters."""

from __future__ import annotations

import re
from typing import Any

import orjson
from starlette.requests import Request

from grafana_plugin_host.errors import ApiError
from grafana_plugin_host.models import Identity
from grafana_plugin_host.services import services_of
from grafana_plugin_host.web.json_guard import UnsafeJSON, check_json


def identity_of(request: Request) -> Identity:
    """The authenticated caller, set on ``request.state.identity`` by the authentication middleware."""
    identity = getattr(request.state, "identity", None)
    if not isinstance(identity, Identity):
        raise ApiError(401, "Unauthorized")
    return identity


async def read_body(request: Request) -> bytes:
    """The raw request body, refused with 413 past ``[server] max_request_body_bytes``."""
    limit: int = services_of(request).settings.max_request_body_bytes
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
        check_json(value, services_of(request).settings.max_json_depth)
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
