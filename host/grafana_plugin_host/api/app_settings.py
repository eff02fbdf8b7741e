"""``/api/plugins/:id/settings``: an org's settings of a plugin (apps: jsonData, encrypted secureJsonData,
enabled, pinned), as Grafana's API; and the app settings every call to an app plugin carries."""

from __future__ import annotations

import dataclasses
from datetime import UTC, datetime
from typing import Any

import orjson
from starlette.requests import Request
from starlette.responses import Response
from starlette.routing import BaseRoute, Route

from grafana_plugin_host.api.forward import Target, app_target, plugin_meta
from grafana_plugin_host.errors import ApiError
from grafana_plugin_host.models import Identity
from grafana_plugin_host.rbac import require
from grafana_plugin_host.services import services_of
from grafana_plugin_host.store import (
    PluginSetting,
    PluginSettingChange,
    Store,
    get_plugin_setting,
    plugin_setting_secrets,
    save_plugin_setting,
)
from grafana_plugin_host.web import JSONResponse, identity_of, read_json
from grafana_plugin_sdk.backend import AppInstanceSettings
from grafana_plugin_sdk.plugin_json import PluginMeta

_EPOCH = datetime(1970, 1, 1, tzinfo=UTC)


def _scope(plugin_id: str) -> str:
    return f"plugins:id:{plugin_id}"


def _meta(request: Request, plugin_id: str, message: str) -> PluginMeta:
    meta = plugin_meta(request, plugin_id) if "\x00" not in plugin_id else None
    if meta is None:
        raise ApiError(404, message)
    return meta


def settings_body(meta: PluginMeta, setting: PluginSetting | None) -> dict[str, Any]:
    """Grafana's plugin setting DTO: the plugin's description with the org's settings (secrets as flags only)."""
    raw: dict[str, Any] = meta.raw
    auto_enabled = raw.get("autoEnabled") is True
    return {
        "name": meta.name,
        "type": meta.type,
        "id": meta.id,
        "enabled": setting.enabled if setting is not None else auto_enabled,
        "pinned": setting.pinned if setting is not None else auto_enabled,
        "autoEnabled": auto_enabled,
        "info": raw.get("info") if isinstance(raw.get("info"), dict) else {},
        "includes": raw.get("includes") if isinstance(raw.get("includes"), list) else [],
        "dependencies": raw.get("dependencies") if isinstance(raw.get("dependencies"), dict) else {},
        "jsonData": setting.json_data if setting is not None else {},
        "secureJsonFields": {key: True for key in sorted(setting.secure_fields)} if setting is not None else {},
        "state": raw.get("state", "") if isinstance(raw.get("state"), str) else "",
        "signature": meta.signature,
        "backend": meta.backend,
    }


async def get_settings(request: Request) -> Response:
    """``GET /api/plugins/:id/settings`` (``plugins:read``)."""
    identity = identity_of(request)
    plugin_id = request.path_params["plugin_id"]
    require(identity, "plugins:read", _scope(plugin_id))
    meta = _meta(request, plugin_id, "Plugin not found, no installed plugin with that id")
    setting = await get_plugin_setting(services_of(request).store, identity.org_id, plugin_id)
    return JSONResponse(settings_body(meta, setting))


def parse_change(body: Any) -> PluginSettingChange:
    """The update command from a request body; ApiError 400 naming what is wrong."""
    if not isinstance(body, dict):
        raise ApiError(400, "bad request data")
    for key in ("enabled", "pinned"):
        if body.get(key) is not None and not isinstance(body[key], bool):
            raise ApiError(400, f"bad request data: {key} must be true or false")
    json_data = body.get("jsonData")
    if json_data is not None and not isinstance(json_data, dict):
        raise ApiError(400, "bad request data: jsonData must be an object")
    secure = body.get("secureJsonData") or {}
    if not isinstance(secure, dict) or not all(isinstance(v, str) for v in secure.values()):
        raise ApiError(400, "bad request data: secureJsonData must map names to strings")
    version = body.get("pluginVersion")
    if version is not None and not isinstance(version, str):
        raise ApiError(400, "bad request data: pluginVersion must be a string")
    return PluginSettingChange(
        enabled=body.get("enabled"),
        pinned=body.get("pinned"),
        json_data=json_data,
        secure_json_data=secure,
        plugin_version=version,
    )


async def update_settings(request: Request) -> Response:
    """``POST /api/plugins/:id/settings`` (``plugins:write``): secrets merge with the stored ones."""
    identity = identity_of(request)
    plugin_id = request.path_params["plugin_id"]
    require(identity, "plugins:write", _scope(plugin_id))
    _meta(request, plugin_id, "Plugin not installed")
    change = parse_change(await read_json(request))
    await save_plugin_setting(services_of(request).store, identity.org_id, plugin_id, change)
    return JSONResponse({"message": "Plugin settings updated"})


async def app_instance_settings(store: Store, org_id: int, plugin_id: str) -> AppInstanceSettings:
    """What Grafana sends an app plugin in every call's context: the org's jsonData, decrypted secrets, update time."""
    setting = await get_plugin_setting(store, org_id, plugin_id)
    if setting is None:
        return AppInstanceSettings(updated=_EPOCH)
    return AppInstanceSettings(
        json_data_raw=orjson.dumps(setting.json_data),
        decrypted_secure_json_data=await plugin_setting_secrets(store, org_id, plugin_id),
        updated=setting.updated or _EPOCH,
    )


async def plugin_target(request: Request, identity: Identity, plugin_id: str) -> Target:
    """:func:`app_target`, with the org's app settings in the context when the plugin is an app."""
    target = app_target(request, identity, plugin_id)
    if target.client.meta.type != "app":
        return target
    app = await app_instance_settings(services_of(request).store, identity.org_id, plugin_id)
    return dataclasses.replace(target, context=dataclasses.replace(target.context, app_instance_settings=app))


routes: list[BaseRoute] = [
    Route("/api/plugins/{plugin_id}/settings", get_settings, methods=["GET"]),
    Route("/api/plugins/{plugin_id}/settings", update_settings, methods=["POST"]),
]
