"""The HTTP API: every route module's ``routes`` in one list for the Starlette app."""

from __future__ import annotations

import importlib

from starlette.routing import BaseRoute

#: Route modules in this package; those not yet present in a checkout are skipped.
_MODULES = (
    "datasources",
    "misc",
    "query",
    "ds_health",
    "resources",
    "proxy",
    "tsdb",
    "plugins",
    "app_settings",
    "orgs",
    "users",
    "serviceaccounts",
)


def _collect() -> list[BaseRoute]:
    collected: list[BaseRoute] = []
    for name in _MODULES:
        qualified = f"{__name__}.{name}"
        try:
            module = importlib.import_module(qualified)
        except ModuleNotFoundError as exc:
            if exc.name != qualified:
                raise
            continue
        collected.extend(module.routes)
    return collected


routes = _collect()

__all__ = ["routes"]
