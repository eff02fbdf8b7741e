"""Password hashing: PBKDF2 format, verification, salts, malformed stored values."""

from __future__ import annotations

import pytest

from grafana_plugin_host.auth._passwords import DUMMY_HASH, ITERATIONS, hash_password, salt_of, verify_password


def test_hash_is_self_describing_and_verifies() -> None:
    stored = hash_password("s3cret", iterations=1000)
    scheme, iterations, salt, _key = stored.split("$")
    assert (scheme, iterations) == ("pbkdf2_sha256", "1000")
    assert salt == salt_of(stored) and len(salt) >= 16
    assert "s3cret" not in stored
    assert verify_password("s3cret", stored)
    assert not verify_password("s3cret ", stored)
    assert not verify_password("", stored)


def test_default_work_factor_is_high() -> None:
    assert ITERATIONS >= 600_000
    assert DUMMY_HASH.split("$")[1] == str(ITERATIONS)


def test_same_password_gets_different_salts() -> None:
    one, two = hash_password("pw", iterations=1000), hash_password("pw", iterations=1000)
    assert one != two
    assert hash_password("pw", "fixedsalt", iterations=1000) == hash_password("pw", "fixedsalt", iterations=1000)


@pytest.mark.parametrize("stored", ["", "plain", "md5$1$a$b", "pbkdf2_sha256$x$a$b", "pbkdf2_sha256$1$a"])
def test_malformed_stored_values_never_verify(stored: str) -> None:
    assert not verify_password("anything", stored)


def test_salt_with_separator_is_refused() -> None:
    with pytest.raises(ValueError):
        hash_password("pw", "a$b")
