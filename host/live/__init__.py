"""Grafana Live in the host: plugin streams to WebSocket clients (Grafana's frontend protocol), on one host or many.

The app creates one :class:`LiveHub` (``app.state.live``) with :func:`create_hub` and serves :data:`routes`.
"""

from __future__ import annotations

from prometheus_client import CollectorRegistry

from host.config import Settings

from .broker import Broker, LocalBroker
from .hub import LiveHub
from .routes import routes


def create_hub(settings: Settings, registry: CollectorRegistry) -> LiveHub:
    """The hub for these settings: local by default, shared through Redis with ``[live] ha_engine = redis``."""
    broker: Broker = LocalBroker()
    if settings.live_ha_engine == "redis":
        from .redis_broker import RedisBroker  # only HA setups need redis-py

        broker = RedisBroker(settings.live_ha_engine_address, settings.live_ha_engine_password)
    return LiveHub(registry, broker)


__all__ = ["LiveHub", "create_hub", "routes"]
