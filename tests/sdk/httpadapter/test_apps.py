"""The Flask and the Starlette test apps behind the adapters, in process and over real gRPC to a plugin process."""

from __future__ import annotations

import asyncio
import shutil
import subprocess
import tempfile
from collections.abc import Callable, Iterator
from pathlib import Path
from urllib.parse import quote

import grpc
import orjson
import pytest

from grafana_plugin_sdk.backend import CallResourceRequest, CallResourceResponse
from grafana_plugin_sdk.wire.convert import call_resource_request_to_proto, call_resource_response_from_proto
from grafana_plugin_sdk.wire.genproto import backend_pb2_grpc
from tests.sdk.conftest import HOST_ENV, channel_for, read_line, start_process, stop_process
from tests.sdk.httpadapter.apps import STREAM_CHUNKS, handler_for
from tests.sdk.httpadapter.conftest import call, resource_request

PLUGIN = Path(__file__).resolve().parent / "resource_plugin.py"
CALL_TIMEOUT = 20.0

Caller = Callable[[CallResourceRequest], list[CallResourceResponse]]
Stubs = Callable[[str], backend_pb2_grpc.ResourceStub]


@pytest.fixture(scope="module")
def plugin_stubs() -> Iterator[Stubs]:
    """Starts (once per module and framework) the resource plugin process; gives a Resource stub to it."""
    root = Path(tempfile.mkdtemp(prefix="gpha-"))
    running: dict[str, tuple[subprocess.Popen[bytes], grpc.Channel]] = {}

    def stub(framework: str) -> backend_pb2_grpc.ResourceStub:
        if framework not in running:
            workdir = root / framework
            workdir.mkdir()
            env = {**HOST_ENV, "PLUGIN_UNIX_SOCKET_DIR": str(workdir)}
            proc, stderr_path = start_process(PLUGIN, env, workdir, (framework,))
            line = read_line(proc, 20).decode()
            if not line.endswith("\n"):
                stop_process(proc)
                pytest.fail(f"no handshake from the {framework} plugin; stderr: {stderr_path.read_text()}")
            running[framework] = (proc, channel_for(line.strip()))
        return backend_pb2_grpc.ResourceStub(running[framework][1])

    yield stub
    for proc, channel in running.values():
        channel.close()
        stop_process(proc)
    shutil.rmtree(root, ignore_errors=True)


@pytest.fixture(params=["flask", "starlette"])
def framework(request: pytest.FixtureRequest) -> str:
    """Which test app serves the calls."""
    return str(request.param)


@pytest.fixture(params=["in-process", "grpc"])
def caller(request: pytest.FixtureRequest, framework: str) -> Caller:
    """Calls the app through its adapter, in process or over gRPC to a plugin process; returns the messages."""
    if request.param == "in-process":
        handler = handler_for(framework)
        return lambda req: asyncio.run(call(handler, req))
    stub = request.getfixturevalue("plugin_stubs")(framework)

    def over_grpc(req: CallResourceRequest) -> list[CallResourceResponse]:
        stream = stub.CallResource(call_resource_request_to_proto(req), timeout=CALL_TIMEOUT)
        return [call_resource_response_from_proto(message) for message in stream]

    return over_grpc


def whole(messages: list[CallResourceResponse]) -> tuple[int, dict[str, list[str]], bytes]:
    """Status and headers of the first message, and the body of all of them."""
    assert messages, "no response message"
    return messages[0].status, messages[0].headers, b"".join(m.body for m in messages)


def test_seed_routes_answer_json(caller: Caller) -> None:
    status, headers, body = whole(caller(resource_request("namespaces")))
    assert status == 200
    assert headers["Content-Type"] == ["application/json"]
    assert orjson.loads(body) == {"namespaces": ["ns-1", "ns-2"]}
    status, _, body = whole(caller(resource_request("projects")))
    assert (status, orjson.loads(body)) == (200, {"projects": ["project-1", "project-2"]})


def test_get_with_query_string(caller: Caller) -> None:
    status, _, body = whole(caller(resource_request("search?q=hello%20world&tag=a&tag=b")))
    assert status == 200
    assert orjson.loads(body) == {"path": "/search", "q": "hello world", "tags": ["a", "b"]}


def test_post_json(caller: Caller) -> None:
    document = {"state": "on", "levels": [1, 2, 3], "name": "café"}
    request = resource_request("echo", "POST", {"Content-Type": ["application/json"]}, orjson.dumps(document))
    status, _, body = whole(caller(request))
    assert status == 201
    assert orjson.loads(body) == {"received": document}


