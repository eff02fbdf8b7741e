"""Our interop test plugin: the Python twin of the Go SDK plugin in ``go/goplugin`` (same scenarios and routes).

QueryData by the query's ``scenario``: ``all_types`` (a frame of every field type), ``error`` (downstream
error, status 400), ``panic`` (the handler raises), else ``echo`` (key/value rows describing the request as
the plugin saw it, secrets excluded). CheckHealth: OK with details, ERROR when jsonData.health is "error".
CallResource: GET ping, POST echo, GET stream (chunks 50 ms apart), GET status/<code>.
"""

from __future__ import annotations

import math
import time
from collections.abc import Mapping
from datetime import UTC, datetime, timedelta

import numpy as np
import orjson
import pyarrow as pa

from grafana_plugin_sdk.backend import (
    CallResourceRequest,
    CallResourceResponse,
    CallResourceResponseSender,
    CheckHealthRequest,
    CheckHealthResult,
    DataQuery,
    DataResponse,
    PluginContext,
    QueryDataRequest,
    QueryDataResponse,
)
from grafana_plugin_sdk.data import Field, FieldType, Frame
from grafana_plugin_sdk.log import get_logger
from grafana_plugin_sdk.serve import serve

PLUGIN_ID = "py-interop-datasource"
logger = get_logger(PLUGIN_ID)


def every_type_frame(ref_id: str = "") -> Frame:
    """A frame of every field type, non-nullable and nullable, built from Python and numpy values."""
    nan, inf = math.nan, math.inf
    aware = [
        datetime(1970, 1, 1, tzinfo=UTC),
        datetime(2024, 1, 2, 3, 4, 5, 123456, tzinfo=UTC),
        datetime(1969, 12, 31, 23, 59, 59, 999999, tzinfo=UTC),
        datetime(2000, 1, 1, 1, 0, tzinfo=UTC) - timedelta(hours=1),
    ]
    ns = np.array(
        [
            "1970-01-01T00:00",
            "2024-01-02T03:04:05.123456789",
            "1969-12-31T23:59:59.9999995",
            "2262-04-11T23:47:16.854775807",
        ],
        dtype="datetime64[ns]",
    )
    fields = [
        Field("int8", [-128, -1, 0, 127], type=FieldType.INT8),
        Field("int16", [-32768, -1, 0, 32767], type=FieldType.INT16),
        Field("int32", [-(2**31), -1, 0, 2**31 - 1], type=FieldType.INT32),
        Field("int64", [-(2**63), -1, 0, 2**63 - 1], type=FieldType.INT64),
        Field("uint8", [0, 1, 128, 255], type=FieldType.UINT8),
        Field("uint16", [0, 1, 2**15, 2**16 - 1], type=FieldType.UINT16),
        Field("uint32", [0, 1, 2**31, 2**32 - 1], type=FieldType.UINT32),
        Field("uint64", [0, 1, 2**63, 2**64 - 1], type=FieldType.UINT64),
        Field("float32", np.array([0.1, nan, inf, -inf], dtype=np.float32)),
        Field("float64", [0.1, nan, inf, -inf]),
        Field("string", ["", "hello", "ünïcødé ✓ 😀", 'quote" \\ \n']),
        Field("bool", [True, False, True, False]),
        Field("time_aware", aware),
        Field("time_ns", ns),
        Field("json", pa.array([b'{"a":1}', b"[1,2]", b'"s"', b"null"], pa.binary()), type=FieldType.JSON),
        Field("enum", pa.array([0, 1, 2, 0], pa.uint16()), type=FieldType.ENUM),
        Field("n_int8", [None, -128, None, 127], type=FieldType.INT8),
        Field("n_int16", [-32768, None, None, 1], type=FieldType.INT16),
        Field("n_int32", [None, None, None, -(2**31)], type=FieldType.INT32),
        Field("n_int64", [None, -1, None, 2**63 - 1], type=FieldType.INT64),
        Field("n_uint8", [255, None, 0, None], type=FieldType.UINT8),
        Field("n_uint16", [None, 2**16 - 1, None, 0], type=FieldType.UINT16),
        Field("n_uint32", [None, 2**32 - 1, 1, None], type=FieldType.UINT32),
        Field("n_uint64", [2**64 - 1, None, 0, None], type=FieldType.UINT64),
        Field("n_float64", [None, nan, -inf, 1.5]),
        Field("n_float32", pa.array([None, 1.5, None, inf], pa.float32())),
        Field("n_string", ["x", None, "", None]),
        Field("n_bool", [None, True, False, None]),
        Field("n_time", [aware[1], None, aware[2], None]),
        Field("n_json", pa.array([None, b"{}", None, b"[]"], pa.binary()), type=FieldType.JSON),
        Field("n_enum", pa.array([None, 1, None, 2], pa.uint16()), type=FieldType.ENUM),
        Field("labelled", [1.0, 2.0, 3.0, 4.0], labels={"host": "a", "dc": "eu"}),
    ]
    return Frame("python_frame", fields, ref_id=ref_id)


def go_time(moment: datetime) -> str:
    """``moment`` formatted as Go's ``time.RFC3339Nano`` in UTC (trailing zeros of the fraction dropped)."""
    text = moment.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%S.%f").rstrip("0").rstrip(".")
    return text + "Z"


