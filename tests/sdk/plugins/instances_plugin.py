"""A plugin served by datasource.manage: instances record their life in the file INSTANCE_LOG names."""

from __future__ import annotations

import asyncio
import itertools
import os
import time

from grafana_plugin_sdk import manage
from grafana_plugin_sdk.backend import (
    CheckHealthRequest,
    CheckHealthResult,
    DataResponse,
    DataSourceInstanceSettings,
    QueryDataRequest,
    QueryDataResponse,
)

_numbers = itertools.count(1)


def record(event: str) -> None:
    with open(os.environ["INSTANCE_LOG"], "a") as log:
        log.write(f"{time.time():.3f} {event}\n")


class Instance:
    def __init__(self, settings: DataSourceInstanceSettings) -> None:
        if settings.json_data.get("fail"):
            raise ValueError("bad settings: the URL is missing")
        time.sleep(0.05)  # a slow factory makes concurrent first calls race for it
        self.number = next(_numbers)
        record(f"create {self.number} {settings.uid}")

    def check_health(self, request: CheckHealthRequest) -> CheckHealthResult:
        return CheckHealthResult.ok(f"instance {self.number}")

    async def query_data(self, request: QueryDataRequest) -> QueryDataResponse:
        seconds = max((float(q.model.get("seconds", 0)) for q in request.queries), default=0)
        await asyncio.sleep(seconds)
        return QueryDataResponse({q.ref_id: DataResponse(status=200 + self.number) for q in request.queries})

    async def dispose(self) -> None:
        record(f"dispose {self.number}")


if __name__ == "__main__":
    manage("test-datasource", Instance, dispose_delay=float(os.environ.get("DISPOSE_DELAY", "5")))
