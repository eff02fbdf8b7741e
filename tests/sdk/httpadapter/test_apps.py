"""The Flask and the Starlette test apps behind the adapters: routes, methods, headers, streaming, errors."""

from __future__ import annotations

import asyncio
from collections.abc import Callable

import orjson
import pytest

from grafana_plugin_sdk import httpadapter
from grafana_plugin_sdk.backend import CallResourceHandler, CallResourceRequest, CallResourceResponse
from tests.sdk.httpadapter.apps import STREAM_CHUNKS, flask_app, starlette_app
from tests.sdk.httpadapter.conftest import call, resource_request

Caller = Callable[[CallResourceRequest], list[CallResourceResponse]]


def handler_for(framework: str) -> CallResourceHandler:
    """The adapter around the named test app."""
    return httpadapter.wsgi(flask_app) if framework == "flask" else httpadapter.asgi(starlette_app)


@pytest.fixture(params=["flask", "starlette"])
def framework(request: pytest.FixtureRequest) -> str:
    """Which test app serves the calls."""
    return str(request.param)


@pytest.fixture
def caller(framework: str) -> Caller:
    """Calls the app in process through its adapter, collecting the messages sent."""
    handler = handler_for(framework)
    return lambda request: asyncio.run(call(handler, request))


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