def secure_keys(ctx: PluginContext) -> list[str]:
    """The names (never the values) of the data source's secure settings, sorted."""
    ds = ctx.data_source_instance_settings
    return sorted(ds.decrypted_secure_json_data) if ds is not None else []


def echo_frame(request: QueryDataRequest, query: DataQuery) -> Frame:
    """Key/value rows describing the request, exactly as the Go plugin's echo frame."""
    ctx = request.plugin_context
    rows = [
        ("refId", query.ref_id),
        ("queryType", query.query_type),
        ("from", go_time(query.time_range.from_)),
        ("to", go_time(query.time_range.to)),
        ("maxDataPoints", str(query.max_data_points)),
        ("intervalMs", str(int(query.interval / timedelta(milliseconds=1)))),
        ("json", query.json.decode()),
        ("orgId", str(ctx.org_id)),
        ("pluginId", ctx.plugin_id),
        ("headers", orjson.dumps(dict(request.headers)).decode() if request.headers else "null"),
    ]
    ds = ctx.data_source_instance_settings
    if ds is not None:
        rows += [
            ("dsUid", ds.uid),
            ("dsName", ds.name),
            ("dsUrl", ds.url),
            ("dsJsonData", ds.json_data_raw.decode()),
            ("dsSecureKeys", "[" + " ".join(secure_keys(ctx)) + "]"),
        ]
    if ctx.user is not None:
        rows += [("userLogin", ctx.user.login), ("userRole", ctx.user.role)]
    return Frame(
        "echo", [Field("key", [k for k, _ in rows]), Field("value", [v for _, v in rows])], ref_id=query.ref_id
    )


def json_response(value: object, status: int = 200) -> CallResourceResponse:
    """A JSON resource response with Go's header spelling."""
    return CallResourceResponse(status, {"Content-Type": ["application/json"]}, orjson.dumps(value) + b"\n")


def first_header(headers: Mapping[str, list[str]], name: str) -> str:
    """A request header's first value, matched case-insensitively as Go's ``Header.Get`` does."""
    for key, values in headers.items():
        if key.lower() == name.lower() and values:
            return values[0]
    return ""


class InteropPlugin:
    """The handlers; one object serves every data source (no per-instance state is needed)."""

    def check_health(self, request: CheckHealthRequest) -> CheckHealthResult:
        """OK with details, or ERROR when jsonData says so."""
        ds = request.plugin_context.data_source_instance_settings
        uid = ds.uid if ds is not None else ""
        logger.info("interop health check", uid=uid)
        if ds is not None and ds.json_data.get("health") == "error":
            return CheckHealthResult.error("health check failed as configured", {"reason": "configured to fail"})
        details = {"uid": uid, "secureKeys": secure_keys(request.plugin_context), "headers": dict(request.headers)}
        return CheckHealthResult.ok("Go interop plugin is working", details)

    def query_data(self, request: QueryDataRequest) -> QueryDataResponse:
        """One response per query, by scenario."""
        response = QueryDataResponse()
        for query in request.queries:
            scenario = query.model.get("scenario")
            if scenario == "all_types":
                response[query.ref_id] = DataResponse([every_type_frame(query.ref_id)])
            elif scenario == "error":
                response[query.ref_id] = DataResponse.downstream_error(f"scenario error for {query.ref_id}", 400)
            elif scenario == "panic":
                raise RuntimeError(f"scenario panic for {query.ref_id}")
            else:
                response[query.ref_id] = DataResponse([echo_frame(request, query)])
        return response

    def call_resource(self, request: CallResourceRequest, sender: CallResourceResponseSender) -> None:
        """The Go plugin's routes, answered the same way."""
        path, _, query = request.url.partition("?")
        path = path.lstrip("/")
        if request.method == "GET" and path == "ping":
            user = request.plugin_context.user
            ds = request.plugin_context.data_source_instance_settings
            body = {
                "message": "pong",
                "method": request.method,
                "path": "/ping",
                "query": query,
                "user": user.login if user is not None else "",
                "datasourceUid": ds.uid if ds is not None else "",
                "xTest": first_header(request.headers, "X-Test"),
            }
            sender.send(json_response(body))
        elif request.method == "POST" and path == "echo":
            content_type = first_header(request.headers, "Content-Type")
            headers = {"X-Echo-Length": [str(len(request.body))]}
            if content_type:
                headers["Content-Type"] = [content_type]
            sender.send(CallResourceResponse(201, headers, request.body))
        elif request.method == "GET" and path == "stream":
            count = int(query.partition("n=")[2] or 3)
            sender.send(CallResourceResponse(200, {"Content-Type": ["text/plain; charset=utf-8"]}, b"chunk 0\n"))
            for i in range(1, count):
                time.sleep(0.05)
                sender.send(CallResourceResponse(body=f"chunk {i}\n".encode()))
        elif request.method == "GET" and path.startswith("status/"):
            code = int(path.removeprefix("status/"))
            sender.send(json_response({"status": code}, code))
        else:
            sender.send(
                CallResourceResponse(404, {"Content-Type": ["text/plain; charset=utf-8"]}, b"404 page not found\n")
            )


if __name__ == "__main__":
    serve(InteropPlugin(), plugin_id=PLUGIN_ID)
