"""The path a proxy or resource call forwards, normalised and checked once, before any route matching.

A forwarded path must stay below the data source's URL (or the plugin's resource root): dot segments (also
percent-encoded, ``%2e%2e``, ``..%2f``), encoded slashes or backslashes and control characters are refused with
400 instead of being passed on for an HTTP client or upstream server to resolve.
"""

from __future__ import annotations

import re

from starlette.requests import Request

from grafana_plugin_host.errors import ApiError

_ENCODED_SEPARATOR = re.compile(rb"%(2f|5c)", re.IGNORECASE)
_CONTROL = re.compile(r"[\x00-\x1f\x7f]")
_DOT_SEGMENT = re.compile(r"(^|[/\\])\.{1,2}($|[/\\])")

INVALID_PATH = "Invalid proxy path"


def clean_path(path: str) -> str:
    """``path`` with empty segments dropped (a trailing slash kept); 400 if it has dot segments or control bytes."""
    if _CONTROL.search(path) or _DOT_SEGMENT.search(path):
        raise ApiError(400, INVALID_PATH)
    cleaned = "/".join(segment for segment in path.split("/") if segment)
    return cleaned + "/" if cleaned and path.endswith("/") else cleaned


def forward_path(request: Request) -> str:
    """The route's ``path`` parameter, decoded once and cleaned by :func:`clean_path`; 400 for encoded separators."""
    raw: bytes = request.scope.get("raw_path") or b""
    if _ENCODED_SEPARATOR.search(raw):
        raise ApiError(400, INVALID_PATH)
    return clean_path(str(request.path_params.get("path", "")))
