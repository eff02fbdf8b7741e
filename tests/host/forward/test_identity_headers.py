"""The identity and request headers the host sends to plugins on QueryData and CheckHealth."""

from __future__ import annotations

from starlette.datastructures import Headers

from grafana_plugin_host.api._identity import MAX_VALUE_LENGTH, plugin_call_headers, resource_identity_headers


def _headers(*pairs: tuple[str, str]) -> Headers:
    return Headers(raw=[(k.lower().encode(), v.encode()) for k, v in pairs])


def test_oauth_pass_through_forwards_a_bearer_token_and_the_id_token() -> None:
    request = _headers(("Authorization", "bearer tok-1"), ("X-Id-Token", "id-1"), ("X-Panel-Id", "7"))
    sent = plugin_call_headers(request, {"oauthPassThru": True})
    assert sent == {"Authorization": "Bearer tok-1", "X-Id-Token": "id-1", "http_X-Panel-Id": "7"}
    assert resource_identity_headers(sent) == {"Authorization": ["Bearer tok-1"], "X-Id-Token": ["id-1"]}


def test_without_pass_through_or_with_basic_credentials_nothing_is_forwarded() -> None:
    bearer = _headers(("Authorization", "Bearer tok-1"), ("X-Id-Token", "id-1"))
    assert plugin_call_headers(bearer, {}) == {}
    assert plugin_call_headers(bearer, {"oauthPassThru": "true"}) == {}
    basic = _headers(("Authorization", "Basic YWRtaW46YWRtaW4="))
    assert plugin_call_headers(basic, {"oauthPassThru": True}) == {}


def test_kept_cookies_user_and_oversized_values() -> None:
    request = _headers(("X-Dashboard-Uid", "x" * (MAX_VALUE_LENGTH + 1)), ("X-Query-Group-Id", " g1 "))
    sent = plugin_call_headers(request, {}, kept_cookies="a=1", user_login="bob")
    assert sent == {"Cookie": "a=1", "http_X-Grafana-User": "bob", "http_X-Query-Group-Id": "g1"}
