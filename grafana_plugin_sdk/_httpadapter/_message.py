"""Request-side pieces shared by the WSGI and ASGI adapters: target, headers, byte/str rules."""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from urllib.parse import unquote_to_bytes

from grafana_plugin_sdk.backend import CallResourceRequest

# The adapters hand the app the whole body at once, so framing headers from the original
# request would be wrong or redundant; each adapter sets Content-Length from the body itself.
_FRAMING_HEADERS = frozenset({"content-length", "transfer-encoding"})
_TOKEN_CHARS = frozenset("!#$%&'*+-.^_`|~0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz")


@dataclass(frozen=True)
class Target:
    """The request target the app sees: ``/`` + path (as sent and percent-decoded) and the query string."""

    raw_path: bytes
    path: bytes
    query: bytes
    method: str


def request_target(request: CallResourceRequest) -> Target:
    """Go's rule: URL = ``/`` + ``path`` (+ ``?`` + the query of ``url``); method GET when empty."""
    raw_path = request.path if request.path.startswith("/") else "/" + request.path
    query = request.url.partition("?")[2].partition("#")[0]
    return Target(
        raw_path=raw_path.encode(),
        path=unquote_to_bytes(raw_path),
        query=query.encode(),
        method=request.method or "GET",
    )


def request_headers(request: CallResourceRequest) -> Iterator[tuple[str, str]]:
    """Every (name, value) pair of the request, repeats kept, framing headers left out."""
    for name, values in request.headers.items():
        if name.lower() in _FRAMING_HEADERS:
            continue
        for value in values:
            yield name, value


def canonical_header_name(name: str) -> str:
    """Go's ``CanonicalMIMEHeaderKey``: ``content-type`` -> ``Content-Type``; odd names unchanged."""
    if not name or not set(name) <= _TOKEN_CHARS:
        return name
    return "-".join(part[:1].upper() + part[1:].lower() for part in name.split("-"))


def text_from_bytes(raw: bytes) -> str:
    """Header bytes as a protobuf-safe str: UTF-8 when valid, else Latin-1."""
    try:
        return raw.decode()
    except UnicodeDecodeError:
        return raw.decode("latin-1")
