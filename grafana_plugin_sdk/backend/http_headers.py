"""Forwarded HTTP headers in a request's ``headers`` map, read as the Go SDK reads them."""

from __future__ import annotations

from collections.abc import Mapping

#: Headers Grafana sends under their own names (OAuth pass-through and kept cookies), not with the ``http_`` prefix.
OAUTH_TOKEN_HEADER = "Authorization"
OAUTH_ID_TOKEN_HEADER = "X-Id-Token"
COOKIE_HEADER = "Cookie"
HTTP_HEADER_PREFIX = "http_"
_BARE = {name.lower(): name for name in (OAUTH_TOKEN_HEADER, OAUTH_ID_TOKEN_HEADER, COOKIE_HEADER)}


def http_headers(headers: Mapping[str, str]) -> dict[str, str]:
    """The HTTP headers a request's ``headers`` map forwards: ``http_<Name>`` keys without the prefix, plus the
    bare ``Authorization``, ``X-Id-Token`` and ``Cookie`` keys (as the Go SDK's ``GetHTTPHeaders`` reads them)."""
    result: dict[str, str] = {}
    for key, value in headers.items():
        if key.startswith(HTTP_HEADER_PREFIX):
            name = key[len(HTTP_HEADER_PREFIX) :]
            if name:
                result[name] = value
        elif (bare := _BARE.get(key.lower())) is not None:
            result[bare] = value
    return result


def identity_headers(headers: Mapping[str, list[str]]) -> dict[str, str]:
    """The identity headers (``Authorization``, ``X-Id-Token``, ``Cookie``) of a resource call's multi-valued
    headers, in the single-valued form of :func:`http_headers`."""
    return {bare: ", ".join(values) for key, values in headers.items() if (bare := _BARE.get(key.lower())) and values}
