"""Authentication for the host: passwords, service account tokens, Authorization headers, the middleware."""

from __future__ import annotations

from ._authenticator import Authenticator
from ._bootstrap import ensure_admin_user
from ._headers import BasicCredentials, BearerToken, parse_authorization, parse_org_header
from ._middleware import PUBLIC_PATHS, AuthenticationMiddleware, is_protected
from ._passwords import hash_password, salt_of, verify_password
from ._ratelimit import LoginAttempts
from ._tokens import ParsedToken, TokenFormatError, generate_token, hash_token, parse_token

__all__ = [
    "PUBLIC_PATHS",
    "AuthenticationMiddleware",
    "Authenticator",
    "BasicCredentials",
    "BearerToken",
    "LoginAttempts",
    "ParsedToken",
    "TokenFormatError",
    "ensure_admin_user",
    "generate_token",
    "hash_password",
    "hash_token",
    "is_protected",
    "parse_authorization",
    "parse_org_header",
    "parse_token",
    "salt_of",
    "verify_password",
]
