"""Items 1, 3, 4, 11: the data source proxy keeps to its routes and base path, leaks no secret, cleans headers."""

from __future__ import annotations

import pytest

from tests.hostile.conftest import ADMIN, SECRETS, VIEWER, Env, assert_clean, basic, raw_request, status_of

CLIMBS = [
    "public/../admin/users",
    "public/%2e%2e/admin/users",
    "public/%2E%2E/admin/users",
    "public/..%2fadmin/users",
    "public/.%2e/admin/users",
    "public%2f..%2fadmin",
    "public/./../admin",
    "../../etc/passwd",
    "%2e%2e/%2e%2e/etc/passwd",
    "..%2f..%2fetc/passwd",
    "x/../../../other",
    "x/..\\..\\other",
    "a%2fb",
    "a%5cb",
]


def _proxy(env: Env, path: str, auth: tuple[str, str] = VIEWER, method: str = "GET", extra: str = "") -> bytes:
    request = (
        f"{method} /api/datasources/proxy/uid/{env.routed_uid}/{path} HTTP/1.1\r\nHost: x\r\n"
        f"Authorization: {basic(auth)}\r\n{extra}\r\n"
    )
    return raw_request(env.port, request.encode())


@pytest.mark.parametrize("path", CLIMBS)
def test_paths_that_climb_or_hide_separators_are_refused_before_route_matching(env: Env, path: str) -> None:
    seen = len(env.upstream.requests)
    answer = _proxy(env, path)
    assert status_of(answer) == 400 and b"Invalid proxy path" in answer
    assert len(env.upstream.requests) == seen
    for secret in SECRETS:
        assert secret.encode() not in answer


def test_a_nul_in_the_path_is_refused_by_the_server(env: Env) -> None:
    answer = _proxy(env, "x/%00/y")
    assert status_of(answer) == 400 and b"NUL character" in answer


def test_a_viewer_reaches_public_routes_but_not_the_admin_route(env: Env) -> None:
    assert status_of(_proxy(env, "public/x")) == 200
    assert env.upstream.last()["path"] == "/base/public/x"
    assert "X-Route-Secret" not in env.upstream.last()["headers"]
    assert status_of(_proxy(env, "admin/users")) == 403
    assert status_of(_proxy(env, "admin/users", auth=ADMIN)) == 200
    assert env.upstream.last()["headers"]["X-Route-Secret"] == SECRETS[0]


def test_plain_paths_stay_under_the_base_path(env: Env) -> None:
    assert status_of(_proxy(env, "some//deep/path/")) == 200
    assert env.upstream.last()["path"] == "/base/some/deep/path/"


def test_a_route_url_error_masks_the_secret(env: Env) -> None:
    with env.client(VIEWER) as client:
        response = client.get(f"/api/datasources/proxy/uid/{env.leaky_uid}/leaky")
    assert response.status_code == 400
    assert "[redacted]" in response.json()["message"]
    assert_clean(response)


def test_non_ascii_header_values_are_refused(env: Env) -> None:
    answer = _proxy(env, "public/x", extra="X-Name: caf\xe9\r\n".encode("latin-1").decode("latin-1"))
    assert status_of(answer) == 400


def test_client_x_grafana_user_and_connection_named_headers_are_not_forwarded(env: Env) -> None:
    extra = "X-Grafana-User: admin\r\nConnection: keep-alive, X-Private\r\nX-Private: 1\r\nX-Kept: 2\r\n"
    assert status_of(_proxy(env, "public/x", extra=extra)) == 200
    sent = {name.lower() for name in env.upstream.last()["headers"]}
    assert "x-grafana-user" not in sent and "x-private" not in sent and "x-kept" in sent


def test_a_chunked_upload_over_the_limit_is_413_and_never_completes_upstream(env: Env) -> None:
    chunk = b"a" * 16384
    body = b"".join(b"4000\r\n" + chunk + b"\r\n" for _ in range(6)) + b"0\r\n\r\n"  # 96 KiB > 64 KiB limit
    head = (
        f"POST /api/datasources/proxy/uid/{env.routed_uid}/public/upload HTTP/1.1\r\nHost: x\r\n"
        f"Authorization: {basic(VIEWER)}\r\nTransfer-Encoding: chunked\r\n\r\n"
    ).encode()
    answer = raw_request(env.port, head + body)
    assert status_of(answer) == 413
    assert not any(r["path"] == "/base/public/upload" and r["size"] >= 6 * 16384 for r in env.upstream.requests)
