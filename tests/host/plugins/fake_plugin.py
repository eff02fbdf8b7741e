"""A go-plugin/pluginv2 server written with raw grpcio for the host's process tests.

Run as ``python fake_plugin.py MODE [--tcp]``. Modes: ``good`` (serves every call), ``crash`` (exits before the
handshake), ``silent`` (never prints a handshake), ``garbage`` (prints a line that is not a handshake),
``flood`` (serves while writing 10 MB to stderr), ``orphan`` (serves and starts a child that sleeps),
``sick`` (serves, but its health check says NOT_SERVING after a second).
A QueryData query's JSON picks the behaviour: ``{"action": "die" | "sleep" | "abort" | "frame", ...}``.
"""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
import tempfile
import threading
import time
from collections.abc import Iterator
from concurrent import futures
from typing import Any

import grpc
import numpy
from google.protobuf.json_format import MessageToDict
from grpc_health.v1 import health, health_pb2, health_pb2_grpc

from grafana_plugin_sdk.data import Field, Frame
from grafana_plugin_sdk.wire.genproto import backend_pb2 as pb
from grafana_plugin_sdk.wire.genproto import backend_pb2_grpc
from grafana_plugin_sdk.wire.genproto.plugin import grpc_controller_pb2, grpc_controller_pb2_grpc

FLOOD_BYTES = 10 * 1024 * 1024
ENV_KEYS = (
    "grafana_plugin_type",
    "PLUGIN_PROTOCOL_VERSIONS",
    "PLUGIN_MIN_PORT",
    "PLUGIN_MAX_PORT",
    "GF_VERSION",
    "GF_APP_URL",
    "GF_INSTANCE_FEATURE_TOGGLES_ENABLE",
    "GF_PLUGIN_API_KEY",
    "GF_PLUGIN_MODE",
)
flood_written = 0
children: list[subprocess.Popen[bytes]] = []


def context_dict(ctx: pb.PluginContext) -> dict[str, Any]:
    return MessageToDict(ctx, preserving_proto_field_name=True)


class Data(backend_pb2_grpc.DataServicer):
    def QueryData(self, request: pb.QueryDataRequest, context: grpc.ServicerContext) -> pb.QueryDataResponse:
        responses: dict[str, pb.DataResponse] = {}
        for query in request.queries:
            model = json.loads(query.json or b"{}")
            action = model.get("action", "")
            if action == "die":
                time.sleep(model.get("after", 0))
                os._exit(7)
            if action == "sleep":
                time.sleep(model["seconds"])
            if action == "abort":
                context.abort(getattr(grpc.StatusCode, model["code"]), model.get("message", ""))
            if action == "frame":  # a float64 column of ``rows`` values, Arrow-encoded
                values = Field("value", numpy.arange(model["rows"], dtype=numpy.float64))
                arrow = Frame("numbers", [values], ref_id=query.refId).to_arrow()
                responses[query.refId] = pb.DataResponse(status=200, frames=[arrow])
                continue
            responses[query.refId] = pb.DataResponse(status=200, error=json.dumps(model) if model else "")
        return pb.QueryDataResponse(responses=responses)

    def QueryChunkedData(
        self, request: pb.QueryChunkedDataRequest, context: grpc.ServicerContext
    ) -> Iterator[pb.QueryChunkedDataResponse]:
        context.abort(grpc.StatusCode.UNIMPLEMENTED, "QueryChunkedData is not implemented")
        yield from ()


class Diagnostics(backend_pb2_grpc.DiagnosticsServicer):
    def CheckHealth(self, request: pb.CheckHealthRequest, context: grpc.ServicerContext) -> pb.CheckHealthResponse:
        details = {"context": context_dict(request.pluginContext), "headers": dict(request.headers)}
        return pb.CheckHealthResponse(
            status=pb.CheckHealthResponse.OK, message="ok", jsonDetails=json.dumps(details).encode()
        )

    def CollectMetrics(
        self, request: pb.CollectMetricsRequest, context: grpc.ServicerContext
    ) -> pb.CollectMetricsResponse:
        text = b"# TYPE fake_up gauge\nfake_up 1\n"
        return pb.CollectMetricsResponse(metrics=pb.CollectMetricsResponse.Payload(prometheus=text))


