"""Hosts cache identities and data sources, yet never serve a revoked token, a disabled user or a stale secret.

Two real host processes share one database (a SQLite file, or PostgreSQL when the suite has one): every change
made through one host, or straight in the database, is seen by the other on its very next request, with no
waiting in between.
"""

from __future__ import annotations

import sys
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import httpx
import orjson
import pytest
from sqlalchemy import Engine, text

from grafana_plugin_host.store._engine import make_engine

from .conftest import HostProcess, host_ini

PLUGIN_ID = "fwd-cache-datasource"
FWD_PLUGIN = Path(__file__).resolve().parents[1] / "forward" / "fwd_plugin.py"
ADMIN = ("admin", "admin")


def _plugins(folder: Path) -> Path:
    """A plugins folder with the forwarding tests' plugin (its ``context`` scenario echoes the settings)."""
    plugin = folder / PLUGIN_ID
    plugin.mkdir(parents=True)
    manifest = {"id": PLUGIN_ID, "type": "datasource", "name": "cache", "backend": True, "executable": "gpx_fwd"}
    (plugin / "plugin.json").write_bytes(orjson.dumps(manifest))
    launcher = plugin / "gpx_fwd"
    launcher.write_text(f"#!/bin/sh\nexec {sys.executable} {FWD_PLUGIN} {PLUGIN_ID}\n")
    launcher.chmod(0o755)
    return folder


@pytest.fixture
def hosts(database_url: str, tmp_path: Path) -> Iterator[tuple[HostProcess, HostProcess]]:
    """Two hosts on the same database and secret key, each with its own data folder."""
    plugins = _plugins(tmp_path / "plugins")
    extra = f"[security]\nsecret_key = caching-tests\n[plugins]\nallow_loading_unsigned_plugins = {PLUGIN_ID}\n"
    started: list[HostProcess] = []
    try:
        for name in ("a", "b"):
            workdir = tmp_path / name
            workdir.mkdir()
            started.append(HostProcess(workdir, host_ini(database_url, workdir / "data", extra, plugins)).start())
        yield started[0], started[1]
    finally:
        for process in started:
            process.stop()


@pytest.fixture
def engine(database_url: str, hosts: tuple[HostProcess, HostProcess]) -> Iterator[Engine]:
    """An engine on the hosts' database, for changes made behind their back."""
    made = make_engine(database_url)
    try:
        yield made
    finally:
        made.dispose()


def _client(host: HostProcess, auth: Any = ADMIN) -> httpx.Client:
    return httpx.Client(base_url=host.url, auth=auth, timeout=30)


def _token(host: HostProcess, name: str) -> tuple[int, int, str]:
    """A new service account (Admin) and token: (account id, token id, key)."""
    with _client(host) as client:
        account = client.post("/api/serviceaccounts", json={"name": name, "role": "Admin"})
        assert account.status_code == 201, account.text
        account_id = account.json()["id"]
        token = client.post(f"/api/serviceaccounts/{account_id}/tokens", json={"name": name})
        assert token.status_code == 200, token.text
        return account_id, token.json()["id"], token.json()["key"]


def _status(host: HostProcess, key: str, path: str = "/api/datasources") -> int:
    with httpx.Client(base_url=host.url, headers={"Authorization": f"Bearer {key}"}, timeout=30) as client:
        return client.get(path).status_code


def test_a_revoked_token_is_refused_by_every_host_at_once(
    hosts: tuple[HostProcess, HostProcess], engine: Engine
) -> None:
    a, b = hosts
    account_id, token_id, key = _token(a, "revoked-by-api")
    _, _, other_key = _token(a, "revoked-in-database")
    for _ in range(3):  # cached after the first
        assert _status(b, key) == 200
        assert _status(b, other_key) == 200
    with _client(a) as client:
        assert client.delete(f"/api/serviceaccounts/{account_id}/tokens/{token_id}").status_code == 200
    assert _status(b, key) == 401
    assert _status(a, key) == 401
    assert _status(b, other_key) == 200
    with engine.begin() as conn:
        conn.execute(
            text("UPDATE api_key SET is_revoked = :yes WHERE name = :name"),
            {"yes": True, "name": "revoked-in-database"},
        )
    assert _status(b, other_key) == 401
    assert _status(a, other_key) == 401


