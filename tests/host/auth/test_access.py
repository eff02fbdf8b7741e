"""Every data source endpoint x every kind of caller, over HTTP against a running host (table-driven)."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

import httpx
import pytest

from tests.host.auth.conftest import World, ok, unique

CALLERS = (
    "none",
    "bad token",
    "revoked token",
    "viewer",
    "viewer user",
    "editor",
    "editor user",
    "admin",
    "server admin",
    "other org admin",
)
ROLE_RANK = {"viewer": 1, "viewer user": 1, "editor": 2, "editor user": 2, "admin": 3, "server admin": 3}
ACTIONS = {"POST": "datasources:create", "PUT": "datasources:write", "DELETE": "datasources:delete"}
UNAUTHENTICATED = {
    "none": {"message": "Unauthorized"},
    "bad token": {"message": "Invalid API key", "messageId": "api-key.invalid", "statusCode": 401, "traceID": ""},
    "revoked token": {"message": "Revoked API key", "messageId": "api-key.revoked", "statusCode": 401, "traceID": ""},
}


@dataclass(frozen=True)
class DataSource:
    """A data source of org 1, made for one case."""

    id: int
    uid: str
    name: str


def _spec(name: str) -> dict[str, Any]:
    return {"name": name, "type": "prometheus", "access": "proxy", "url": "http://127.0.0.1:9"}


#: Without plugins, a call the host lets through ends at the missing plugin: proof that authorization passed.
NO_PLUGIN = (404, "Plugin not registered")
NO_PLUGIN_RESOURCE = (404, "Unable to find datasource plugin")
NO_PLUGIN_PROXY = (404, "Unable to find datasource plugin")
#: What a data source of another org looks like: not there.
INVISIBLE = {"Data source not found", "Unable to find datasource"}


def _query(ds: DataSource) -> dict[str, Any]:
    return {"queries": [{"refId": "A", "datasource": {"uid": ds.uid}}], "from": "now-1h", "to": "now"}


def _tsdb_query(ds: DataSource) -> dict[str, Any]:
    return {"queries": [{"refId": "A", "datasourceId": ds.id}], "from": "now-1h", "to": "now"}


@dataclass(frozen=True)
class Endpoint:
    """One endpoint: method, path template, needed role rank, optional body, and the answer when allowed."""

    method: str
    path: str
    rank: int
    body: Callable[[DataSource], dict[str, Any]] | None = None
    allowed: tuple[int, str | None] = (200, None)

    def __str__(self) -> str:
        return f"{self.method} {self.path}"

    @property
    def mutates(self) -> bool:
        return self.method in ("PUT", "DELETE")

    def url(self, ds: DataSource) -> str:
        return self.path.format(id=ds.id, uid=ds.uid, name=ds.name)


ENDPOINTS = (
    Endpoint("GET", "/api/datasources", 1),
    Endpoint("POST", "/api/datasources", 3, lambda ds: _spec(unique("created"))),
    Endpoint("GET", "/api/datasources/{id}", 1),
    Endpoint("GET", "/api/datasources/uid/{uid}", 1),
    Endpoint("GET", "/api/datasources/name/{name}", 1),
    Endpoint("GET", "/api/datasources/id/{name}", 1),
    Endpoint("PUT", "/api/datasources/{id}", 3, lambda ds: _spec(ds.name)),
    Endpoint("PUT", "/api/datasources/uid/{uid}", 3, lambda ds: _spec(ds.name)),
    Endpoint("DELETE", "/api/datasources/{id}", 3),
    Endpoint("DELETE", "/api/datasources/uid/{uid}", 3),
    Endpoint("DELETE", "/api/datasources/name/{name}", 3),
    Endpoint("GET", "/api/datasources/uid/{uid}/health", 1, allowed=NO_PLUGIN),
    Endpoint("GET", "/api/datasources/{id}/health", 1, allowed=NO_PLUGIN),
    Endpoint("GET", "/api/datasources/uid/{uid}/resources/x", 1, allowed=NO_PLUGIN_RESOURCE),
    Endpoint("POST", "/api/datasources/{id}/resources/x", 1, allowed=NO_PLUGIN_RESOURCE),
    Endpoint("GET", "/api/datasources/proxy/uid/{uid}/x", 1, allowed=NO_PLUGIN_PROXY),
    Endpoint("GET", "/api/datasources/proxy/{id}/x", 1, allowed=NO_PLUGIN_PROXY),
    Endpoint("POST", "/api/ds/query", 1, _query, allowed=NO_PLUGIN),
    Endpoint("POST", "/api/tsdb/query", 1, _tsdb_query, allowed=NO_PLUGIN),
)


def _fresh(world: World) -> DataSource:
    with world.client() as admin:
        created = ok(admin.post("/api/datasources", json=_spec(unique("ds"))))["datasource"]
    return DataSource(created["id"], created["uid"], created["name"])


def _still_there(world: World, ds: DataSource) -> dict[str, Any]:
    with world.client() as admin:
        return ok(admin.get(f"/api/datasources/uid/{ds.uid}"))  # type: ignore[no-any-return]


@pytest.mark.parametrize("caller", CALLERS)
@pytest.mark.parametrize("endpoint", ENDPOINTS, ids=str)
def test_endpoint_by_caller(world: World, endpoint: Endpoint, caller: str) -> None:
    ds = _fresh(world)
    before = _still_there(world, ds)
    body = endpoint.body(ds) if endpoint.body else None
    with world.client(caller) as client:
        response = client.request(endpoint.method, endpoint.url(ds), json=body)
    if caller in UNAUTHENTICATED:
        assert response.status_code == 401, response.text
        assert response.json() == UNAUTHENTICATED[caller]
    elif caller == "other org admin":
        if endpoint.path == "/api/datasources":
            listed_or_created = ok(response)
            if endpoint.method == "GET":  # their own org's list: ours is not in it
                assert ds.uid not in {item["uid"] for item in listed_or_created}
            else:  # created in their own org
                assert listed_or_created["datasource"]["orgId"] != 1
        else:
            assert response.status_code == 404, response.text
            assert response.json()["message"] in INVISIBLE
    elif ROLE_RANK[caller] >= endpoint.rank:
        status, message = endpoint.allowed
        assert response.status_code == status, response.text
        if message is not None:
            assert response.json()["message"] == message
    else:
        assert response.status_code == 403, response.text
        denied = response.json()
        assert denied["title"] == "Access denied"
        assert f"action:{ACTIONS[endpoint.method]}" in denied["message"]
    if endpoint.mutates and response.status_code != 200:
        assert _still_there(world, ds) == before  # refused means untouched


def test_revoke_takes_effect_on_the_next_request(world: World) -> None:
    from tests.host.auth.conftest import bearer, service_account_token

    with world.client() as admin:
        account_id, token_id, key = service_account_token(admin, "Viewer")
        with httpx.Client(base_url=world.host.url, headers=bearer(key)) as client:
            ok(client.get("/api/datasources"))
            ok(admin.delete(f"/api/serviceaccounts/{account_id}/tokens/{token_id}"))
            assert client.get("/api/datasources").status_code == 401
        tokens = ok(admin.get(f"/api/serviceaccounts/{account_id}/tokens"))
        assert [t["isRevoked"] for t in tokens] == [True]


def test_org_header_cannot_move_a_token_to_another_org(world: World) -> None:
    with world.client("other org admin", **{"X-Grafana-Org-Id": "1"}) as client:
        response = client.get("/api/datasources")
    assert response.status_code == 401
    assert response.json()["message"] == "API key does not belong to the requested organization"


def test_a_user_in_an_org_they_do_not_belong_to_has_no_rights(world: World) -> None:
    ds = _fresh(world)
    with world.client("viewer user", **{"X-Grafana-Org-Id": "2"}) as client:
        assert client.get("/api/datasources").status_code == 403
        assert client.get(f"/api/datasources/uid/{ds.uid}").status_code == 403


def test_health_stays_public(world: World) -> None:
    for caller in ("none", "bad token"):
        with world.client(caller) as client:
            assert client.get("/api/health").status_code == 200
    with world.client("none", Authorization="Basic !!!") as client:
        assert client.get("/api/health").status_code == 200


def test_no_secret_in_the_host_log(world: World) -> None:
    log = world.host.log
    for secret in world.secrets:
        assert secret not in log
