"""PluginManager: discovers plugins at start, runs the backend ones and hands out clients."""

from __future__ import annotations

import asyncio
import logging
from pathlib import Path

from grafana_plugin_host.config import BUNDLED_PLUGINS, Settings
from grafana_plugin_host.errors import PluginNotFoundError
from grafana_plugin_sdk.plugin_json import PluginMeta

from ._client import PluginClient
from ._discovery import PluginLoadError, discover
from ._launch import ProcessOptions
from ._supervisor import Supervisor

log = logging.getLogger("grafana_plugin_host.plugins")


class PluginManager:
    """Every plugin under ``[paths] plugins``; backend plugins run eagerly or on first use (``[plugins] start``)."""

    def __init__(
        self, settings: Settings, *, options: ProcessOptions | None = None, internal_root: Path = BUNDLED_PLUGINS
    ) -> None:
        self._settings = settings
        self._options = options or ProcessOptions()
        self._internal_root = internal_root
        self._plugins: list[PluginMeta] = []
        self._errors: list[PluginLoadError] = []
        self._by_id: dict[str, PluginMeta] = {}
        self._supervisors: dict[str, Supervisor] = {}
        self._clients: dict[str, PluginClient] = {}
        self._started = False

    @property
    def settings(self) -> Settings:
        """The host settings the plugins run with."""
        return self._settings

    async def start(self) -> None:
        """Discover plugins, log load errors and (eager mode) start every backend plugin, waiting for each try."""
        if self._started:
            return
        self._started = True
        root = Path(self._settings.plugins_path)
        self._plugins, self._errors = await asyncio.to_thread(
            discover, root, self._settings.allow_unsigned_plugins, self._internal_root
        )
        for error in self._errors:
            log.error("plugin %s in %s not loaded: %s", error.plugin_id or "?", error.directory, error.message)
        for meta in self._plugins:
            for name in (meta.id, *meta.alias_ids):
                self._by_id[name] = meta
            if meta.backend:
                supervisor = Supervisor(meta, self._settings, self._options)
                self._supervisors[meta.id] = supervisor
                self._clients[meta.id] = PluginClient(meta, supervisor)
        log.info(
            "plugins: %d loaded (%d backend), %d not loaded, from %s",
            len(self._plugins),
            len(self._supervisors),
            len(self._errors),
            root,
        )
        if self._settings.plugin_start == "eager":
            await asyncio.gather(*(s.ensure_started() for s in self._supervisors.values()))

    async def stop(self) -> None:
        """Stop every plugin process (Shutdown, 2 s grace, kill); none is left running."""
        await asyncio.gather(*(s.stop() for s in self._supervisors.values()))

    def plugins(self) -> list[PluginMeta]:
        """Every loaded plugin, backend or not, in discovery order."""
        return list(self._plugins)

    def errors(self) -> list[PluginLoadError]:
        """Plugins found but not loaded (invalid, duplicate, unsigned and not allowed)."""
        return list(self._errors)

    def get(self, plugin_id: str) -> PluginMeta | None:
        """The plugin with this id or alias id, if loaded."""
        return self._by_id.get(plugin_id)

    def client(self, plugin_id: str) -> PluginClient:
        """The client of a backend plugin (id or alias id); PluginNotFoundError if unknown or not backend."""
        meta = self._by_id.get(plugin_id)
        if meta is None:
            raise PluginNotFoundError(f"plugin {plugin_id} not found")
        client = self._clients.get(meta.id)
        if client is None:
            raise PluginNotFoundError(f"plugin {plugin_id} is not a backend plugin")
        return client

    def supervisor(self, plugin_id: str) -> Supervisor | None:
        """The supervisor of a backend plugin (process state, pid), for status pages and tests."""
        meta = self._by_id.get(plugin_id)
        return self._supervisors.get(meta.id) if meta is not None else None
