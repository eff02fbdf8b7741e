"""How the API shows a data source type: from the plugin manager, or Grafana's defaults for an unknown plugin."""

from __future__ import annotations

from typing import NamedTuple

from starlette.requests import Request

from grafana_plugin_host.services import services_of


class TypeInfo(NamedTuple):
    """How the API shows a data source type: canonical plugin id, display name, small logo URL."""

    id: str
    name: str
    logo_url: str


#: Logo shown for a data source whose plugin is unknown (Grafana's default).
DEFAULT_LOGO = "public/img/icn-datasource.svg"


def type_info(request: Request, type_id: str) -> TypeInfo:
    """Display data of a data source type from the plugin manager, or the defaults for an unknown plugin."""
    manager = services_of(request).plugins
    meta = manager.get(type_id) if manager is not None else None
    if meta is None:
        return TypeInfo(type_id, type_id, DEFAULT_LOGO)
    logo = f"public/plugins/{meta.id}/{meta.logo}" if meta.logo else DEFAULT_LOGO
    return TypeInfo(meta.id, meta.name, logo)
