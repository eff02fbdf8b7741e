"""``/api/orgs``: list, create and read organizations (server admins; members may read their own org)."""

from __future__ import annotations

from functools import partial
from typing import Any

from starlette.requests import Request
from starlette.routing import Route

from grafana_plugin_host.errors import ApiError
from grafana_plugin_host.models import Identity
from grafana_plugin_host.rbac import require, require_global
from grafana_plugin_host.services import services_of
from grafana_plugin_host.store import identity as db
from grafana_plugin_host.web import JSONResponse, identity_of, int_param, json_object, paging, text_field


def _org_body(org: db.Org) -> dict[str, Any]:
    address = dict.fromkeys(("address1", "address2", "city", "zipCode", "state", "country"), "")
    return {"id": org.id, "name": org.name, "address": address}


def _require_read(identity: Identity, org_id: int) -> None:
    if org_id == identity.org_id:
        require(identity, "orgs:read")
    else:
        require_global(identity, "orgs:read")


async def search_orgs(request: Request) -> JSONResponse:
    """GET /api/orgs: ``[{"id", "name"}]`` filtered by ``query``/``name``, paged by ``page``/``perpage``."""
    require_global(identity_of(request), "orgs:read")
    page, per_page = paging(request)
    query = request.query_params.get("name") or request.query_params.get("query", "")
    search = partial(db.search_orgs, query=query, limit=per_page, offset=(page - 1) * per_page)
    orgs = await services_of(request).store.read(search)
    return JSONResponse([{"id": org.id, "name": org.name} for org in orgs])


async def create_org(request: Request) -> JSONResponse:
    """POST /api/orgs: a new org; the creator becomes its Admin."""
    identity = identity_of(request)
    require_global(identity, "orgs:create")
    name = text_field(await json_object(request), "name", required=True)

    admin = identity.user_id if identity.user_id and not identity.is_service_account else None
    create = partial(db.create_org_with_admin, name=name, admin_user_id=admin)
    try:
        org_id = await services_of(request).store.write(create)
    except db.OrgNameTakenError:
        raise ApiError(409, "Organization name taken") from None
    return JSONResponse({"orgId": org_id, "message": "Organization created"})


async def get_org(request: Request) -> JSONResponse:
    """GET /api/orgs/:orgId."""
    org_id = int_param(request, "org_id", "orgId is invalid")
    _require_read(identity_of(request), org_id)
    org = await services_of(request).store.read(partial(db.get_org, org_id=org_id))
    if org is None:
        raise ApiError(404, "Organization not found")
    return JSONResponse(_org_body(org))


async def get_org_by_name(request: Request) -> JSONResponse:
    """GET /api/orgs/name/:name."""
    require_global(identity_of(request), "orgs:read")
    org = await services_of(request).store.read(partial(db.get_org_by_name, name=request.path_params["name"]))
    if org is None:
        raise ApiError(404, "Organization not found")
    return JSONResponse(_org_body(org))


routes = [
    Route("/api/orgs", search_orgs, methods=["GET"]),
    Route("/api/orgs/", search_orgs, methods=["GET"]),
    Route("/api/orgs", create_org, methods=["POST"]),
    Route("/api/orgs/", create_org, methods=["POST"]),
    Route("/api/orgs/name/{name}", get_org_by_name, methods=["GET"]),
    Route("/api/orgs/{org_id}", get_org, methods=["GET"]),
]
