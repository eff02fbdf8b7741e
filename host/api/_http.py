"""Small HTTP helpers shared by every route module: JSON responses, body reading, the caller's identity."""

from __future__ import annotations

from typing import Any

import orjson
from starlette.requests import Request
from starlette.responses import Response

from host.errors import ApiError
from host.models import Identity


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
    """The request body parsed as JSON (an empty body reads as ``{}``); malformed JSON is a 400."""
    body = await read_body(request)
    if not body.strip():
        return {}
    try:
        return orjson.loads(body)
    except orjson.JSONDecodeError:
        raise ApiError(400, bad_request_message) from None
