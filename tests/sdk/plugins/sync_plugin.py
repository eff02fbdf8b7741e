"""A plugin with plain (sync) handlers, launched by the serve tests as a real subprocess."""

from __future__ import annotations

import os
import sys
import time

from grafana_plugin_sdk import serve
from grafana_plugin_sdk.backend import (
    CallResourceRequest,
    CallResourceResponse,
    CallResourceResponseSender,
    CheckHealthRequest,
    CheckHealthResult,
    DataResponse,
    QueryDataRequest,
    QueryDataResponse,
)
from grafana_plugin_sdk.data import Field, Frame
from grafana_plugin_sdk.log import get_logger

logger = get_logger("sync-plugin")

# Printed before serve(): with Python's default (buffered) stdout this must not reach stdout before the handshake.
if os.environ.get("TEST_PRINT_AT_IMPORT"):
    print("printed at import time")


class Plugin:
    def check_health(self, request: CheckHealthRequest) -> CheckHealthResult:
        ds = request.plugin_context.data_source_instance_settings
        name = ds.name if ds is not None else "?"
        if ds is not None and ds.json_data.get("healthy") is False:
            return CheckHealthResult.error(f"{name} is unhealthy", {"hint": "set healthy"})
        if ds is not None and ds.json_data.get("raise"):
            raise ConnectionError("cannot reach the server")
        return CheckHealthResult.ok(f"{name} works")

    def query_data(self, request: QueryDataRequest) -> QueryDataResponse:
        response = QueryDataResponse()
        for query in request.queries:
            if query.query_type == "explode":
                raise RuntimeError("the whole request failed")
            if query.query_type == "print":
                print("a line a plugin author printed", "x" * 100)
                sys.stdout.flush()
                logger.info("logged from a query", refId=query.ref_id)
            if query.query_type == "sleep":
                time.sleep(float(query.model.get("seconds", 1)))
            if query.query_type == "frame":
                times = [query.time_range.from_, query.time_range.to]
                frame = Frame("numbers", [Field("time", times), Field("value", [1.5, None])])
                response[query.ref_id] = DataResponse(frames=[frame])
                continue
            response[query.ref_id] = DataResponse(status=int(query.model.get("status", 200)))
        return response

    def call_resource(self, request: CallResourceRequest, sender: CallResourceResponseSender) -> None:
        if request.path == "stream":
            count = int(request.url.partition("count=")[2] or 3)
            sender.send(CallResourceResponse(200, {"content-type": ["text/plain"]}, b"part0\n"))
            for i in range(1, count):
                time.sleep(0.02)
                sender.send(CallResourceResponse(body=f"part{i}\n".encode()))
        elif request.path == "echo":
            body = {"method": request.method, "url": request.url, "body": request.body.decode()}
            sender.send_json({**body, "headers": dict(request.headers)})
        elif request.path == "fail-midway":
            sender.send_text("partial")
            raise OSError("lost the file")
        elif request.path == "raise":
            raise KeyError("no such thing")
        elif request.path == "empty":
            return
        else:
            sender.send_text("not found", 404)


if __name__ == "__main__":
    serve(Plugin(), plugin_id="sync-plugin")
