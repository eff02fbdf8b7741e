"""Instance management for app plugins, as the Go SDK's ``app.Manage``: one instance per org's app settings.

``manage_app(plugin_id, factory)`` serves an app plugin whose every call goes to the instance
``factory(settings)`` built from the calling org's :class:`~grafana_plugin_sdk.backend.AppInstanceSettings`
(``jsonData``, decrypted ``secureJsonData``). The instance is replaced when the settings change (their update
time) or Grafana's config does; the old one's ``dispose()`` runs later, as with :func:`~grafana_plugin_sdk.manage`.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable, Hashable
from datetime import datetime
from typing import Any, NoReturn

from grafana_plugin_sdk.backend import AppInstanceSettings, PluginContext
from grafana_plugin_sdk.datasource import DEFAULT_DISPOSE_DELAY, InstanceError, InstanceManager, ManagedHandler

__all__ = ["app_instance_manager", "app_settings", "manage_app"]


def app_settings(ctx: PluginContext) -> tuple[Hashable, AppInstanceSettings, datetime]:
    """The calling org (the key), its app settings and their update time; InstanceError without settings."""
    settings = ctx.app_instance_settings
    if settings is None:
        raise InstanceError("the request carries no app settings")
    return ctx.org_id, settings, settings.updated


def app_instance_manager(
    factory: Callable[[AppInstanceSettings], Any | Awaitable[Any]], dispose_delay: float = DEFAULT_DISPOSE_DELAY
) -> InstanceManager:
    """An instance manager keyed by org, building instances from app settings."""
    return InstanceManager(factory, dispose_delay, select=app_settings)


def manage_app(
    plugin_id: str,
    factory: Callable[[AppInstanceSettings], Any | Awaitable[Any]],
    *,
    dispose_delay: float = DEFAULT_DISPOSE_DELAY,
    **serve_options: Any,
) -> NoReturn:
    """Serve an app plugin with one instance per org, built by ``factory(settings)`` (plain or ``async``).

    ``serve_options`` are passed to :func:`grafana_plugin_sdk.serve`.
    """
    from grafana_plugin_sdk.serve import serve

    serve(ManagedHandler(app_instance_manager(factory, dispose_delay)), plugin_id=plugin_id, **serve_options)
