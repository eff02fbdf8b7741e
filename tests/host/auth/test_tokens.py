"""Service account tokens: Grafana's glsa format, CRC32 checksum, parsing and the stored hash."""

from __future__ import annotations

import hashlib
import re
import zlib

import pytest

from grafana_plugin_host.auth._tokens import TokenFormatError, checksum, generate_token, hash_token, parse_token

TOKEN_SHAPE = re.compile(r"^glsa_[A-Za-z0-9]{32}_[0-9a-f]{8}$")


def test_generated_tokens_have_grafanas_shape_and_checksum() -> None:
    token = generate_token()
    text = str(token)
    assert TOKEN_SHAPE.match(text), text
    body = text.rsplit("_", 1)[0]
    assert text.endswith(zlib.crc32(body.encode()).to_bytes(4, "little").hex())
    assert parse_token(text) == token
    assert token.secret not in repr(token)


def test_tokens_are_unique() -> None:
    assert len({str(generate_token()) for _ in range(200)}) == 200


def test_checksum_is_crc32_ieee_little_endian() -> None:
    # CRC32-IEEE("123456789") = 0xCBF43926, little-endian bytes 26 39 f4 cb.
    assert checksum("123456789") == "2639f4cb"


@pytest.mark.parametrize(
    "text",
    [
        "",
        "glsa",
        "glsa_abc",
        "xxsa_" + "a" * 32 + "_00000000",
        "glsa_" + "a" * 32 + "_00000000",  # wrong checksum
        "glsa_" + "a" * 31 + "é_00000000",
        "glsa_a_b_c",
        "gl_" + "a" * 32 + "_" + checksum("gl_" + "a" * 32),
    ],
)
def test_malformed_tokens_are_refused(text: str) -> None:
    with pytest.raises(TokenFormatError):
        parse_token(text)


def test_tampered_secret_fails_the_checksum() -> None:
    text = str(generate_token())
    flipped = text[:10] + ("A" if text[10] != "A" else "B") + text[11:]
    with pytest.raises(TokenFormatError):
        parse_token(flipped)


def test_stored_hash_is_grafanas_pbkdf2_and_not_the_token() -> None:
    token = generate_token()
    stored = hash_token(token)
    expected = hashlib.pbkdf2_hmac("sha256", token.body.encode(), token.checksum.encode(), 10_000, 50).hex()
    assert stored == expected
    assert token.secret not in stored
    assert hash_token(parse_token(str(token))) == stored
    assert hash_token(generate_token()) != stored
