"""A plugin written with this project's SDK (``grafana_plugin_sdk.serve``), to run under the host in tests."""

from __future__ import annotations

import os

from grafana_plugin_sdk.backend import (
    CheckHealthRequest,
    CheckHealthResult,
    DataResponse,
    HealthStatus,
    QueryDataRequest,
    QueryDataResponse,
)
from grafana_plugin_sdk.data import Field, Frame
from grafana_plugin_sdk.serve import serve


class Handler:
    """Health says who asked; each query answers one frame with its refId and max data points."""

    def check_health(self, req: CheckHealthRequest) -> CheckHealthResult:
        user = req.plugin_context.user
        return CheckHealthResult(HealthStatus.OK, f"hello {user.login if user else 'nobody'}", {"pid": os.getpid()})

    async def query_data(self, req: QueryDataRequest) -> QueryDataResponse:
        response = QueryDataResponse()
        for query in req.queries:
            response[query.ref_id] = DataResponse([Frame("points", [Field("max", [query.max_data_points])])])
        return response


if __name__ == "__main__":
    serve(Handler(), plugin_id="sdk")
