"""``/api/serviceaccounts``: service accounts of the caller's org and their tokens (shown once, stored hashed)."""

from __future__ import annotations

import time
from functools import partial
from typing import Any

from sqlalchemy import Connection
from starlette.requests import Request
from starlette.routing import Route

from grafana_plugin_host.api._http import JSONResponse, grafana_error, identity_of
from grafana_plugin_host.auth._forms import int_param, iso, json_object, paging, role_field, text_field
from grafana_plugin_host.auth._tokens import generate_token, hash_token
from grafana_plugin_host.errors import ApiError
from grafana_plugin_host.models import OrgRole
from grafana_plugin_host.rbac import require, require_role_at_most
from grafana_plugin_host.store import identity as db

_SEVEN_DAYS = 7 * 24 * 3600


def _not_found() -> ApiError:
    return grafana_error(404, "serviceaccounts.ErrNotFound", "service account not found")


def _account_body(account: db.ServiceAccount) -> dict[str, Any]:
    return {
        "id": account.id,
        "name": account.name,
        "login": account.login,
        "orgId": account.org_id,
        "isDisabled": account.is_disabled,
        "role": account.role,
        "tokens": account.tokens,
        "avatarUrl": "",
    }


def _account_id(request: Request, action: str) -> int:
    """The service account id in the path, after checking ``action`` on it."""
    account_id = int_param(request, "account_id", "Service Account ID is invalid")
    require(identity_of(request), action, f"serviceaccounts:id:{account_id}")
    return account_id


def _existing(conn: Connection, org_id: int, account_id: int) -> db.ServiceAccount:
    account = db.get_service_account(conn, org_id, account_id)
    if account is None:
        raise _not_found()
    return account


def _bool_field(body: dict[str, Any], key: str) -> bool | None:
    value = body.get(key)
    if value is not None and not isinstance(value, bool):
        raise ApiError(400, "bad request data")
    return value


async def create_account(request: Request) -> JSONResponse:
    """POST /api/serviceaccounts: ``{"name", "role", "isDisabled"}``; 201 with the account."""
    identity = identity_of(request)
    require(identity, "serviceaccounts:create")
    body = await json_object(request)
    name = text_field(body, "name", required=True)
    role = role_field(body, default=OrgRole.VIEWER)
    disabled = bool(_bool_field(body, "isDisabled"))
    require_role_at_most(identity, role)

    def create(conn: Connection) -> db.ServiceAccount:
        account_id = db.create_service_account(conn, identity.org_id, name, role, is_disabled=disabled)
        return _existing(conn, identity.org_id, account_id)

    try:
        account = await request.app.state.store.write(create)
    except db.ServiceAccountExistsError:
        raise grafana_error(400, "serviceaccounts.ErrAlreadyExists", "service account already exists") from None
    return JSONResponse(_account_body(account), status_code=201)


async def search_accounts(request: Request) -> JSONResponse:
    """GET /api/serviceaccounts/search: ``{"totalCount", "serviceAccounts", "page", "perPage"}``."""
    identity = identity_of(request)
    require(identity, "serviceaccounts:read")
    page, per_page = paging(request)
    search = partial(
        db.search_service_accounts,
        org_id=identity.org_id,
        query=request.query_params.get("query", ""),
        limit=per_page,
        offset=(page - 1) * per_page,
    )
    total, accounts = await request.app.state.store.read(search)
    body = {"totalCount": total, "serviceAccounts": [_account_body(a) for a in accounts]}
    return JSONResponse({**body, "page": page, "perPage": per_page})


async def get_account(request: Request) -> JSONResponse:
    """GET /api/serviceaccounts/:id."""
    account_id = _account_id(request, "serviceaccounts:read")
    org_id = identity_of(request).org_id
    account = await request.app.state.store.read(partial(_existing, org_id=org_id, account_id=account_id))
    return JSONResponse(_account_body(account))


async def update_account(request: Request) -> JSONResponse:
    """PATCH /api/serviceaccounts/:id: change ``name``, ``role`` or ``isDisabled``."""
    identity = identity_of(request)
    account_id = _account_id(request, "serviceaccounts:write")
    body = await json_object(request)
    name = text_field(body, "name")
    role = role_field(body) if body.get("role") is not None else None
    disabled = _bool_field(body, "isDisabled")
    if role is not None:
        require_role_at_most(identity, role)

    def change(conn: Connection) -> db.ServiceAccount:
        _existing(conn, identity.org_id, account_id)
        columns: dict[str, Any] = {}
        if name:
            columns.update(name=name, login=db.service_account_login(identity.org_id, name))
        if disabled is not None:
            columns["is_disabled"] = disabled
        if columns:
            db.update_user(conn, account_id, **columns)
        if role is not None:
            db.set_member_role(conn, identity.org_id, account_id, role)
        return _existing(conn, identity.org_id, account_id)

    account = await request.app.state.store.write(change)
    message = {"message": "Service account updated", "id": account.id, "name": account.name}
    return JSONResponse({**message, "serviceaccount": _account_body(account)})


