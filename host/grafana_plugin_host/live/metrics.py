"""Prometheus metrics of Grafana Live, registered in the host's registry (``/metrics``)."""

from __future__ import annotations

from prometheus_client import CollectorRegistry, Counter, Gauge


class LiveMetrics:
    """Connected clients, subscriptions, active channels, publications delivered and dropped."""

    def __init__(self, registry: CollectorRegistry) -> None:
        self.clients = Gauge("grafana_live_clients", "Live WebSocket clients connected.", registry=registry)
        self.subscribers = Gauge(
            "grafana_live_subscribers", "Subscriptions of connected clients, all channels.", registry=registry
        )
        self.channels = Gauge(
            "grafana_live_channels", "Channels with at least one subscriber on this host.", registry=registry
        )
        self.streams = Gauge("grafana_live_streams", "RunStream calls this host runs now.", registry=registry)
        self.messages_sent = Counter(
            "grafana_live_messages_sent", "Publications queued to subscribers.", registry=registry
        )
        self.messages_dropped = Counter(
            "grafana_live_messages_dropped",
            "Publications not delivered because the subscriber's queue was full (it was disconnected).",
            registry=registry,
        )
