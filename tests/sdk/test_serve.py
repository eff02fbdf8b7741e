"""serve(): a real plugin subprocess, started as a host starts it, called over real gRPC."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
from collections.abc import Callable
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import grpc
import orjson
import pytest
from grpc_health.v1 import health_pb2, health_pb2_grpc

from grafana_plugin_sdk.data import Frame
from grafana_plugin_sdk.wire.genproto import backend_pb2 as pb
from grafana_plugin_sdk.wire.genproto import backend_pb2_grpc as pb_grpc
from grafana_plugin_sdk.wire.genproto.plugin import grpc_controller_pb2, grpc_controller_pb2_grpc

Launch = Callable[..., Any]
# The generated stubs are untyped.
DataStub: Any = pb_grpc.DataStub
DiagnosticsStub: Any = pb_grpc.DiagnosticsStub
ResourceStub: Any = pb_grpc.ResourceStub
StreamStub: Any = pb_grpc.StreamStub
ControllerStub: Any = grpc_controller_pb2_grpc.GRPCControllerStub


def test_handshake_line_is_the_first_stdout_line_and_names_a_unix_socket(launch: Launch, workdir: Path) -> None:
    plugin = launch("sync_plugin.py", {"TEST_PRINT_AT_IMPORT": "1"})
    core, version, network, address, protocol, cert = plugin.parts
    assert (core, version, network, protocol, cert) == ("1", "2", "unix", "grpc", "")
    assert address.startswith(str(workdir) + "/plugin") and Path(address).is_socket()
    # The plugin printed at import time (buffered, as without PYTHONUNBUFFERED): that went to stderr, not stdout.
    assert "printed at import time" in plugin.stderr()


def test_health_reports_plugin_serving(launch: Launch) -> None:
    plugin = launch("sync_plugin.py")
    stub = health_pb2_grpc.HealthStub(plugin.channel)
    reply = stub.Check(health_pb2.HealthCheckRequest(service="plugin"), timeout=5)
    assert reply.status == health_pb2.HealthCheckResponse.SERVING
    with pytest.raises(grpc.RpcError) as err:
        stub.Check(health_pb2.HealthCheckRequest(service="nope"), timeout=5)
    assert err.value.code() == grpc.StatusCode.NOT_FOUND


def test_check_health_sees_the_settings_and_reports_ok_or_error(launch: Launch, make_context: Any) -> None:
    stub = DiagnosticsStub(launch("sync_plugin.py").channel)
    ok = stub.CheckHealth(pb.CheckHealthRequest(pluginContext=make_context(name="Alpha")), timeout=5)
    assert (ok.status, ok.message) == (pb.CheckHealthResponse.OK, "Alpha works")
    ctx = make_context(name="Beta", json_data=b'{"healthy": false}')
    bad = stub.CheckHealth(pb.CheckHealthRequest(pluginContext=ctx), timeout=5)
    assert (bad.status, bad.message) == (pb.CheckHealthResponse.ERROR, "Beta is unhealthy")
    assert orjson.loads(bad.jsonDetails) == {"hint": "set healthy"}


def test_check_health_that_raises_is_a_grpc_error_and_the_plugin_lives_on(launch: Launch, make_context: Any) -> None:
    plugin = launch("sync_plugin.py")
    stub = DiagnosticsStub(plugin.channel)
    with pytest.raises(grpc.RpcError) as err:
        stub.CheckHealth(pb.CheckHealthRequest(pluginContext=make_context(json_data=b'{"raise": 1}')), timeout=5)
    assert err.value.code() == grpc.StatusCode.UNKNOWN
    assert err.value.details() == "check_health failed: ConnectionError: cannot reach the server"
    assert stub.CheckHealth(pb.CheckHealthRequest(pluginContext=make_context()), timeout=5).status == 1
    assert plugin.proc.poll() is None


def test_query_data_answers_every_ref_id(launch: Launch, make_context: Any, make_query: Any) -> None:
    stub = DataStub(launch("sync_plugin.py").channel)
    queries = [make_query("A", status=200), make_query("B", status=204), make_query("C", status=404)]
    reply = stub.QueryData(pb.QueryDataRequest(pluginContext=make_context(), queries=queries), timeout=5)
    assert {ref: r.status for ref, r in reply.responses.items()} == {"A": 200, "B": 204, "C": 404}
    assert all(r.error == "" and r.errorSource == "" for r in reply.responses.values())


@pytest.mark.parametrize("fmt", [pb.ARROW, pb.JSON])
def test_query_data_frames_are_encoded_in_the_requested_format(
    launch: Launch, make_context: Any, make_query: Any, fmt: pb.DataFrameFormat.ValueType
) -> None:
    stub = DataStub(launch("sync_plugin.py").channel)
    request = pb.QueryDataRequest(pluginContext=make_context(), queries=[make_query("F", "frame")], format=fmt)
    response = stub.QueryData(request, timeout=5).responses["F"]
    assert (response.status, response.format, len(response.frames)) == (200, fmt, 1)
    if fmt == pb.ARROW:
        assert response.frames[0][:6] == b"ARROW1"
        frame = Frame.from_arrow(response.frames[0])
    else:
        frame = Frame.from_json(response.frames[0])
    assert (frame.name, frame.ref_id) == ("numbers", "F")  # the refId filled in from the response key
    assert frame.field("time").to_pylist() == [datetime(1970, 1, 1, tzinfo=UTC), datetime(1970, 1, 1, 1, tzinfo=UTC)]
    assert frame.field("value").to_pylist() == [1.5, None]


def test_query_data_handler_that_raises_fails_every_ref_id_not_the_process(
    launch: Launch, make_context: Any, make_query: Any
) -> None:
    plugin = launch("sync_plugin.py")
    stub = DataStub(plugin.channel)
    queries = [make_query("A"), make_query("B", "explode")]
    reply = stub.QueryData(pb.QueryDataRequest(pluginContext=make_context(), queries=queries), timeout=5)
    assert set(reply.responses) == {"A", "B"}
    for response in reply.responses.values():
        assert (response.status, response.errorSource) == (500, "plugin")
        assert response.error == "RuntimeError: the whole request failed"
    again = stub.QueryData(pb.QueryDataRequest(pluginContext=make_context(), queries=[make_query("A")]), timeout=5)
    assert again.responses["A"].status == 200
    log = plugin.stderr()
    assert '"@level":"error"' in log and "the whole request failed" in log


def test_call_resource_streams_every_message_in_order(launch: Launch, make_context: Any) -> None:
    stub = ResourceStub(launch("sync_plugin.py").channel)
    request = pb.CallResourceRequest(pluginContext=make_context(), path="stream", method="GET", url="stream?count=40")
    messages = list(stub.CallResource(request, timeout=10))
    assert [m.body for m in messages] == [f"part{i}\n".encode() for i in range(40)]
    assert messages[0].code == 200 and list(messages[0].headers["content-type"].values) == ["text/plain"]


def test_call_resource_passes_the_request_and_sends_json(launch: Launch, make_context: Any) -> None:
    stub = ResourceStub(launch("sync_plugin.py").channel)
    headers = {"X-Test": pb.StringList(values=["1", "2"])}
    request = pb.CallResourceRequest(
        pluginContext=make_context(), path="echo", method="POST", url="echo?a=b", headers=headers, body=b"hi"
    )
    (message,) = stub.CallResource(request, timeout=5)
    assert message.code == 200 and list(message.headers["content-type"].values) == ["application/json"]
    assert orjson.loads(message.body) == {
        "method": "POST",
        "url": "echo?a=b",
        "body": "hi",
        "headers": {"X-Test": ["1", "2"]},
    }


def test_call_resource_errors(launch: Launch, make_context: Any) -> None:
    stub = ResourceStub(launch("sync_plugin.py").channel)
    with pytest.raises(grpc.RpcError) as err:
        list(stub.CallResource(pb.CallResourceRequest(pluginContext=make_context(), path="raise"), timeout=5))
    assert err.value.code() == grpc.StatusCode.UNKNOWN
    assert err.value.details() == "call_resource failed: KeyError: 'no such thing'"
    received = []
    with pytest.raises(grpc.RpcError) as err:
        for message in stub.CallResource(pb.CallResourceRequest(pluginContext=make_context(), path="fail-midway")):
            received.append(message.body)
    assert received == [b"partial"]
    assert (err.value.code(), err.value.details()) == (
        grpc.StatusCode.UNKNOWN,
        "call_resource failed: OSError: lost the file",
    )
    (empty,) = stub.CallResource(pb.CallResourceRequest(pluginContext=make_context(), path="empty"), timeout=5)
    assert empty.code == 500 and b"sent no response" in empty.body
    (missing,) = stub.CallResource(pb.CallResourceRequest(pluginContext=make_context(), path="nope"), timeout=5)
    assert (missing.code, missing.body) == (404, b"not found")


def test_collect_metrics_exposes_the_request_counters(launch: Launch, make_context: Any, make_query: Any) -> None:
    plugin = launch("sync_plugin.py")
    diagnostics = DiagnosticsStub(plugin.channel)
    data = DataStub(plugin.channel)
    for _ in range(3):
        diagnostics.CheckHealth(pb.CheckHealthRequest(pluginContext=make_context()), timeout=5)
    queries = [make_query("A"), make_query("B", "explode")]
    data.QueryData(pb.QueryDataRequest(pluginContext=make_context(), queries=queries), timeout=5)
    text = diagnostics.CollectMetrics(pb.CollectMetricsRequest(pluginContext=make_context()), timeout=5)
    lines = text.metrics.prometheus.decode().splitlines()
    assert 'grafana_plugin_request_total{endpoint="checkHealth",status="ok",status_source="plugin"} 3.0' in lines
    assert 'grafana_plugin_request_total{endpoint="queryData",status="error",status_source="plugin"} 1.0' in lines
    assert any(
        line.startswith('grafana_plugin_request_duration_seconds_count{endpoint="checkHealth"') for line in lines
    )
    assert any(line.startswith("process_resident_memory_bytes ") for line in lines)


def test_unimplemented_services_answer_unimplemented(launch: Launch, make_context: Any) -> None:
    plugin = launch("bare_plugin.py")
    with pytest.raises(grpc.RpcError) as err:
        DiagnosticsStub(plugin.channel).CheckHealth(pb.CheckHealthRequest(pluginContext=make_context()))
    assert err.value.code() == grpc.StatusCode.UNIMPLEMENTED
    for call in (
        lambda: DataStub(plugin.channel).QueryData(pb.QueryDataRequest(pluginContext=make_context())),
        lambda: list(ResourceStub(plugin.channel).CallResource(pb.CallResourceRequest())),
    ):
        with pytest.raises(grpc.RpcError) as err:
            call()
        assert err.value.code() == grpc.StatusCode.UNIMPLEMENTED
    metrics = DiagnosticsStub(plugin.channel).CollectMetrics(pb.CollectMetricsRequest())
    assert b'grafana_plugin_request_total{endpoint="checkHealth",status="error"' in metrics.metrics.prometheus


def test_receive_limit_is_16_mib_by_default_and_configurable(launch: Launch, make_context: Any) -> None:
    big = pb.CollectMetricsRequest(pluginContext=make_context(json_data=b'{"x": "%s"}' % (b"a" * 10_000_000)))
    default = launch("bare_plugin.py")
    assert DiagnosticsStub(default.channel).CollectMetrics(big, timeout=10).metrics.prometheus
    small = launch("bare_plugin.py", {"MAX_RECEIVE": str(1024 * 1024)})
    with pytest.raises(grpc.RpcError) as err:
        DiagnosticsStub(small.channel).CollectMetrics(big, timeout=10)
    assert err.value.code() == grpc.StatusCode.RESOURCE_EXHAUSTED


def test_broker_stream_is_accepted_and_ends_with_the_host_side(launch: Launch) -> None:
    plugin = launch("bare_plugin.py")
    start_stream = plugin.channel.stream_stream("/plugin.GRPCBroker/StartStream")
    assert list(start_stream(iter([b""]), timeout=5)) == []


def test_tcp_transport_uses_the_hosts_port_range(launch: Launch) -> None:
    plugin = launch("bare_plugin.py", {"PLUGIN_MIN_PORT": "23170", "PLUGIN_MAX_PORT": "23190"}, "tcp")
    assert plugin.parts[2] == "tcp"
    host, port = plugin.parts[3].rsplit(":", 1)
    assert host == "127.0.0.1" and 23170 <= int(port) <= 23190
    second = launch("bare_plugin.py", {"PLUGIN_MIN_PORT": port, "PLUGIN_MAX_PORT": "23190"}, "tcp")
    assert int(second.parts[3].rsplit(":", 1)[1]) > int(port)


def test_shutdown_stops_the_process_within_two_seconds(launch: Launch) -> None:
    plugin = launch("sync_plugin.py")
    socket_path = Path(plugin.parts[3])
    stdio_calls = plugin.channel.unary_stream("/plugin.GRPCStdio/StreamStdio")(b"")  # an open stdio stream
    ControllerStub(plugin.channel).Shutdown(grpc_controller_pb2.Empty(), timeout=5)
    start = time.monotonic()
    assert plugin.wait_exit(2) == 0
    assert time.monotonic() - start < 2
    assert not socket_path.exists()
    assert list(stdio_calls) == []
    assert plugin.read_stdout_rest() == b""


def test_sigterm_stops_gracefully_and_sigint_is_ignored(launch: Launch, make_context: Any, make_query: Any) -> None:
    plugin = launch("sync_plugin.py")
    plugin.proc.send_signal(signal.SIGINT)
    time.sleep(0.2)
    assert plugin.proc.poll() is None
    stub = DataStub(plugin.channel)
    slow = stub.QueryData.future(
        pb.QueryDataRequest(pluginContext=make_context(), queries=[make_query("A", "sleep", seconds=1)]), timeout=10
    )
    time.sleep(0.3)
    plugin.proc.send_signal(signal.SIGTERM)
    assert slow.result().responses["A"].status == 200  # the call in flight finished
    assert plugin.wait_exit(5) == 0


def test_output_a_handler_prints_goes_to_stderr_and_the_protocol_survives(
    launch: Launch, make_context: Any, make_query: Any
) -> None:
    plugin = launch("sync_plugin.py", {"PYTHONUNBUFFERED": "1"})
    stub = DataStub(plugin.channel)
    for _ in range(2):
        reply = stub.QueryData(pb.QueryDataRequest(pluginContext=make_context(), queries=[make_query("P", "print")]))
        assert reply.responses["P"].status == 200
    log = plugin.stderr()
    assert log.count("a line a plugin author printed") == 2
    logged = [orjson.loads(line) for line in log.splitlines() if '"logged from a query"' in line]
    assert logged[0]["refId"] == "P" and logged[0]["endpoint"] == "queryData" and logged[0]["dsUid"] == "ds-uid"
    ControllerStub(plugin.channel).Shutdown(grpc_controller_pb2.Empty())
    assert plugin.wait_exit(5) == 0
    assert plugin.read_stdout_rest() == b""  # nothing after the handshake line reached stdout


@pytest.mark.parametrize(
    ("env", "reason"),
    [
        ({"PLUGIN_PROTOCOL_VERSIONS": "2"}, "is not set"),
        ({"grafana_plugin_type": "app", "PLUGIN_PROTOCOL_VERSIONS": "2"}, "is 'app', expected 'datasource'"),
    ],
)
def test_started_without_the_magic_cookie_explains_and_exits_1(
    run_to_exit: Callable[..., Any], env: dict[str, str], reason: str
) -> None:
    finished = run_to_exit("sync_plugin.py", env)
    assert finished.returncode == 1
    assert "This program is a Grafana backend plugin" in finished.stderr and reason in finished.stderr
    assert b"|grpc|" not in finished.stdout


def test_unsupported_protocol_version_announces_ours_and_warns(launch: Launch) -> None:
    plugin = launch("bare_plugin.py", {"PLUGIN_PROTOCOL_VERSIONS": "1,x"})
    assert plugin.parts[1] == "2"  # as go-plugin: announce our lowest; the host rejects it
    log = plugin.stderr()
    assert "ignoring invalid plugin protocol version 'x'" in log
    assert "the host accepts plugin protocol versions '1,x' but this plugin speaks 2" in log


def test_the_highest_common_protocol_version_is_announced(launch: Launch) -> None:
    assert launch("bare_plugin.py", {"PLUGIN_PROTOCOL_VERSIONS": "1,2,3"}).parts[1] == "2"


def test_start_up_is_fast(launch: Launch) -> None:
    plugin = launch("bare_plugin.py")
    assert plugin.seconds_to_handshake < 3  # generous for a shared CI machine; bench/bench_startup.py measures


@pytest.mark.parametrize(
    ("body", "message"),
    [
        (
            "class Handler:\n    def query_dta(self, request): ...\n",
            "Handler.query_dta is not a handler method; did you mean query_data?",
        ),
        (
            "class Handler:\n    def CheckHealth(self, request): ...\n",
            "Handler.CheckHealth is not a handler method; did you mean check_health?",
        ),
        (
            "class Handler:\n    def helper(self): ...\n",
            "Handler has none of the handler methods (query_data, check_health",
        ),
    ],
)
def test_serve_refuses_a_handler_it_would_silently_ignore(tmp_path: Path, body: str, message: str) -> None:
    script = tmp_path / "plugin.py"
    script.write_text(f"from grafana_plugin_sdk import serve\n{body}\nserve(Handler())\n")
    env = {**os.environ, "grafana_plugin_type": "datasource", "PLUGIN_PROTOCOL_VERSIONS": "2"}
    done = subprocess.run([sys.executable, str(script)], env=env, capture_output=True, text=True, timeout=60)
    assert done.returncode == 1 and done.stdout == ""
    assert message in done.stderr