class Resource(backend_pb2_grpc.ResourceServicer):
    def CallResource(
        self, request: pb.CallResourceRequest, context: grpc.ServicerContext
    ) -> Iterator[pb.CallResourceResponse]:
        json_headers = {"Content-Type": pb.StringList(values=["application/json"])}
        if request.path == "env":
            env = {key: os.environ.get(key) for key in ENV_KEYS}
            body = json.dumps(
                {"env": env, "cwd": os.getcwd(), "pid": os.getpid(), "children": [c.pid for c in children]}
            )
            yield pb.CallResourceResponse(code=200, headers=json_headers, body=body.encode())
        elif request.path == "flood":
            yield pb.CallResourceResponse(code=200, body=str(flood_written).encode())
        elif request.path == "stream":
            yield pb.CallResourceResponse(code=201, headers={"X-Chunks": pb.StringList(values=["3"])})
            for i in range(3):
                time.sleep(0.05)
                yield pb.CallResourceResponse(body=f"chunk{i};".encode())
        else:
            body = json.dumps({"method": request.method, "url": request.url, "body": request.body.decode()})
            yield pb.CallResourceResponse(code=200, headers=json_headers, body=body.encode())


class Controller(grpc_controller_pb2_grpc.GRPCControllerServicer):
    def __init__(self, server: grpc.Server) -> None:
        self.server = server

    def Shutdown(self, request: grpc_controller_pb2.Empty, context: grpc.ServicerContext) -> grpc_controller_pb2.Empty:
        threading.Thread(target=lambda: self.server.stop(grace=0.2)).start()
        return grpc_controller_pb2.Empty()


def flood() -> None:
    global flood_written
    line = b"[DEBUG] " + b"x" * 1015 + b"\n"  # 1 KiB lines, plus one very long one
    sys.stderr.buffer.write(b"y" * 200_000 + b"\n")
    while flood_written < FLOOD_BYTES:
        sys.stderr.buffer.write(line)
        flood_written += len(line)
    sys.stderr.buffer.flush()
    log("info", "flood done", written=flood_written)


def log(level: str, message: str, **fields: Any) -> None:
    now = time.time()
    stamp = time.strftime("%Y-%m-%dT%H:%M:%S", time.gmtime(now)) + f".{int(now % 1 * 1e6):06d}Z"
    record = {"@level": level, "@message": message, "@timestamp": stamp, **fields}
    sys.stderr.write(json.dumps(record) + "\n")
    sys.stderr.flush()


def main() -> None:
    mode = sys.argv[1]
    if os.environ.get("grafana_plugin_type") != "datasource":  # noqa: SIM112 (go-plugin's cookie is lower-case)
        sys.stderr.write("This binary is a plugin. These are not meant to be executed directly.\n")
        sys.exit(1)
    if mode == "crash":
        sys.stderr.write("panic: cannot start: configuration missing\n\tgoroutine 1 [running]\n")
        sys.exit(3)
    if mode == "silent":
        time.sleep(3600)
    if mode == "garbage":
        print("Welcome to my plugin! Starting up...", flush=True)
        time.sleep(3600)

    if mode == "orphan":  # before gRPC starts its threads: forking after that is unsafe
        children.append(subprocess.Popen([sys.executable, "-c", "import time; time.sleep(3600)"]))
    server = grpc.server(futures.ThreadPoolExecutor(max_workers=8))
    health_servicer = health.HealthServicer()
    health_servicer.set("plugin", health_pb2.HealthCheckResponse.SERVING)
    health_pb2_grpc.add_HealthServicer_to_server(health_servicer, server)
    grpc_controller_pb2_grpc.add_GRPCControllerServicer_to_server(Controller(server), server)
    backend_pb2_grpc.add_DataServicer_to_server(Data(), server)
    backend_pb2_grpc.add_DiagnosticsServicer_to_server(Diagnostics(), server)
    backend_pb2_grpc.add_ResourceServicer_to_server(Resource(), server)
    if "--tcp" in sys.argv:
        port = server.add_insecure_port("127.0.0.1:0")
        network, address = "tcp", f"127.0.0.1:{port}"
    else:
        address = os.path.join(tempfile.mkdtemp(prefix="fakeplugin"), "plugin.sock")
        server.add_insecure_port(f"unix:{address}")
        network = "unix"
    server.start()
    log("info", "serving", network=network, address=address, pid=os.getpid())
    print(f"1|2|{network}|{address}|grpc|", flush=True)
    if mode == "flood":
        threading.Thread(target=flood, daemon=True).start()
    if mode == "sick":  # healthy at start, then reports NOT_SERVING
        threading.Timer(1.0, health_servicer.set, ("plugin", health_pb2.HealthCheckResponse.NOT_SERVING)).start()
    try:
        server.wait_for_termination()
    finally:
        if network == "unix":
            shutil.rmtree(os.path.dirname(address), ignore_errors=True)
    log("info", "stopped")


if __name__ == "__main__":
    main()