def test_a_disabled_user_or_changed_password_is_refused_by_every_host_at_once(
    hosts: tuple[HostProcess, HostProcess], engine: Engine
) -> None:
    a, b = hosts
    with _client(a) as client:
        created = client.post("/api/admin/users", json={"login": "cached", "password": "first-password"})
        assert created.status_code == 200, created.text
    with _client(b, ("cached", "first-password")) as user:
        assert [user.get("/api/datasources").status_code for _ in range(3)] == [200, 200, 200]
        with engine.begin() as conn:
            conn.execute(
                text('UPDATE "user" SET is_disabled = :yes WHERE login = :login'), {"yes": True, "login": "cached"}
            )
        assert user.get("/api/datasources").status_code == 401
        with engine.begin() as conn:
            conn.execute(
                text('UPDATE "user" SET is_disabled = :no WHERE login = :login'), {"no": False, "login": "cached"}
            )
        assert user.get("/api/datasources").status_code == 200
    with engine.begin() as conn:  # the admin's password hash: the cached password must stop working
        conn.execute(
            text(
                'UPDATE "user" SET password = (SELECT password FROM "user" WHERE login = :admin) WHERE login = :login'
            ),
            {"admin": "admin", "login": "cached"},
        )
    with _client(b, ("cached", "admin")) as user:
        assert user.get("/api/datasources").status_code == 200
    with _client(b, ("cached", "first-password")) as user:
        assert user.get("/api/datasources").status_code == 401


def test_a_lockout_reached_through_one_host_holds_on_a_host_that_cached_the_password(
    hosts: tuple[HostProcess, HostProcess],
) -> None:
    a, b = hosts
    with _client(a) as client:
        created = client.post("/api/admin/users", json={"login": "guessed", "password": "right-password"})
        assert created.status_code == 200, created.text
    with _client(b, ("guessed", "right-password")) as user:
        assert [user.get("/api/datasources").status_code for _ in range(3)] == [200, 200, 200]  # cached on b
        with _client(a, ("guessed", "wrong-password")) as attacker:
            assert [attacker.get("/api/datasources").status_code for _ in range(5)] == [401] * 5
        refused = user.get("/api/datasources")
        assert refused.status_code == 401, "b still admits a user locked out through a"
        assert refused.json()["message"] == "Invalid username or password"


def _context(host: HostProcess, uid: str) -> httpx.Response:
    query = {"refId": "A", "datasource": {"uid": uid}, "scenario": "context"}
    with _client(host) as client:
        return client.post("/api/ds/query", json={"queries": [query], "from": "now-5m", "to": "now"})


def _seen(host: HostProcess, uid: str) -> dict[str, Any]:
    """The data source settings the plugin received through ``host``."""
    response = _context(host, uid)
    assert response.status_code == 200, response.text
    cell = response.json()["results"]["A"]["frames"][0]["data"]["values"][0][0]
    seen: dict[str, Any] = orjson.loads(cell)["datasource"]
    return seen


def test_data_source_changes_and_secrets_reach_every_host_at_once(
    hosts: tuple[HostProcess, HostProcess], engine: Engine
) -> None:
    a, b = hosts
    body = {"name": "cached", "type": PLUGIN_ID, "access": "proxy", "jsonData": {"n": 1}}
    with _client(a) as client:
        created = client.post("/api/datasources", json={**body, "secureJsonData": {"token": "one"}})
        assert created.status_code == 200, created.text
        uid = created.json()["datasource"]["uid"]
        for _ in range(3):
            seen = _seen(b, uid)
            assert seen["secrets"] == {"token": "one"} and seen["jsonData"] == {"n": 1}
        update = {**body, "jsonData": {"n": 2}, "secureJsonData": {"token": "two"}}
        assert client.put(f"/api/datasources/uid/{uid}", json=update).status_code == 200
        seen = _seen(b, uid)
        assert seen["secrets"] == {"token": "two"} and seen["jsonData"] == {"n": 2}
        with _client(b) as other:
            listed = other.get("/api/datasources").json()
            assert [(d["uid"], d["jsonData"]) for d in listed] == [(uid, {"n": 2})]
        with engine.begin() as conn:  # a change behind the hosts' back counts too
            conn.execute(text("UPDATE data_source SET json_data = :j WHERE uid = :uid"), {"j": '{"n": 3}', "uid": uid})
        assert _seen(b, uid)["jsonData"] == {"n": 3}
        assert client.delete(f"/api/datasources/uid/{uid}").status_code == 200
    assert _context(b, uid).status_code == 404
    with _client(b) as other:
        assert other.get(f"/api/datasources/uid/{uid}").status_code == 404
        assert other.get("/api/datasources").json() == []
