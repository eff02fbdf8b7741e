"""``/api/datasources``: list, get, create, update and delete data sources, as Grafana answers them."""

from __future__ import annotations

from typing import Any

import orjson
from starlette.requests import Request
from starlette.responses import Response
from starlette.routing import Route

from grafana_plugin_host import rbac
from grafana_plugin_host.ds_input import check_spec, decode_body, validate_url
from grafana_plugin_host.errors import ApiError
from grafana_plugin_host.models import DataSource, Identity
from grafana_plugin_host.services import services_of
from grafana_plugin_host.store import (
    DataSourceNameExistsError,
    DataSourceNotFoundError,
    DataSourceReadOnlyError,
    DataSourceUidExistsError,
    DataSourceVersionError,
    Store,
    StoreError,
)
from grafana_plugin_host.web import JSONResponse, identity_of, path_id, read_json
from grafana_plugin_host.web.compression import accepts_gzip, gzipped

from ._plugin_types import type_info

NOT_FOUND = "Data source not found"

#: Actions reported in ``accessControl`` (``?accesscontrol=true``) when the caller holds them on the data source.
_DS_ACTIONS = (
    "datasources:read",
    "datasources:query",
    "datasources:write",
    "datasources:delete",
    "datasources.id:read",
    "datasources:explore",
)


def datasource_dto(request: Request, ds: DataSource) -> dict[str, Any]:
    """The single data source JSON (GET by id/uid/name and the ``datasource`` key of create/update answers)."""
    info = type_info(request, ds.type)
    return {
        "id": ds.id,
        "uid": ds.uid,
        "orgId": ds.org_id,
        "name": ds.name,
        "type": info.id,
        "typeLogoUrl": info.logo_url,
        "access": ds.access,
        "url": ds.url,
        "user": ds.user,
        "database": ds.database,
        "basicAuth": ds.basic_auth,
        "basicAuthUser": ds.basic_auth_user,
        "withCredentials": ds.with_credentials,
        "isDefault": ds.is_default,
        "jsonData": ds.json_data,
        "secureJsonFields": dict.fromkeys(sorted(ds.secure_json_fields), True),
        "version": ds.version,
        "readOnly": ds.read_only,
        "apiVersion": ds.api_version,
    }


def _list_item(request: Request, ds: DataSource) -> dict[str, Any]:
    info = type_info(request, ds.type)
    return {
        "id": ds.id,
        "uid": ds.uid,
        "orgId": ds.org_id,
        "name": ds.name,
        "type": ds.type,
        "typeName": info.name,
        "typeLogoUrl": info.logo_url,
        "access": ds.access,
        "url": ds.url,
        "user": ds.user,
        "database": ds.database,
        "basicAuth": ds.basic_auth,
        "isDefault": ds.is_default,
        "jsonData": ds.json_data,
        "readOnly": ds.read_only,
    }


def _authorize(identity: Identity, action: str, ds: DataSource | None, scope_if_missing: str) -> None:
    """Check ``action`` on the data source's uid scope (id and name scopes resolve to it)."""
    rbac.require(identity, action, f"datasources:uid:{ds.uid}" if ds is not None else scope_if_missing)


def _require_some_grant(identity: Identity, action: str, requested: str) -> None:
    """403 naming the requested scope, before any lookup, when the caller holds ``action`` on no data source.

    A caller without the action (a non-member of the org) so gets one answer for every id: no existence oracle.
    """
    if not rbac.has_access(rbac.permissions(identity), action):
        raise rbac.access_denied(action, requested)


async def _get(store: Store, org_id: int, kind: str, value: int | str) -> DataSource | None:
    if isinstance(value, int):
        return await store.get_datasource(org_id, id=value)
    if kind == "uid":
        return await store.get_datasource(org_id, uid=value)
    return await store.get_datasource(org_id, name=value)


