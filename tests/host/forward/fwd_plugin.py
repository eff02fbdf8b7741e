"""A small backend plugin for the forwarding tests, served with the SDK; the query's ``scenario`` picks behaviour.

Scenarios: ``series`` (a time + value frame from ``values``), ``context`` (the PluginContext it received, as JSON in
a string field), ``error`` (a per-refId error), ``sleep`` (writes its pid to ``pidFile`` then sleeps ``seconds``),
``crash`` (the process exits), ``rows`` (``n`` rows of time and float). Resources: ``echo`` answers what arrived,
``stream`` sends a first chunk and the last only once the file named in the body exists.
"""

from __future__ import annotations

import os
import sys
import time
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import numpy as np

from grafana_plugin_sdk import serve
from grafana_plugin_sdk.backend import (
    CallResourceRequest,
    CallResourceResponse,
    CallResourceResponseSender,
    CheckHealthRequest,
    CheckHealthResult,
    CollectMetricsRequest,
    CollectMetricsResult,
    DataQuery,
    DataResponse,
    PluginContext,
    QueryDataRequest,
    QueryDataResponse,
)
from grafana_plugin_sdk.data import Field, Frame


def _context_json(ctx: PluginContext) -> dict[str, Any]:
    ds = ctx.data_source_instance_settings
    return {
        "orgId": ctx.org_id,
        "pluginId": ctx.plugin_id,
        "pluginVersion": ctx.plugin_version,
        "user": None if ctx.user is None else {"login": ctx.user.login, "role": ctx.user.role},
        "userAgent": ctx.user_agent,
        "grafanaConfig": dict(ctx.grafana_config),
        "datasource": None
        if ds is None
        else {
            "id": ds.id,
            "uid": ds.uid,
            "name": ds.name,
            "url": ds.url,
            "jsonData": ds.json_data,
            "secrets": dict(ds.decrypted_secure_json_data),
            "lastUpdatedMS": int(ds.updated.timestamp() * 1000),
        },
    }


def _answer(query: DataQuery, ctx: PluginContext) -> DataResponse:
    import orjson

    model = query.model
    scenario = model.get("scenario", "series")
    start = query.time_range.from_
    if scenario == "series":
        values = [float(v) for v in model.get("values", [1, 2, 3])]
        times = [start + timedelta(seconds=i) for i in range(len(values))]
        return DataResponse([Frame("series", [Field("time", times), Field("value", values)])])
    if scenario == "context":
        return DataResponse([Frame("context", [Field("json", [orjson.dumps(_context_json(ctx)).decode()])])])
    if scenario == "error":
        return DataResponse.error_response(str(model.get("message", "query failed")), int(model.get("status", 500)))
    if scenario == "sleep":
        Path(model["pidFile"]).write_text(str(os.getpid()))
        time.sleep(float(model.get("seconds", 30)))
        return DataResponse([])
    if scenario == "crash":
        os._exit(3)
    if scenario == "rows":
        n = int(model["n"])
        epoch_ns = int(start.timestamp()) * 1_000_000_000
        stamps = (np.arange(n, dtype="int64") * 1_000_000_000 + epoch_ns).astype("datetime64[ns]")
        return DataResponse([Frame("rows", [Field("time", stamps), Field("value", np.arange(n) * 0.5)])])
    return DataResponse.error_response(f"unknown scenario {scenario!r}", 400)


class Plugin:
    """Handlers for every service the host forwards to."""

    def query_data(self, request: QueryDataRequest) -> QueryDataResponse:
        """Answer each query by its scenario."""
        return QueryDataResponse({q.ref_id: _answer(q, request.plugin_context) for q in request.queries})

    def check_health(self, request: CheckHealthRequest) -> CheckHealthResult:
        """OK unless the data source's ``jsonData.health`` says ``error``."""
        ds = request.plugin_context.data_source_instance_settings
        if ds is not None and ds.json_data.get("health") == "error":
            return CheckHealthResult.error("configured to fail", {"verboseMessage": "jsonData.health is error"})
        return CheckHealthResult.ok("plugin is healthy", {"pluginId": request.plugin_context.plugin_id})

    def collect_metrics(self, request: CollectMetricsRequest) -> CollectMetricsResult:
        """One counter, so the test sees the plugin's own text."""
        return CollectMetricsResult(b"# TYPE fwd_test_total counter\nfwd_test_total 7\n")

    def call_resource(self, request: CallResourceRequest, sender: CallResourceResponseSender) -> None:
        """``echo``: what arrived; ``stream``: two chunks with a wait for the client's signal between them."""
        if request.path == "stream":
            signal = Path(request.body.decode())
            sender.send(CallResourceResponse(200, {"content-type": ["text/plain"]}, b"first\n"))
            deadline = datetime.now(UTC) + timedelta(seconds=20)
            while not signal.exists() and datetime.now(UTC) < deadline:
                time.sleep(0.02)
            sender.send(CallResourceResponse(200, {}, b"last\n"))
            return
        sender.send(
            CallResourceResponse.json(
                {
                    "path": request.path,
                    "method": request.method,
                    "url": request.url,
                    "headers": dict(request.headers),
                    "body": request.body.decode(errors="replace"),
                    "context": _context_json(request.plugin_context),
                },
                status=201 if request.method == "POST" else 200,
                headers={"set-cookie": ["leak=1"], "x-plugin": ["yes"]},
            )
        )


if __name__ == "__main__":
    serve(Plugin(), plugin_id=sys.argv[1] if len(sys.argv) > 1 else "")
