"""Basic auth, login limiting, Basic header errors and anonymous access, against running hosts."""

from __future__ import annotations

from pathlib import Path

import httpx

from tests.host.api.conftest import HostProcess, database_for, host_ini
from tests.host.auth.conftest import USER_PASSWORD, World, basic, ok, unique

INVALID = {"message": "Invalid username or password", "messageId": "password-auth.failed", "statusCode": 401}


def _get(world: World, headers: dict[str, str], path: str = "/api/datasources") -> httpx.Response:
    with httpx.Client(base_url=world.host.url, headers=headers) as client:
        return client.get(path)


def test_basic_auth_accepts_login_or_email_and_refuses_wrong_passwords(world: World) -> None:
    login = unique("basic")
    with world.client() as admin:
        ok(admin.post("/api/admin/users", json={"login": login, "email": f"{login}@x.test", "password": "pw-1234"}))
    ok(_get(world, basic(login, "pw-1234")))
    ok(_get(world, basic(f"{login}@x.test", "pw-1234")))
    for headers in (basic(login, "wrong"), basic(login, ""), basic("nobody", "pw-1234")):
        response = _get(world, headers)
        assert response.status_code == 401
        assert {k: response.json()[k] for k in INVALID} == INVALID


def test_failed_logins_block_the_login_from_that_address(world: World) -> None:
    login = unique("limited")
    with world.client() as admin:
        ok(admin.post("/api/admin/users", json={"login": login, "password": USER_PASSWORD}))
    for _ in range(5):
        assert _get(world, basic(login, "wrong")).status_code == 401
    blocked = _get(world, basic(login, USER_PASSWORD))  # right password, still refused
    assert blocked.status_code == 401
    assert blocked.json()["message"] == "Invalid username or password"
    ok(_get(world, world.callers["viewer user"]))  # other logins are unaffected


def test_malformed_basic_header_is_a_400(world: World) -> None:
    for value in ("Basic !!!", "Basic bm9jb2xvbg=="):
        response = _get(world, {"Authorization": value})
        assert response.status_code == 400
        assert response.json()["message"] == "Invalid Basic Auth Header"


def _anonymous_host(tmp_path: Path, enabled: bool) -> HostProcess:
    extra = f"[auth.anonymous]\nenabled = {str(enabled).lower()}\norg_role = Viewer\n"
    with database_for("sqlite", tmp_path) as url:
        return HostProcess(tmp_path, host_ini(url, tmp_path / "data", extra)).start()


def test_anonymous_access_with_the_configured_role(tmp_path: Path) -> None:
    host = _anonymous_host(tmp_path, enabled=True)
    try:
        with httpx.Client(base_url=host.url) as client:
            assert client.get("/api/datasources").status_code == 200
            created = client.post("/api/datasources", json={"name": "x", "type": "t", "access": "proxy"})
            assert created.status_code == 403
            assert client.get("/api/datasources", headers={"Authorization": "Bearer nope"}).status_code == 401
    finally:
        host.stop()


def test_anonymous_access_is_off_by_default(tmp_path: Path) -> None:
    host = _anonymous_host(tmp_path, enabled=False)
    try:
        with httpx.Client(base_url=host.url) as client:
            response = client.get("/api/datasources")
        assert response.status_code == 401
        assert response.json() == {"message": "Unauthorized"}
    finally:
        host.stop()
