"""The HTTP API: every route module's ``routes`` in one list for the Starlette app."""

from __future__ import annotations

from starlette.routing import BaseRoute

from . import (
    app_settings,
    datasources,
    ds_health,
    misc,
    orgs,
    plugins,
    proxy,
    query,
    resources,
    serviceaccounts,
    tsdb,
    users,
)

#: Starlette tries routes in order: the query route, the one under load, comes first (it overlaps no other).
routes: list[BaseRoute] = [
    route
    for module in (
        query,
        datasources,
        misc,
        ds_health,
        resources,
        proxy,
        tsdb,
        plugins,
        app_settings,
        orgs,
        users,
        serviceaccounts,
    )
    for route in module.routes
]

__all__ = ["routes"]