def test_unknown_route_is_404(caller: Caller) -> None:
    status, _, _ = whole(caller(resource_request("no/such/route")))
    assert status == 404


def test_wrong_method_is_405_with_allow(caller: Caller) -> None:
    status, headers, _ = whole(caller(resource_request("namespaces", "DELETE")))
    assert status == 405
    assert "GET" in headers["Allow"][0]


def test_headers_both_ways(caller: Caller) -> None:
    request = resource_request("headers", headers={"X-Multi": ["one", "two"], "Cookie": ["a=1", "b=2"]})
    status, headers, body = whole(caller(request))
    assert status == 200
    assert orjson.loads(body) == {"x-multi": "one, two", "cookies": {"a": "1", "b": "2"}}
    assert headers["X-Custom"] == ["yes"]
    cookies = headers["Set-Cookie"]
    assert len(cookies) == 2
    assert cookies[0].startswith("a=1;") and cookies[1].startswith("b=2;")


def test_binary_body(caller: Caller) -> None:
    payload = bytes(range(256)) * 3 + b"\x00\xff"
    status, headers, body = whole(caller(resource_request("binary", "POST", body=payload)))
    assert status == 200
    assert headers["Content-Type"] == ["application/octet-stream"]
    assert body == payload[::-1]


def test_streamed_response_arrives_as_separate_messages(caller: Caller) -> None:
    messages = caller(resource_request("stream"))
    assert [m.body for m in messages] == STREAM_CHUNKS
    assert messages[0].status == 200
    assert messages[0].headers["Content-Type"][0].startswith("text/plain")
    assert all(m.status == 0 and m.headers == {} for m in messages[1:])


def test_plugin_context_echo(caller: Caller) -> None:
    status, _, body = whole(caller(resource_request("user")))
    assert status == 200
    assert orjson.loads(body) == {
        "user": {"login": "alice", "name": "Alice", "email": "alice@example.com", "role": "Editor"},
        "orgId": 7,
        "pluginId": "test-resource-datasource",
        "dataSourceUid": "ds-uid-1",
    }


def test_exception_is_a_500_without_details_and_serving_continues(caller: Caller, framework: str) -> None:
    status, _, body = whole(caller(resource_request("boom")))
    assert status == 500
    assert b"secret detail" not in body
    if framework == "flask":  # Flask propagates; the adapter answers
        assert orjson.loads(body) == {"message": "Internal Server Error"}
    else:  # Starlette's ServerErrorMiddleware answers itself, then re-raises to the adapter
        assert body == b"Internal Server Error"
    status, _, _ = whole(caller(resource_request("namespaces")))
    assert status == 200


def test_streamed_chunks_reach_the_host_while_the_app_still_runs(
    plugin_stubs: Stubs, framework: str, tmp_path: Path
) -> None:
    """The gated route sends its second chunk only after the test saw the first one arrive over gRPC."""
    stub = plugin_stubs(framework)
    gate = tmp_path / "gate"
    request = resource_request(f"gated?gate={quote(str(gate))}")
    stream = stub.CallResource(call_resource_request_to_proto(request), timeout=CALL_TIMEOUT)
    first = next(stream)
    assert (first.code, first.body) == (200, b"first\n")
    assert first.headers["Content-Type"].values[0].startswith("text/plain")
    # while that call waits, the plugin answers others
    other = list(stub.CallResource(call_resource_request_to_proto(resource_request("namespaces")), timeout=5))
    assert orjson.loads(other[0].body) == {"namespaces": ["ns-1", "ns-2"]}
    gate.touch()
    rest = list(stream)
    assert [(m.code, m.body, dict(m.headers)) for m in rest] == [(0, b"second\n", {})]


def test_failure_mid_stream_ends_the_call_with_an_error(plugin_stubs: Stubs, framework: str) -> None:
    """The host sees the first chunk, then a gRPC error instead of a silently short body."""
    stub = plugin_stubs(framework)
    stream = stub.CallResource(call_resource_request_to_proto(resource_request("broken-stream")), timeout=CALL_TIMEOUT)
    first = next(stream)
    assert (first.code, first.body) == (200, b"partial\n")
    with pytest.raises(grpc.RpcError) as failure:
        list(stream)
    assert failure.value.code() != grpc.StatusCode.OK
    again = list(stub.CallResource(call_resource_request_to_proto(resource_request("projects")), timeout=5))
    assert again[0].code == 200
