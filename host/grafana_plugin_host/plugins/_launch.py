"""How the host launches a backend plugin: Grafana's environment, timeouts and the restart policy."""

from __future__ import annotations

import os
from collections.abc import Mapping
from dataclasses import dataclass

from grafana_plugin_host.config import Settings
from grafana_plugin_host.tracing import plugin_tracing_env
from grafana_plugin_sdk.plugin_json import PluginMeta
from grafana_plugin_sdk.wire import LaunchSpec
from grafana_plugin_sdk.wire.platform import GRAFANA_VERSION
from grafana_plugin_sdk.wire.process import plugin_settings_env


@dataclass(frozen=True)
class ProcessOptions:
    """Timeouts and the restart policy for plugin processes (Grafana's values by default)."""

    #: Seconds to wait for the handshake line and the first health check (go-plugin: 1 minute).
    start_timeout: float = 60.0
    #: Seconds between Shutdown and SIGKILL when stopping (go-plugin: 2).
    stop_grace: float = 2.0
    #: First delay before restarting a plugin that keeps failing; doubles up to ``max_restart_delay``.
    restart_delay: float = 1.0
    max_restart_delay: float = 30.0
    #: A run this long resets the backoff (the next failure restarts at once).
    stable_after: float = 10.0
    #: Seconds between liveness checks; ``health_failures`` failed checks in a row restart the plugin.
    health_interval: float = 5.0
    health_timeout: float = 5.0
    health_failures: int = 3

    def restart_backoff(self, failures: int) -> float:
        """Seconds to wait before the next start after ``failures`` failures in a row (first retry at once)."""
        if failures <= 1:
            return 0.0
        return min(self.restart_delay * 2.0 ** (failures - 2), self.max_restart_delay)


def plugin_environment(meta: PluginMeta, settings: Settings, environ: Mapping[str, str]) -> dict[str, str]:
    """The plugin's environment: ``GF_PLUGIN_*`` from ``[plugin.<id>]`` (host env overrides), the host env,
    then Grafana's ``GF_*`` variables (go-plugin's own are added by the wire layer)."""
    env = plugin_settings_env(settings.plugin_settings.get(meta.id, {}))
    env.update(plugin_tracing_env(settings, meta.version))
    env.update(environ)
    env.update({"GF_VERSION": GRAFANA_VERSION, "GF_APP_URL": settings.app_url})
    if settings.feature_toggles:
        env["GF_INSTANCE_FEATURE_TOGGLES_ENABLE"] = ",".join(sorted(settings.feature_toggles))
    return env


def launch_spec(meta: PluginMeta, settings: Settings, options: ProcessOptions) -> LaunchSpec:
    """What the wire layer needs to run ``meta``'s executable as Grafana would."""
    return LaunchSpec(
        plugin_id=meta.id,
        directory=meta.directory,
        executable=meta.executable,
        env=plugin_environment(meta, settings, os.environ),
        start_timeout=options.start_timeout,
        stop_grace=options.stop_grace,
    )