async def _find(request: Request, action: str, kind: str, value: int | str) -> DataSource:
    """The caller's data source by ``id``/``uid``/``name`` after the permission check; 404 if absent."""
    identity = identity_of(request)
    _require_some_grant(identity, action, f"datasources:{kind}:{value}")
    ds = await _get(services_of(request).store, identity.org_id, kind, value)
    _authorize(identity, action, ds, f"datasources:{kind}:{value}")
    if ds is None:
        raise ApiError(404, NOT_FOUND)
    return ds


def _single(request: Request, ds: DataSource, *, access_control: bool) -> Response:
    body = datasource_dto(request, ds)
    if access_control and request.query_params.get("accesscontrol", "").lower() == "true":
        granted = rbac.permissions(identity_of(request))
        scope = f"datasources:uid:{ds.uid}"
        body["accessControl"] = {a: True for a in _DS_ACTIONS if rbac.has_access(granted, a, scope)}
    return JSONResponse(body)


async def list_datasources(request: Request) -> Response:
    """GET /api/datasources."""
    identity = identity_of(request)
    rbac.require(identity, "datasources:read")
    store = services_of(request).store

    async def render() -> bytes:
        sources = await store.list_datasources(identity.org_id)
        return orjson.dumps([_list_item(request, ds) for ds in sources])

    body = await store.cached(("datasources_json", identity.org_id), render)
    if services_of(request).settings.enable_gzip and accepts_gzip(request):  # compressed once per change

        async def compress() -> bytes:
            return await gzipped(body)

        packed = await store.cached(("datasources_json_gzip", identity.org_id), compress)
        headers = {"Content-Encoding": "gzip", "Vary": "Accept-Encoding"}
        return Response(packed, media_type="application/json", headers=headers)
    return Response(body, media_type="application/json")


async def get_by_id(request: Request) -> Response:
    """GET /api/datasources/:id (deprecated)."""
    ds = await _find(request, "datasources:read", "id", path_id(request))
    return _single(request, ds, access_control=True)


async def get_by_uid(request: Request) -> Response:
    """GET /api/datasources/uid/:uid."""
    ds = await _find(request, "datasources:read", "uid", request.path_params["uid"])
    return _single(request, ds, access_control=True)


async def get_by_name(request: Request) -> Response:
    """GET /api/datasources/name/:name."""
    ds = await _find(request, "datasources:read", "name", request.path_params["name"])
    return _single(request, ds, access_control=False)


async def get_id_by_name(request: Request) -> Response:
    """GET /api/datasources/id/:name."""
    ds = await _find(request, "datasources.id:read", "name", request.path_params["name"])
    return JSONResponse({"id": ds.id})


async def create_datasource(request: Request) -> Response:
    """POST /api/datasources."""
    identity = identity_of(request)
    rbac.require(identity, "datasources:create")
    body = decode_body(await read_json(request))
    if body.spec.url:
        validate_url(body.spec.type, body.spec.url)
    check_spec(body.spec)
    try:
        ds = await services_of(request).store.create_datasource(identity.org_id, body.spec)
    except (DataSourceNameExistsError, DataSourceUidExistsError) as exc:
        raise ApiError(409, str(exc)) from None
    except StoreError:
        raise ApiError(500, "Failed to add datasource") from None
    return JSONResponse(
        {"message": "Datasource added", "id": ds.id, "name": ds.name, "datasource": datasource_dto(request, ds)}
    )


