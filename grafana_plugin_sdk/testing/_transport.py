"""What the harness clients talk to: a plugin in this process or in a subprocess, behind one small interface."""

from __future__ import annotations

from typing import Protocol

from grafana_plugin_sdk.backend import (
    CallResourceRequest,
    CallResourceResponse,
    CheckHealthRequest,
    CheckHealthResult,
    CollectMetricsRequest,
    CollectMetricsResult,
    QueryDataRequest,
    QueryDataResponse,
)


class Transport(Protocol):
    """Carries the pluginv2 calls, as protocol messages, to a plugin and back."""

    async def start(self) -> None:
        """Make the plugin ready for calls."""

    async def close(self) -> None:
        """Release the plugin (stop its process, if any); safe to call twice."""

    async def query_data(self, request: QueryDataRequest) -> QueryDataResponse:
        """QueryData."""
        ...

    async def check_health(self, request: CheckHealthRequest) -> CheckHealthResult:
        """CheckHealth."""
        ...

    async def collect_metrics(self, request: CollectMetricsRequest) -> CollectMetricsResult:
        """CollectMetrics."""
        ...

    async def call_resource(self, request: CallResourceRequest) -> list[CallResourceResponse]:
        """CallResource: every message the plugin streamed."""
        ...

    def logs(self) -> list[str]:
        """What the plugin logged so far, one line per entry (empty where the logs are the test's own)."""
        ...
