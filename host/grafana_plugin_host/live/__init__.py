"""Grafana Live in the host: plugin streams to WebSocket clients (Grafana's frontend protocol), on one host or many.

The app creates one :class:`LiveHub` (the services' ``live``) with :func:`create_hub` and serves :data:`routes`.
"""

from __future__ import annotations

from prometheus_client import CollectorRegistry

from grafana_plugin_host.config import Settings
from grafana_plugin_host.errors import ConfigError

from .broker import Broker, LocalBroker
from .hub import LiveHub
from .routes import routes


def create_hub(settings: Settings, registry: CollectorRegistry) -> LiveHub:
    """The hub for these settings: local by default, shared through Redis with ``[live] ha_engine = redis``."""
    broker: Broker = LocalBroker()
    if settings.live_ha_engine == "redis":
        try:
            from .redis_broker import RedisBroker  # only HA setups need redis-py
        except ModuleNotFoundError as exc:
            raise ConfigError(f'[live] ha_engine = redis needs {exc.name}: pip install "./host[redis]"') from None

        broker = RedisBroker(settings.live_ha_engine_address, settings.live_ha_engine_password)
    return LiveHub(registry, broker)


__all__ = ["LiveHub", "create_hub", "routes"]
