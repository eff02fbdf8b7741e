"""Authorization header parsing: Bearer, Basic (and Basic api_key), malformed Basic, the org header."""

from __future__ import annotations

import base64

import pytest

from grafana_plugin_host.auth._headers import BasicCredentials, BearerToken, parse_authorization, parse_org_header
from grafana_plugin_host.errors import ApiError


def _basic(text: str) -> str:
    return "Basic " + base64.b64encode(text.encode()).decode()


def test_bearer() -> None:
    assert parse_authorization("Bearer glsa_x") == BearerToken("glsa_x")
    assert parse_authorization("bearer  abc ") == BearerToken("abc")
    assert parse_authorization("Bearer ") is None


def test_basic_splits_at_the_first_colon() -> None:
    assert parse_authorization(_basic("admin:pa:ss")) == BasicCredentials("admin", "pa:ss")
    assert parse_authorization(_basic("admin:")) == BasicCredentials("admin", "")


def test_basic_with_api_key_user_is_a_token() -> None:
    assert parse_authorization(_basic("api_key:glsa_x")) == BearerToken("glsa_x")


@pytest.mark.parametrize(
    "value", ["Basic !!!", "Basic " + base64.b64encode(b"nocolon").decode(), "Basic", "Basic //8="]
)
def test_malformed_basic_is_a_400(value: str) -> None:
    with pytest.raises(ApiError) as caught:
        parse_authorization(value)
    assert caught.value.status == 400
    assert caught.value.body()["message"] == "Invalid Basic Auth Header"
    assert caught.value.body()["messageId"] == "basic-auth.invalid-header"


@pytest.mark.parametrize("value", [None, "", "Digest x", "Token abc"])
def test_absent_or_other_schemes(value: str | None) -> None:
    assert parse_authorization(value) is None


def test_secrets_stay_out_of_reprs() -> None:
    assert "hunter2" not in repr(BasicCredentials("admin", "hunter2"))
    assert "glsa_secret" not in repr(BearerToken("glsa_secret"))


@pytest.mark.parametrize(("value", "org"), [(None, 0), ("2", 2), (" 3 ", 3), ("-1", 0), ("x", 0), ("9" * 30, 0)])
def test_org_header(value: str | None, org: int) -> None:
    assert parse_org_header(value) == org
