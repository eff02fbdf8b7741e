"""Parsing the ``Authorization`` and ``X-Grafana-Org-Id`` request headers (pure)."""

from __future__ import annotations

import base64
import binascii
from dataclasses import dataclass

from ._errors import INVALID_BASIC_HEADER


@dataclass(frozen=True)
class BasicCredentials:
    """A login and password from a ``Basic`` header."""

    login: str
    password: str

    def __repr__(self) -> str:
        return f"BasicCredentials(login={self.login!r}, password='***')"


@dataclass(frozen=True)
class BearerToken:
    """A token from a ``Bearer`` header (or Basic with the user ``api_key``, as Grafana accepts)."""

    token: str

    def __repr__(self) -> str:
        return "BearerToken('***')"


Credentials = BasicCredentials | BearerToken


def parse_basic(value: str) -> BasicCredentials:
    """Decode the part after ``Basic ``; raises the 400 ``Invalid Basic Auth Header`` ApiError if malformed."""
    try:
        decoded = base64.b64decode(value.strip(), validate=True).decode("utf-8")
    except (binascii.Error, UnicodeDecodeError, ValueError):
        raise INVALID_BASIC_HEADER.error() from None
    login, sep, password = decoded.partition(":")
    if not sep or "\x00" in decoded:
        raise INVALID_BASIC_HEADER.error()
    return BasicCredentials(login, password)


def parse_authorization(header: str | None) -> Credentials | None:
    """The credentials in an Authorization header; None when absent or of a scheme the host does not use."""
    if not header:
        return None
    scheme, _, value = header.strip().partition(" ")
    scheme = scheme.lower()
    if scheme == "bearer":
        token = value.strip()
        return BearerToken(token) if token else None
    if scheme == "basic":
        basic = parse_basic(value)
        return BearerToken(basic.password) if basic.login == "api_key" else basic
    return None


def parse_org_header(value: str | None) -> int:
    """The org id in ``X-Grafana-Org-Id``; 0 when absent or not a positive integer (Grafana ignores those)."""
    if value is None:
        return 0
    text = value.strip()
    return int(text) if text.isdigit() and len(text) < 19 else 0