async def _update(request: Request, kind: str, value: int | str) -> Response:
    identity = identity_of(request)
    store = services_of(request).store
    _require_some_grant(identity, "datasources:write", f"datasources:{kind}:{value}")
    ds = await _get(store, identity.org_id, kind, value)
    _authorize(identity, "datasources:write", ds, f"datasources:{kind}:{value}")
    body = decode_body(await read_json(request))
    validate_url(body.spec.type, body.spec.url)
    if ds is None:
        raise ApiError(404, NOT_FOUND)
    if ds.read_only:
        raise ApiError(403, "Cannot update read-only data source")
    check_spec(body.spec)
    try:
        updated = await store.update_datasource(identity.org_id, ds.id, body.spec, version=body.version or None)
    except DataSourceNameExistsError as exc:
        raise ApiError(409, f"Failed to update datasource: {exc}") from None
    except (DataSourceUidExistsError, DataSourceVersionError) as exc:
        raise ApiError(409, str(exc)) from None
    except DataSourceReadOnlyError as exc:
        raise ApiError(403, str(exc)) from None
    except DataSourceNotFoundError:
        raise ApiError(404, NOT_FOUND) from None
    except StoreError:
        raise ApiError(500, "Failed to update datasource") from None
    return JSONResponse(
        {
            "message": "Datasource updated",
            "id": updated.id,
            "name": body.spec.name,
            "datasource": datasource_dto(request, updated),
        }
    )


async def update_by_id(request: Request) -> Response:
    """PUT /api/datasources/:id (deprecated)."""
    return await _update(request, "id", path_id(request))


async def update_by_uid(request: Request) -> Response:
    """PUT /api/datasources/uid/:uid."""
    return await _update(request, "uid", request.path_params["uid"])


async def _delete(request: Request, kind: str, value: int | str) -> DataSource:
    ds = await _find(request, "datasources:delete", kind, value)
    try:
        return await services_of(request).store.delete_datasource(ds.org_id, ds.id)
    except DataSourceReadOnlyError as exc:
        raise ApiError(403, str(exc)) from None
    except DataSourceNotFoundError:
        raise ApiError(404, NOT_FOUND) from None
    except StoreError:
        raise ApiError(500, "Failed to delete datasource") from None


async def delete_by_id(request: Request) -> Response:
    """DELETE /api/datasources/:id (deprecated)."""
    ds_id = path_id(request)
    if ds_id <= 0:
        raise ApiError(400, "Missing valid datasource id")
    await _delete(request, "id", ds_id)
    return JSONResponse({"message": "Data source deleted"})


async def delete_by_uid(request: Request) -> Response:
    """DELETE /api/datasources/uid/:uid."""
    ds = await _delete(request, "uid", request.path_params["uid"])
    return JSONResponse({"message": "Data source deleted", "id": ds.id})


async def delete_by_name(request: Request) -> Response:
    """DELETE /api/datasources/name/:name."""
    ds = await _delete(request, "name", request.path_params["name"])
    return JSONResponse({"message": "Data source deleted", "id": ds.id})


async def _missing_uid(request: Request) -> Response:
    raise ApiError(400, "Missing datasource uid")


async def _missing_name(request: Request) -> Response:
    raise ApiError(400, "Missing valid datasource name")


routes = [
    Route("/api/datasources", list_datasources, methods=["GET"]),
    Route("/api/datasources", create_datasource, methods=["POST"]),
    Route("/api/datasources/uid/", _missing_uid, methods=["DELETE"]),
    Route("/api/datasources/name/", _missing_name, methods=["DELETE"]),
    Route("/api/datasources/id/{name:path}", get_id_by_name, methods=["GET"]),
    Route("/api/datasources/name/{name:path}", get_by_name, methods=["GET"]),
    Route("/api/datasources/name/{name:path}", delete_by_name, methods=["DELETE"]),
    Route("/api/datasources/uid/{uid}", get_by_uid, methods=["GET"]),
    Route("/api/datasources/uid/{uid}", update_by_uid, methods=["PUT"]),
    Route("/api/datasources/uid/{uid}", delete_by_uid, methods=["DELETE"]),
    Route("/api/datasources/{id}", get_by_id, methods=["GET"]),
    Route("/api/datasources/{id}", update_by_id, methods=["PUT"]),
    Route("/api/datasources/{id}", delete_by_id, methods=["DELETE"]),
]
