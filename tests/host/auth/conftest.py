"""A running host with users, service accounts and tokens of every role, in two orgs."""

from __future__ import annotations

import base64
import itertools
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import httpx
import pytest

from tests.host.api.conftest import BACKENDS, HostProcess, database_for, host_ini

ADMIN_PASSWORD = "admin-Pa55word"
USER_PASSWORD = "user-Pa55word"
_names = itertools.count(1)


def unique(prefix: str) -> str:
    """A name no other test uses."""
    return f"{prefix}-{next(_names)}"


@dataclass
class World:
    """The host, and the credentials of every kind of caller (headers to send)."""

    host: HostProcess
    callers: dict[str, dict[str, str]] = field(default_factory=dict)
    secrets: list[str] = field(default_factory=list)

    def client(self, caller: str = "server admin", **headers: str) -> httpx.Client:
        """A client sending the caller's credentials."""
        return httpx.Client(base_url=self.host.url, headers={**self.callers[caller], **headers}, timeout=30)


def bearer(token: str) -> dict[str, str]:
    """Headers carrying a bearer token."""
    return {"Authorization": f"Bearer {token}"}


def basic(login: str, password: str) -> dict[str, str]:
    """Headers carrying basic credentials."""
    return {"Authorization": "Basic " + base64.b64encode(f"{login}:{password}".encode()).decode()}


def ok(response: httpx.Response, status: int = 200) -> Any:
    """The JSON body, after checking the status."""
    assert response.status_code == status, (response.status_code, response.text)
    return response.json()


def service_account_token(admin: httpx.Client, role: str, *, org_id: int = 1) -> tuple[int, int, str]:
    """(service account id, token id, token) of a new service account with ``role`` in ``org_id``."""
    headers = {"X-Grafana-Org-Id": str(org_id)}
    account = ok(admin.post("/api/serviceaccounts", json={"name": unique(role), "role": role}, headers=headers), 201)
    token = ok(admin.post(f"/api/serviceaccounts/{account['id']}/tokens", json={"name": unique("t")}, headers=headers))
    return account["id"], token["id"], token["key"]


def _build(host: HostProcess) -> World:
    world = World(host)
    world.callers = {"none": {}, "server admin": basic("admin", ADMIN_PASSWORD)}
    world.secrets = [ADMIN_PASSWORD, USER_PASSWORD]
    with world.client() as admin:
        for role in ("Viewer", "Editor"):
            login = f"{role.lower()}-user"
            user = ok(admin.post("/api/admin/users", json={"login": login, "password": USER_PASSWORD}))
            if role != "Viewer":
                ok(admin.patch(f"/api/org/users/{user['id']}", json={"role": role}))
            world.callers[f"{role.lower()} user"] = basic(login, USER_PASSWORD)
        for role in ("Viewer", "Editor", "Admin"):
            world.callers[role.lower()] = bearer(key := service_account_token(admin, role)[2])
            world.secrets.append(key)
        account_id, token_id, key = service_account_token(admin, "Admin")
        ok(admin.delete(f"/api/serviceaccounts/{account_id}/tokens/{token_id}"))
        world.callers["revoked token"] = bearer(key)
        world.secrets.append(key)
        world.callers["bad token"] = bearer("glsa_" + "A" * 32 + "_" + "0" * 8)
        other = ok(admin.post("/api/orgs", json={"name": "Other Org."}))["orgId"]
        world.callers["other org admin"] = bearer(key := service_account_token(admin, "Admin", org_id=other)[2])
        world.secrets.append(key)
    return world


@pytest.fixture(scope="module", params=BACKENDS)
def world(request: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory) -> Iterator[World]:
    """One host per module and backend, with every kind of caller set up through the management API."""
    folder: Path = tmp_path_factory.mktemp("auth")
    with database_for(request.param, folder) as url:
        extra = f"[security]\nadmin_password = {ADMIN_PASSWORD}\n"
        process = HostProcess(folder, host_ini(url, folder / "data", extra))
        process.start()
        try:
            yield _build(process)
        finally:
            process.stop()
