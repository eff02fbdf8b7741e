"""Per-endpoint request metrics in the process's default Prometheus registry, named as the Go SDK names them.

``grafana_plugin_request_total{endpoint,status,status_source}`` counts calls; ``status`` is ``ok``, ``error`` or
``cancelled`` and ``status_source`` is ``plugin`` or ``downstream``.
``grafana_plugin_request_duration_seconds`` (same labels) is a histogram of their durations.
prometheus_client is imported on first use to keep plugin start-up fast.
"""

from __future__ import annotations

from functools import cache
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from prometheus_client import Counter, Histogram

LABELS = ("endpoint", "status", "status_source")


@cache
def _collectors() -> tuple[Counter, Histogram]:
    from prometheus_client import Counter, Histogram

    counter = Counter("grafana_plugin_request", "The total amount of plugin requests", LABELS)
    duration = Histogram("grafana_plugin_request_duration_seconds", "Plugin request duration in seconds", LABELS)
    return counter, duration


@cache
def _children(endpoint: str, status: str, status_source: str) -> tuple[Counter, Histogram]:
    counter, duration = _collectors()
    return counter.labels(endpoint, status, status_source), duration.labels(endpoint, status, status_source)


def observe_request(endpoint: str, status: str, status_source: str, seconds: float) -> None:
    """Count one finished call of ``endpoint`` and record how long it took."""
    counter, duration = _children(endpoint, status, status_source)
    counter.inc()
    duration.observe(seconds)


def exposition() -> bytes:
    """The default registry in Prometheus text format (what CollectMetrics returns by default)."""
    from prometheus_client import REGISTRY, generate_latest

    _collectors()
    return generate_latest(REGISTRY)
