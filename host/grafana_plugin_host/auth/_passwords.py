"""Password hashing with PBKDF2-HMAC-SHA256 (600 000 iterations) and a constant-time check."""

from __future__ import annotations

import base64
import hashlib
import hmac
import secrets

_SCHEME = "pbkdf2_sha256"
#: OWASP's 2023 recommendation for PBKDF2-HMAC-SHA256.
ITERATIONS = 600_000
_SALT_BYTES = 16
_KEY_BYTES = 32


def _derive(password: str, salt: str, iterations: int) -> str:
    key = hashlib.pbkdf2_hmac("sha256", password.encode(), salt.encode(), iterations, _KEY_BYTES)
    return base64.b64encode(key).decode()


def new_salt() -> str:
    """A random salt (URL-safe text) for one password."""
    return secrets.token_urlsafe(_SALT_BYTES)


def hash_password(password: str, salt: str | None = None, *, iterations: int = ITERATIONS) -> str:
    """The stored form of a password: ``pbkdf2_sha256$<iterations>$<salt>$<base64 key>``."""
    salt = new_salt() if salt is None else salt
    if "$" in salt:
        raise ValueError("a salt must not contain '$'")
    return f"{_SCHEME}${iterations}${salt}${_derive(password, salt, iterations)}"


def verify_password(password: str, stored: str) -> bool:
    """Whether ``password`` matches a value from :func:`hash_password` (constant-time; False if malformed)."""
    parts = stored.split("$")
    if len(parts) != 4 or parts[0] != _SCHEME or not parts[1].isdigit():
        return False
    _, iterations, salt, expected = parts
    return hmac.compare_digest(_derive(password, salt, int(iterations)).encode(), expected.encode())


def salt_of(stored: str) -> str:
    """The salt recorded in a stored password hash (for the ``user.salt`` column)."""
    parts = stored.split("$")
    return parts[2] if len(parts) == 4 else ""


#: A valid hash of a random password: verified against when the login is unknown, so timing reveals nothing.
DUMMY_HASH = hash_password(secrets.token_urlsafe(16))
