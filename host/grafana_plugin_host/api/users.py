"""``/api/admin/users`` (create users) and ``/api/org/users`` (members of the caller's org and their roles)."""

from __future__ import annotations

import asyncio
from functools import partial
from typing import Any

from starlette.requests import Request
from starlette.routing import Route

from grafana_plugin_host.auth import hash_password, salt_of
from grafana_plugin_host.errors import ApiError
from grafana_plugin_host.models import OrgRole
from grafana_plugin_host.rbac import require, require_global, require_role_at_most
from grafana_plugin_host.services import services_of
from grafana_plugin_host.store import identity as db
from grafana_plugin_host.web import JSONResponse, identity_of, int_param, json_object, role_field, text_field

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
    create = partial(
        db.create_user_in_org,
        login=login, email=email, name=name, org_id=org_id, role=DEFAULT_ROLE, password=stored, salt=salt_of(stored),
    )  # fmt: skip
    try:
        user_id = await services_of(request).store.write(create)
    except db.OrgNotFoundError:
        raise ApiError(400, "organization not found") from None
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
    members = await services_of(request).store.read(partial(db.list_members, org_id=identity.org_id))
    return JSONResponse([_member_body(member) for member in members])


async def add_org_user(request: Request) -> JSONResponse:
    """POST /api/org/users: add an existing user (``loginOrEmail``) to the caller's org with ``role``."""
    identity = identity_of(request)
    require(identity, "org.users:add", "users:*")
    body = await json_object(request)
    login = text_field(body, "loginOrEmail", required=True)
    role = role_field(body)
    require_role_at_most(identity, role)

    add = partial(db.add_member_by_login, org_id=identity.org_id, login_or_email=login, role=role)
    try:
        user_id = await services_of(request).store.write(add)
    except db.UserNotFoundError:
        raise _user_not_found() from None
    except db.AlreadyMemberError:
        raise ApiError(409, "User is already member of this organization") from None
    return JSONResponse({"message": "User added to organization", "userId": user_id})


async def update_org_user(request: Request) -> JSONResponse:
    """PATCH /api/org/users/:userId: change a member's role (the last Admin keeps theirs)."""
    identity = identity_of(request)
    user_id = int_param(request, "user_id", "userId is invalid")
    require(identity, "org.users:write", f"users:id:{user_id}")
    role = role_field(await json_object(request))
    require_role_at_most(identity, role)

    change = partial(db.change_member_role, org_id=identity.org_id, user_id=user_id, role=role)
    try:
        await services_of(request).store.write(change)
    except db.UserNotFoundError:
        raise _user_not_found() from None
    except db.LastAdminError:
        raise ApiError(400, "Cannot change role so that there is no organization admin left") from None
    return JSONResponse({"message": "Organization user updated"})


async def remove_org_user(request: Request) -> JSONResponse:
    """DELETE /api/org/users/:userId: remove a member from the caller's org (never the last Admin)."""
    identity = identity_of(request)
    user_id = int_param(request, "user_id", "userId is invalid")
    require(identity, "org.users:remove", f"users:id:{user_id}")

    remove = partial(db.remove_person, org_id=identity.org_id, user_id=user_id)
    try:
        await services_of(request).store.write(remove)
    except db.UserNotFoundError:
        raise _user_not_found() from None
    except db.LastAdminError:
        raise ApiError(400, "Cannot remove last organization admin") from None
    return JSONResponse({"message": "User removed from organization"})


routes = [
    Route("/api/admin/users", create_user, methods=["POST"]),
    Route("/api/org/users", list_org_users, methods=["GET"]),
    Route("/api/org/users", add_org_user, methods=["POST"]),
    Route("/api/org/users/{user_id}", update_org_user, methods=["PATCH"]),
    Route("/api/org/users/{user_id}", remove_org_user, methods=["DELETE"]),
]
