"""The management API (orgs, users, org users, service accounts, tokens) and the create-token command."""

from __future__ import annotations

import argparse
import io
import re

import httpx

from grafana_plugin_host.auth.cli import HELP, add_create_token_arguments, run_create_token
from grafana_plugin_host.config import load_settings_file
from tests.host.auth.conftest import USER_PASSWORD, World, basic, bearer, ok, unique

TOKEN = re.compile(r"^glsa_[A-Za-z0-9]{32}_[0-9a-f]{8}$")


def test_orgs(world: World) -> None:
    with world.client() as admin, world.client("viewer user") as viewer:
        name = unique("Org")
        created = ok(admin.post("/api/orgs", json={"name": name}))
        assert created["message"] == "Organization created"
        assert ok(admin.get(f"/api/orgs/{created['orgId']}"))["name"] == name
        assert ok(admin.get(f"/api/orgs/name/{name}"))["id"] == created["orgId"]
        assert {"id": created["orgId"], "name": name} in ok(admin.get("/api/orgs"))
        assert ok(admin.get("/api/orgs", params={"query": name})) == [{"id": created["orgId"], "name": name}]
        assert admin.post("/api/orgs", json={"name": name}).status_code == 409
        assert admin.post("/api/orgs", json={}).status_code == 400
        assert admin.get("/api/orgs/999999").status_code == 404
        # Members read their own org; only server admins list, create or read others.
        assert ok(viewer.get("/api/orgs/1"))["name"] == "Main Org."
        assert viewer.get(f"/api/orgs/{created['orgId']}").status_code == 403
        assert viewer.get("/api/orgs").status_code == 403
        assert viewer.post("/api/orgs", json={"name": unique("x")}).json()["title"] == "Access denied"
        # The creator is the new org's Admin.
        assert (
            ok(admin.get("/api/org/users", headers={"X-Grafana-Org-Id": str(created["orgId"])}))[0]["role"] == "Admin"
        )


def test_admin_creates_users(world: World) -> None:
    login = unique("new")
    with world.client() as admin, world.client("admin") as org_admin_token:
        created = ok(admin.post("/api/admin/users", json={"login": login, "email": f"{login}@x", "password": "abcd"}))
        assert created["message"] == "User created"
        assert admin.post("/api/admin/users", json={"login": login, "password": "abcd"}).status_code == 412
        assert admin.post("/api/admin/users", json={"login": unique("n"), "password": "abc"}).status_code == 400
        bad_org = admin.post("/api/admin/users", json={"login": unique("n"), "password": "abcd", "OrgId": 99999})
        assert bad_org.status_code == 400
        # An org Admin that is not a server admin cannot.
        assert (
            org_admin_token.post("/api/admin/users", json={"login": unique("n"), "password": "abcd"}).status_code == 403
        )
    members = ok(world.client().get("/api/org/users"))
    mine = next(m for m in members if m["login"] == login)
    assert mine["role"] == "Viewer" and mine["userId"] == created["id"] and mine["orgId"] == 1
    assert "password" not in mine


def test_org_users(world: World) -> None:
    login = unique("member")
    with world.client() as admin:
        other_org = ok(admin.post("/api/orgs", json={"name": unique("Org")}))["orgId"]
        in_other = {"X-Grafana-Org-Id": str(other_org)}
        user_id = ok(admin.post("/api/admin/users", json={"login": login, "password": USER_PASSWORD}))["id"]
        added = ok(admin.post("/api/org/users", json={"loginOrEmail": login, "role": "Editor"}, headers=in_other))
        assert added == {"message": "User added to organization", "userId": user_id}
        again = admin.post("/api/org/users", json={"loginOrEmail": login, "role": "Editor"}, headers=in_other)
        assert again.status_code == 409
        assert admin.post("/api/org/users", json={"loginOrEmail": "ghost", "role": "Viewer"}).status_code == 404
        assert admin.post("/api/org/users", json={"loginOrEmail": login, "role": "Boss"}).status_code == 400
        # The user now acts in the other org when asking for it.
        as_member = basic(login, USER_PASSWORD) | in_other
        with httpx.Client(base_url=world.host.url, headers=as_member) as member:
            assert (
                member.post("/api/datasources", json={"name": "n", "type": "t", "access": "proxy"}).status_code == 403
            )
            ok(admin.patch(f"/api/org/users/{user_id}", json={"role": "Admin"}, headers=in_other))
            ok(member.post("/api/datasources", json={"name": "n", "type": "t", "access": "proxy"}))
        removed = ok(admin.delete(f"/api/org/users/{user_id}", headers=in_other))
        assert removed == {"message": "User removed from organization"}
        assert admin.delete(f"/api/org/users/{user_id}", headers=in_other).status_code == 404
        # The last Admin of an org keeps the role.
        solo = ok(admin.post("/api/orgs", json={"name": unique("Org")}))["orgId"]
        admin_id = next(m["userId"] for m in ok(admin.get("/api/org/users")) if m["login"] == "admin")
        in_solo = {"X-Grafana-Org-Id": str(solo)}
        assert admin.patch(f"/api/org/users/{admin_id}", json={"role": "Viewer"}, headers=in_solo).status_code == 400
        assert admin.delete(f"/api/org/users/{admin_id}", headers=in_solo).status_code == 400
    with world.client("editor") as editor:  # only Admins manage members
        assert editor.get("/api/org/users").status_code == 403
        assert editor.patch(f"/api/org/users/{user_id}", json={"role": "Viewer"}).status_code == 403


