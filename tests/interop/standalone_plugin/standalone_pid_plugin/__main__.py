"""Serve a handler answering CheckHealth with this process's id; ``--standalone`` serves without a host."""

import os

from grafana_plugin_sdk import serve
from grafana_plugin_sdk.backend import CheckHealthRequest, CheckHealthResult


class PidHandler:
    """CheckHealth: OK, details ``{"pid": <this process>}``."""

    def check_health(self, request: CheckHealthRequest) -> CheckHealthResult:
        """Name the answering process."""
        return CheckHealthResult.ok("answered", {"pid": os.getpid()})


serve(PidHandler(), plugin_id="standalone-pid-datasource")
