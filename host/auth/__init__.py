"""Authentication for the host: passwords, service account tokens, Authorization headers, login limiting."""

from __future__ import annotations

from ._headers import BasicCredentials, BearerToken, parse_authorization, parse_org_header
from ._passwords import hash_password, verify_password
from ._ratelimit import LoginAttempts
from ._tokens import ParsedToken, TokenFormatError, generate_token, hash_token, parse_token

__all__ = [
    "BasicCredentials",
    "BearerToken",
    "LoginAttempts",
    "ParsedToken",
    "TokenFormatError",
    "generate_token",
    "hash_password",
    "hash_token",
    "parse_authorization",
    "parse_org_header",
    "parse_token",
    "verify_password",
]
