"""Header preparation for forwarded requests and responses (HTTP_API.md §4.3, §4.4)."""

from __future__ import annotations

from grafana_plugin_host.api.forward import canonical_header, forward_headers, kept_cookie_header, response_headers
from grafana_plugin_host.api.resources import resource_url


def test_request_headers_are_edited_as_grafana_does() -> None:
    headers = forward_headers(
        [
            ("accept", "application/json"),
            ("referer", "http://grafana/d/abc"),
            ("origin", "http://grafana"),
            ("authorization", "Bearer glsa_secret"),
            ("x-grafana-device-id", "dev"),
            ("x-forwarded-host", "h"),
            ("x-forwarded-port", "443"),
            ("x-forwarded-proto", "https"),
            ("x-forwarded-for", "10.0.0.1"),
            ("connection", "keep-alive"),
            ("transfer-encoding", "chunked"),
            ("host", "grafana"),
            ("content-length", "12"),
            ("x-custom", "one"),
            ("x-custom", "two"),
            ("cookie", "grafana_session=s; a=1"),
        ],
        client_ip="127.0.0.9",
    )
    assert headers == {
        "Accept": ["application/json"],
        "X-Grafana-Referer": ["http://grafana/d/abc"],
        "X-Forwarded-For": ["10.0.0.1, 127.0.0.9"],
        "X-Custom": ["one", "two"],
    }


def test_keep_cookies_by_name_prefix_and_all_but_never_the_session() -> None:
    cookies = ["b=2; grafana_session=secret; a=1", "pre_x=3"]
    assert kept_cookie_header(cookies, ["a"]) == "a=1"
    assert kept_cookie_header(cookies, ["pre_[]", "b"]) == "b=2; pre_x=3"
    assert kept_cookie_header(cookies, ["[]"]) == "a=1; b=2; pre_x=3"
    assert kept_cookie_header(cookies, ["grafana_session"]) == ""
    headers = forward_headers([("cookie", cookies[0])], client_ip=None, keep_cookies=["a"], user_login="ann")
    assert headers == {"Cookie": ["a=1"], "X-Grafana-User": ["ann"]}


def test_response_headers_drop_set_cookie_and_default_to_json() -> None:
    out = response_headers({"set-cookie": ["x=1"], "x-thing": ["a", "b"], "transfer-encoding": ["chunked"]}, 200)
    assert out == [
        ("X-Thing", "a"),
        ("X-Thing", "b"),
        ("Content-Type", "application/json"),
        ("Content-Security-Policy", "sandbox"),
    ]
    assert response_headers({"content-type": ["text/csv"]}, 200) == [
        ("Content-Type", "text/csv"),
        ("Content-Security-Policy", "sandbox"),
    ]
    assert response_headers({}, 204) == [("Content-Security-Policy", "sandbox")]


def test_canonical_header_names() -> None:
    assert canonical_header("x-forwarded-for") == "X-Forwarded-For"
    assert canonical_header("CONTENT-TYPE") == "Content-Type"


def test_resource_url_escapes_like_go() -> None:
    assert resource_url("a b/c", "x=1&y=%20") == "a%20b/c?x=1&y=%20"
    assert resource_url("", "") == ""
    assert resource_url("q?x", "") == "q%3Fx"
