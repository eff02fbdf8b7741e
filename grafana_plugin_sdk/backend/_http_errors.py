"""Errors of outgoing HTTP calls (httpx) raised from a handler, turned into downstream query errors.

Timeouts answer 504 and other transport failures (refused, reset, DNS, TLS) 502, as Grafana guesses statuses; an
error status raised with ``response.raise_for_status()`` keeps its status, and its source follows Grafana's rule
(5xx and most 4xx downstream).
"""

from __future__ import annotations

import sys

from ._responses import DataResponse, ErrorSource


def _describe(exc: BaseException) -> str:
    return f"{type(exc).__name__}: {exc}" if str(exc) else type(exc).__name__


def http_error_response(exc: BaseException) -> DataResponse | None:
    """The DataResponse for an httpx error, or None when ``exc`` is not one (httpx is not imported for this)."""
    httpx = sys.modules.get("httpx")
    if httpx is None:
        return None
    if isinstance(exc, httpx.HTTPStatusError):
        response = exc.response
        url = exc.request.url.copy_with(query=None, fragment=None)
        message = f"{exc.request.method} {url}: {response.status_code} {response.reason_phrase}".rstrip()
        status = response.status_code
        return DataResponse.error_response(message, status, ErrorSource.from_http_status(status))
    if isinstance(exc, httpx.TimeoutException):
        return DataResponse.downstream_error(f"{type(exc).__name__}: {exc or 'upstream request timed out'}", 504)
    if isinstance(exc, httpx.TransportError):
        return DataResponse.downstream_error(_describe(exc), 502)
    return None
