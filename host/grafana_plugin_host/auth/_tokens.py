"""Grafana service account tokens: ``glsa_<32 alphanumerics>_<8 hex>`` with a CRC32 checksum.

The checksum is CRC32-IEEE of ``gl<service id>_<secret>``, as 4 little-endian bytes in hex. The stored form
is Grafana's: hex PBKDF2-HMAC-SHA256 of ``gl<service id>_<secret>`` salted with the checksum (10 000
iterations, 50 bytes). The secret carries ~190 bits of randomness, so the work factor matters less than for
passwords; lookups go through the hash, and no plaintext token is ever stored.
"""

from __future__ import annotations

import hashlib
import secrets
import string
import threading
import zlib
from collections import OrderedDict
from dataclasses import dataclass

PREFIX = "gl"
SERVICE_ACCOUNT_SERVICE = "sa"
_ALPHABET = string.ascii_letters + string.digits
_SECRET_LENGTH = 32
_HASH_ITERATIONS = 10_000
_HASH_BYTES = 50


class TokenFormatError(ValueError):
    """The text is not a well-formed token (wrong shape or checksum)."""


@dataclass(frozen=True)
class ParsedToken:
    """The parts of a token: service id (``sa``), secret and checksum."""

    service: str
    secret: str
    checksum: str

    @property
    def body(self) -> str:
        """``gl<service>_<secret>``: the checksummed and hashed part."""
        return f"{PREFIX}{self.service}_{self.secret}"

    def __str__(self) -> str:
        return f"{self.body}_{self.checksum}"

    def __repr__(self) -> str:
        return f"ParsedToken(service={self.service!r}, secret='***', checksum={self.checksum!r})"


def checksum(body: str) -> str:
    """The 8-hex-digit checksum Grafana appends to a token body."""
    return zlib.crc32(body.encode()).to_bytes(4, "little").hex()


def generate_token(service: str = SERVICE_ACCOUNT_SERVICE) -> ParsedToken:
    """A fresh random token for ``service``."""
    secret = "".join(secrets.choice(_ALPHABET) for _ in range(_SECRET_LENGTH))
    body = f"{PREFIX}{service}_{secret}"
    return ParsedToken(service, secret, checksum(body))


def parse_token(text: str) -> ParsedToken:
    """Split a token into its parts; raises TokenFormatError unless shape and checksum are right."""
    parts = text.split("_")
    if len(parts) != 3 or not parts[0].startswith(PREFIX):
        raise TokenFormatError("not a Grafana token")
    service, secret, given = parts[0][len(PREFIX) :], parts[1], parts[2]
    if not service or not secret or not secret.isalnum() or not secret.isascii():
        raise TokenFormatError("not a Grafana token")
    token = ParsedToken(service, secret, given)
    if not secrets.compare_digest(checksum(token.body), given):
        raise TokenFormatError("token checksum mismatch")
    return token


class _HashMemo:
    """A bounded map from SHA-256(token) to its stored hash: a pure function's results, never a decision."""

    def __init__(self, size: int = 4096) -> None:
        self._size = size
        self._items: OrderedDict[bytes, str] = OrderedDict()
        self._lock = threading.Lock()

    def get(self, token: ParsedToken) -> str:
        key = hashlib.sha256(str(token).encode()).digest()
        with self._lock:
            if (hit := self._items.get(key)) is not None:
                self._items.move_to_end(key)
                return hit
        value = hashlib.pbkdf2_hmac(
            "sha256", token.body.encode(), token.checksum.encode(), _HASH_ITERATIONS, _HASH_BYTES
        ).hex()
        with self._lock:
            self._items[key] = value
            if len(self._items) > self._size:
                self._items.popitem(last=False)
        return value


_MEMO = _HashMemo()


def hash_token(token: ParsedToken) -> str:
    """The stored form of a token (Grafana's: hex PBKDF2 of the body salted with the checksum)."""
    return _MEMO.get(token)