def test_service_accounts_and_tokens(world: World) -> None:
    with world.client() as admin:
        name = unique("robot")
        account = ok(admin.post("/api/serviceaccounts", json={"name": name, "role": "Editor"}), 201)
        assert account["login"] == f"sa-1-{name}" and account["role"] == "Editor" and account["tokens"] == 0
        assert admin.post("/api/serviceaccounts", json={"name": name}).status_code == 400
        assert admin.post("/api/serviceaccounts", json={"name": unique("r"), "role": "God"}).status_code == 400
        token = ok(admin.post(f"/api/serviceaccounts/{account['id']}/tokens", json={"name": "t1"}))
        assert set(token) == {"id", "name", "key"} and TOKEN.match(token["key"])
        again = admin.post(f"/api/serviceaccounts/{account['id']}/tokens", json={"name": "t1"})
        assert again.status_code == 409
        listed = ok(admin.get(f"/api/serviceaccounts/{account['id']}/tokens"))
        assert [t["name"] for t in listed] == ["t1"] and token["key"] not in str(listed)
        assert listed[0]["hasExpired"] is False and listed[0]["expiration"] is None
        found = ok(admin.get("/api/serviceaccounts/search", params={"query": name}))
        assert found["totalCount"] == 1 and found["serviceAccounts"][0]["tokens"] == 1
        assert ok(admin.get(f"/api/serviceaccounts/{account['id']}"))["name"] == name
        # The token acts with the account's role, and follows a role change at once.
        with httpx.Client(base_url=world.host.url, headers=bearer(token["key"])) as robot:
            assert robot.post("/api/datasources", json={"name": "r", "type": "t", "access": "proxy"}).status_code == 403
            ok(admin.patch(f"/api/serviceaccounts/{account['id']}", json={"role": "Admin"}))
            ok(robot.post("/api/datasources", json={"name": unique("r"), "type": "t", "access": "proxy"}))
            ok(admin.patch(f"/api/serviceaccounts/{account['id']}", json={"isDisabled": True}))
            assert robot.get("/api/datasources").status_code == 401
        assert ok(admin.delete(f"/api/serviceaccounts/{account['id']}")) == {"message": "Service account deleted"}
        assert admin.get(f"/api/serviceaccounts/{account['id']}").status_code == 404
        assert admin.get("/api/serviceaccounts/abc").status_code == 400


def test_service_accounts_are_scoped_to_the_org(world: World) -> None:
    with world.client() as admin, world.client("other org admin") as other:
        account = ok(admin.post("/api/serviceaccounts", json={"name": unique("mine")}), 201)
        assert other.get(f"/api/serviceaccounts/{account['id']}").status_code == 404
        assert other.post(f"/api/serviceaccounts/{account['id']}/tokens", json={"name": "x"}).status_code == 404
        assert other.delete(f"/api/serviceaccounts/{account['id']}").status_code == 404
        assert account["id"] not in [a["id"] for a in ok(other.get("/api/serviceaccounts/search"))["serviceAccounts"]]


def test_nobody_grants_a_role_above_their_own(world: World) -> None:
    with world.client("editor") as editor:
        assert editor.post("/api/serviceaccounts", json={"name": unique("x"), "role": "Admin"}).status_code == 403


def test_cli_creates_a_working_token(world: World) -> None:
    parser = argparse.ArgumentParser()
    command = parser.add_subparsers().add_parser("create-token", help=HELP)
    add_create_token_arguments(command)
    settings = load_settings_file(world.host.config, environ={})
    out, err = io.StringIO(), io.StringIO()
    args = parser.parse_args(["create-token", "--name", unique("ci"), "--role", "Editor"])
    assert run_create_token(settings, args, out=out, err=err) == 0
    key = out.getvalue().strip()
    assert TOKEN.match(key) and key not in err.getvalue()
    world.secrets.append(key)
    with httpx.Client(base_url=world.host.url, headers=bearer(key)) as client:
        ok(client.get("/api/datasources"))
        assert client.post("/api/datasources", json={"name": "c", "type": "t", "access": "proxy"}).status_code == 403
    # Without --role: a Viewer, as --help says.
    assert "(default Viewer)" in command.format_help()
    out, name = io.StringIO(), unique("ro")
    assert run_create_token(settings, parser.parse_args(["create-token", "--name", name]), out=out, err=err) == 0
    world.secrets.append(out.getvalue().strip())
    with world.client() as admin:
        (account,) = ok(admin.get("/api/serviceaccounts/search", params={"query": name}))["serviceAccounts"]
    assert account["role"] == "Viewer"
    # Same name again: a clear error, exit status 1, nothing on stdout.
    out = io.StringIO()
    assert run_create_token(settings, args, out=out, err=err) == 1
    assert out.getvalue() == "" and "already has a token" in err.getvalue()
