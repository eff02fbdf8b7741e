"""Outgoing request metrics per data source type, named and labelled as the Go SDK's ``datasource_metrics``.

prometheus_client is imported on first use, as in :mod:`grafana_plugin_sdk._metrics`.
"""

from __future__ import annotations

from dataclasses import dataclass
from functools import cache
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from prometheus_client import Counter, Gauge, Histogram

_LABELS = ("datasource_type", "secure_socks_ds_proxy_enabled", "endpoint")
_KB = 1024
_SIZE_BUCKETS = (128, 256, 512, *(_KB << i for i in range(21)))  # 128 B ... 1 GiB
_DURATION_BUCKETS = (0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 25, 50, 100)


@dataclass(frozen=True)
class Collectors:
    """The collectors of outgoing requests."""

    requests: Counter
    duration: Histogram
    response_size: Histogram
    response_size_last: Gauge
    in_flight: Gauge


@cache
def collectors() -> Collectors:
    """Created once, in the default registry."""
    from prometheus_client import Counter, Gauge, Histogram

    with_code = ("datasource_type", "code", "method", *_LABELS[1:])
    return Collectors(
        Counter("plugins_datasource_request", "A counter for outgoing requests for an external data source", with_code),
        Histogram(
            "plugins_datasource_request_duration_seconds",
            "histogram of durations of outgoing external data source requests sent from Grafana",
            with_code,
            buckets=_DURATION_BUCKETS,
        ),
        Histogram(
            "plugins_datasource_response_size_bytes",
            "histogram of external data source response sizes returned to Grafana",
            _LABELS,
            buckets=_SIZE_BUCKETS,
        ),
        Gauge(
            "plugins_datasource_response_size",
            "gauge of data source response sizes returned to Grafana in bytes",
            _LABELS,
        ),
        Gauge(
            "plugins_datasource_request_in_flight",
            "A gauge of outgoing external data source requests currently being sent by Grafana",
            _LABELS,
        ),
    )


def label_name(datasource_type: str) -> str:
    """The data source type as a label value the Go SDK would produce: spaces to ``_``, other odd characters gone."""
    kept = []
    for index, char in enumerate(datasource_type):
        if char.isascii() and (char.isalpha() or char == "_" or (char.isdigit() and index > 0)):
            kept.append(char)
        elif char == " ":
            kept.append("_")
    return "".join(kept)
