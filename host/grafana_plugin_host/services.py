"""The host's services, handed to every route through one typed accessor instead of an untyped ``app.state``."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import TYPE_CHECKING

from starlette.requests import HTTPConnection

from grafana_plugin_host.config import Settings

if TYPE_CHECKING:  # the store and the plugin manager import the web layer's neighbours; keep this module a leaf
    from grafana_plugin_host.live import LiveHub
    from grafana_plugin_host.plugins import PluginManager
    from grafana_plugin_host.store import Store
    from grafana_plugin_host.web.metrics import HostMetrics


class ServicesNotReadyError(RuntimeError):
    """A service was used before the application's lifespan opened it."""


@dataclass
class Services:
    """Settings, the store (open while the app runs), the plugin manager, Grafana Live, the metrics and the commit."""

    settings: Settings
    metrics: HostMetrics
    plugins: PluginManager | None = None
    live: LiveHub | None = None
    commit: str = "unknown"
    _store: Store | None = field(default=None, repr=False)

    @property
    def store(self) -> Store:
        """The open store; ServicesNotReadyError before the lifespan opened it."""
        if self._store is None:
            raise ServicesNotReadyError("the store is not open yet")
        return self._store

    def attach_store(self, store: Store | None) -> None:
        """Set (or, with None, clear) the open store."""
        self._store = store


def services_of(connection: HTTPConnection) -> Services:
    """The services of the application serving this request or WebSocket."""
    services = connection.app.state.services
    assert isinstance(services, Services)
    return services