async def delete_account(request: Request) -> JSONResponse:
    """DELETE /api/serviceaccounts/:id: the account and all its tokens."""
    account_id = _account_id(request, "serviceaccounts:delete")
    org_id = identity_of(request).org_id
    deleted = await request.app.state.store.write(
        partial(db.delete_service_account, org_id=org_id, account_id=account_id)
    )
    if not deleted:
        raise _not_found()
    return JSONResponse({"message": "Service account deleted"})


def _token_body(token: db.Token, now: float) -> dict[str, Any]:
    expired = token.expires is not None and token.expires <= now
    remaining = 0.0
    if token.expires is not None and not expired and token.expires - now < _SEVEN_DAYS:
        remaining = token.expires - now
    expiration = None
    if token.expires is not None:
        expiration = time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime(token.expires))
    return {
        "id": token.id,
        "name": token.name,
        "created": iso(token.created),
        "lastUsedAt": iso(token.last_used_at),
        "expiration": expiration,
        "secondsUntilExpiration": remaining,
        "hasExpired": expired,
        "isRevoked": token.is_revoked,
    }


async def list_tokens(request: Request) -> JSONResponse:
    """GET /api/serviceaccounts/:id/tokens (never the token values: only their hashes are stored)."""
    account_id = _account_id(request, "serviceaccounts:read")
    org_id = identity_of(request).org_id

    def tokens(conn: Connection) -> list[db.Token]:
        _existing(conn, org_id, account_id)
        return list(db.list_tokens(conn, org_id, account_id))

    found = await request.app.state.store.read(tokens)
    now = time.time()
    return JSONResponse([_token_body(token, now) for token in found])


async def create_token(request: Request) -> JSONResponse:
    """POST /api/serviceaccounts/:id/tokens: ``{"name", "secondsToLive"}`` -> ``{"id", "name", "key"}``, once."""
    account_id = _account_id(request, "serviceaccounts:write")
    org_id = identity_of(request).org_id
    body = await json_object(request)
    name = text_field(body, "name", required=True)
    seconds = body.get("secondsToLive") or 0
    if not isinstance(seconds, int) or isinstance(seconds, bool) or seconds < 0:
        raise ApiError(400, "invalid SecondsToLive value")
    expires = int(time.time()) + seconds if seconds else None
    token = generate_token()
    hashed = hash_token(token)

    def add(conn: Connection) -> int:
        account = _existing(conn, org_id, account_id)
        return db.add_token(conn, org_id, account_id, name, hashed, account.role, expires)

    try:
        token_id = await request.app.state.store.write(add)
    except db.TokenNameTakenError:
        raise ApiError(409, "service account token with given name already exists in the organization") from None
    return JSONResponse({"id": token_id, "name": name, "key": str(token)})


async def revoke_token(request: Request) -> JSONResponse:
    """DELETE /api/serviceaccounts/:id/tokens/:tokenId: the token is refused from the next request on."""
    account_id = _account_id(request, "serviceaccounts:write")
    token_id = int_param(request, "token_id", "Token ID is invalid")
    org_id = identity_of(request).org_id

    def revoke(conn: Connection) -> bool:
        _existing(conn, org_id, account_id)
        return db.revoke_token(conn, org_id, account_id, token_id)

    if not await request.app.state.store.write(revoke):
        raise grafana_error(404, "serviceaccounts.ErrTokenNotFound", "service account token not found")
    return JSONResponse({"message": "Service account token deleted"})


routes = [
    Route("/api/serviceaccounts", create_account, methods=["POST"]),
    Route("/api/serviceaccounts/", create_account, methods=["POST"]),
    Route("/api/serviceaccounts/search", search_accounts, methods=["GET"]),
    Route("/api/serviceaccounts/{account_id}", get_account, methods=["GET"]),
    Route("/api/serviceaccounts/{account_id}", update_account, methods=["PATCH"]),
    Route("/api/serviceaccounts/{account_id}", delete_account, methods=["DELETE"]),
    Route("/api/serviceaccounts/{account_id}/tokens", list_tokens, methods=["GET"]),
    Route("/api/serviceaccounts/{account_id}/tokens", create_token, methods=["POST"]),
    Route("/api/serviceaccounts/{account_id}/tokens/{token_id}", revoke_token, methods=["DELETE"]),
]
