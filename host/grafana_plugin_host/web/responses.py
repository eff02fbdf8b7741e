"""Writing responses: JSON encoded with orjson, and errors in the shape of Grafana's errutil."""

from __future__ import annotations

from typing import Any

import orjson
from starlette.responses import Response

from grafana_plugin_host.errors import ApiError


class JSONResponse(Response):
    """A JSON response encoded with orjson (numpy arrays and datetimes included)."""

    media_type = "application/json"

    def render(self, content: Any) -> bytes:
        return orjson.dumps(content, option=orjson.OPT_SERIALIZE_NUMPY | orjson.OPT_NON_STR_KEYS)


def grafana_error(status: int, message_id: str, message: str) -> ApiError:
    """An error in the shape of Grafana's errutil: ``message``, ``messageId``, ``statusCode``, ``traceID``."""
    return ApiError(status, message, messageId=message_id, statusCode=status, traceID="")
