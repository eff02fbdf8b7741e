"""``/api/serviceaccounts``: service accounts of the caller's org and their tokens (shown once, stored hashed)."""

from __future__ import annotations

import time
from collections.abc import Callable
from functools import partial
from typing import Any, TypeVar

from sqlalchemy import Connection
from starlette.requests import Request
from starlette.routing import Route

from grafana_plugin_host.auth import generate_token, hash_token
from grafana_plugin_host.errors import ApiError
from grafana_plugin_host.models import OrgRole
from grafana_plugin_host.rbac import require, require_role_at_most
from grafana_plugin_host.services import services_of
from grafana_plugin_host.store import identity as db
from grafana_plugin_host.web import (
    JSONResponse,
    grafana_error,
    identity_of,
    int_param,
    iso,
    json_object,
    paging,
    role_field,
    text_field,
)

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


T = TypeVar("T")


async def _account_call(request: Request, fn: Callable[[Connection], T], *, write: bool = False) -> T:
    """Run a store operation on one service account; its 404 when the org has no such account."""
    store = services_of(request).store
    try:
        return await (store.write(fn) if write else store.read(fn))
    except db.ServiceAccountNotFoundError:
        raise _not_found() from None


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

    create = partial(db.new_service_account, org_id=identity.org_id, name=name, role=role, is_disabled=disabled)
    try:
        account = await services_of(request).store.write(create)
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
    total, accounts = await services_of(request).store.read(search)
    body = {"totalCount": total, "serviceAccounts": [_account_body(a) for a in accounts]}
    return JSONResponse({**body, "page": page, "perPage": per_page})


async def get_account(request: Request) -> JSONResponse:
    """GET /api/serviceaccounts/:id."""
    account_id = _account_id(request, "serviceaccounts:read")
    org_id = identity_of(request).org_id
    account = await _account_call(request, partial(db.existing_service_account, org_id=org_id, account_id=account_id))
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

    change = partial(
        db.change_service_account,
        org_id=identity.org_id, account_id=account_id, name=name, role=role, is_disabled=disabled,
    )  # fmt: skip
    account = await _account_call(request, change, write=True)
    message = {"message": "Service account updated", "id": account.id, "name": account.name}
    return JSONResponse({**message, "serviceaccount": _account_body(account)})


async def delete_account(request: Request) -> JSONResponse:
    """DELETE /api/serviceaccounts/:id: the account and all its tokens."""
    account_id = _account_id(request, "serviceaccounts:delete")
    org_id = identity_of(request).org_id
    deleted = await services_of(request).store.write(
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

    found = await _account_call(request, partial(db.account_tokens, org_id=org_id, account_id=account_id))
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

    add = partial(
        db.add_account_token, org_id=org_id, account_id=account_id, name=name, hashed_key=hashed, expires=expires
    )
    try:
        token_id = await _account_call(request, add, write=True)
    except db.TokenNameTakenError:
        raise ApiError(409, "service account token with given name already exists in the organization") from None
    return JSONResponse({"id": token_id, "name": name, "key": str(token)})


async def revoke_token(request: Request) -> JSONResponse:
    """DELETE /api/serviceaccounts/:id/tokens/:tokenId: the token is refused from the next request on."""
    account_id = _account_id(request, "serviceaccounts:write")
    token_id = int_param(request, "token_id", "Token ID is invalid")
    org_id = identity_of(request).org_id

    revoke = partial(db.revoke_account_token, org_id=org_id, account_id=account_id, token_id=token_id)
    if not await _account_call(request, revoke, write=True):
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
