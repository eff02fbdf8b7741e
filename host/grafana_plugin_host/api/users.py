"""``/api/admin/users`` (create users) and ``/api/org/users`` (members of the caller's org and their roles)."""

from __future__ import annotations

import asyncio
from functools import partial
from typing import Any

from sqlalchemy import Connection
from starlette.requests import Request
from starlette.routing import Route

from grafana_plugin_host.api._http import JSONResponse, identity_of
from grafana_plugin_host.auth._forms import int_param, json_object, role_field, text_field
from grafana_plugin_host.auth._passwords import hash_password, salt_of
from grafana_plugin_host.errors import ApiError
from grafana_plugin_host.models import OrgRole
from grafana_plugin_host.rbac import require, require_global, require_role_at_most
from grafana_plugin_host.store import identity as db

#: Role of a user created by a server admin in the org it names (Grafana's ``auto_assign_org_role``).
DEFAULT_ROLE = OrgRole.VIEWER
_MIN_PASSWORD = 4


def _user_not_found() -> ApiError:
    return ApiError(404, "User not found")


async def create_user(request: Request) -> JSONResponse:
    """POST /api/admin/users: a user with a password, member of ``OrgId`` (default org 1) as Viewer."""
    require_global(identity_of(request), "users:create")
    body = await json_object(request)
    email, name = text_field(body, "email"), text_field(body, "name")
    login = text_field(body, "login") or email
    password = body.get("password")
    if not isinstance(password, str) or len(password) < _MIN_PASSWORD:
        raise ApiError(400, "Password is missing or too short")
    if not login:
        raise ApiError(400, "bad request data")
    org_id = body.get("OrgId") or body.get("orgId") or 1
    if not isinstance(org_id, int) or isinstance(org_id, bool) or org_id < 1:
        raise ApiError(400, "bad request data")
    stored = await asyncio.to_thread(hash_password, password)  # the KDF stays off the event loop

    def create(conn: Connection) -> int:
        if db.get_org(conn, org_id) is None:
            raise ApiError(400, "organization not found")
        return db.create_user(
            conn, login=login, email=email, name=name, org_id=org_id, role=DEFAULT_ROLE,
            password=stored, salt=salt_of(stored),
        )  # fmt: skip

    try:
        user_id = await request.app.state.store.write(create)
    except db.UserExistsError:
        raise ApiError(412, f"User with email '{email}' or username '{login}' already exists") from None
    return JSONResponse({"id": user_id, "message": "User created"})


def _member_body(member: db.Member) -> dict[str, Any]:
    return {
        "orgId": member.org_id,
        "userId": member.user_id,
        "email": member.email,
        "name": member.name,
        "avatarUrl": "",
        "login": member.login,
        "role": member.role,
        "isDisabled": member.is_disabled,
    }


async def list_org_users(request: Request) -> JSONResponse:
    """GET /api/org/users: the caller's org members with their roles."""
    identity = identity_of(request)
    require(identity, "org.users:read", "users:*")
    members = await request.app.state.store.read(partial(db.list_members, org_id=identity.org_id))
    return JSONResponse([_member_body(member) for member in members])


async def add_org_user(request: Request) -> JSONResponse:
    """POST /api/org/users: add an existing user (``loginOrEmail``) to the caller's org with ``role``."""
    identity = identity_of(request)
    require(identity, "org.users:add", "users:*")
    body = await json_object(request)
    login = text_field(body, "loginOrEmail", required=True)
    role = role_field(body)
    require_role_at_most(identity, role)

    def add(conn: Connection) -> int:
        found = db.find_user(conn, login)
        if found is None:
            raise _user_not_found()
        db.add_member(conn, identity.org_id, found.id, role)
        return found.id

    try:
        user_id = await request.app.state.store.write(add)
    except db.AlreadyMemberError:
        raise ApiError(409, "User is already member of this organization") from None
    return JSONResponse({"message": "User added to organization", "userId": user_id})


def _human_member_role(conn: Connection, org_id: int, user_id: int) -> str:
    found = db.get_user(conn, user_id)
    role = db.role_in_org(conn, user_id, org_id)
    if found is None or found.is_service_account or role is None:
        raise _user_not_found()
    return role


async def update_org_user(request: Request) -> JSONResponse:
    """PATCH /api/org/users/:userId: change a member's role (the last Admin keeps theirs)."""
    identity = identity_of(request)
    user_id = int_param(request, "user_id", "userId is invalid")
    require(identity, "org.users:write", f"users:id:{user_id}")
    role = role_field(await json_object(request))
    require_role_at_most(identity, role)

    def change(conn: Connection) -> None:
        current = _human_member_role(conn, identity.org_id, user_id)
        if current == OrgRole.ADMIN and role != OrgRole.ADMIN and db.count_admins(conn, identity.org_id) <= 1:
            raise ApiError(400, "Cannot change role so that there is no organization admin left")
        db.set_member_role(conn, identity.org_id, user_id, role)

    await request.app.state.store.write(change)
    return JSONResponse({"message": "Organization user updated"})


async def remove_org_user(request: Request) -> JSONResponse:
    """DELETE /api/org/users/:userId: remove a member from the caller's org (never the last Admin)."""
    identity = identity_of(request)
    user_id = int_param(request, "user_id", "userId is invalid")
    require(identity, "org.users:remove", f"users:id:{user_id}")

    def remove(conn: Connection) -> None:
        current = _human_member_role(conn, identity.org_id, user_id)
        if current == OrgRole.ADMIN and db.count_admins(conn, identity.org_id) <= 1:
            raise ApiError(400, "Cannot remove last organization admin")
        db.remove_member(conn, identity.org_id, user_id)

    await request.app.state.store.write(remove)
    return JSONResponse({"message": "User removed from organization"})


routes = [
    Route("/api/admin/users", create_user, methods=["POST"]),
    Route("/api/org/users", list_org_users, methods=["GET"]),
    Route("/api/org/users", add_org_user, methods=["POST"]),
    Route("/api/org/users/{user_id}", update_org_user, methods=["PATCH"]),
    Route("/api/org/users/{user_id}", remove_org_user, methods=["DELETE"]),
]
