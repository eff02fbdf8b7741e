"""ASGI adapter, in process: request -> scope/receive, send messages -> responses, streaming, errors."""

from __future__ import annotations

import asyncio
import logging
from typing import Any

import orjson
import pytest

from grafana_plugin_sdk import httpadapter
from grafana_plugin_sdk.backend import CallResourceResponse
from tests.sdk.httpadapter.conftest import PLUGIN_CONTEXT, ListSender, call, resource_request

Scope = Any
Receive = Any
Send = Any


async def test_scope_maps_target_method_headers_and_body() -> None:
    seen: list[tuple[Scope, list[Any]]] = []

    async def app(scope: Scope, receive: Receive, send: Send) -> None:
        first = await receive()
        await send({"type": "http.response.start", "status": 204, "headers": []})
        await send({"type": "http.response.body", "body": b""})
        seen.append((scope, [first, await receive()]))

    request = resource_request(
        "items/a%2Fb/caf%C3%A9?tag=x&tag=y#frag",
        method="PATCH",
        headers={
            "X-Multi": ["one", "two"],
            "Content-Type": ["application/json"],
            "Content-Length": ["999"],
            "Transfer-Encoding": ["chunked"],
            "X_Underscore": ["kept"],
            "Cookie": ["a=1", "b=2"],
        },
        body=b'{"k": 1}',
    )
    messages = await call(httpadapter.asgi(app), request)

    scope, received = seen[0]
    assert scope["type"] == "http"
    assert scope["asgi"]["version"] == "3.0"
    assert scope["method"] == "PATCH"
    assert scope["path"] == "/items/a/b/café"
    assert scope["raw_path"] == b"/items/a%2Fb/caf%C3%A9"
    assert scope["query_string"] == b"tag=x&tag=y"
    assert scope["root_path"] == ""
    assert scope["scheme"] == "http"
    assert scope["server"] == ("localhost", 80)
    assert scope["headers"] == [
        (b"x-multi", b"one"),
        (b"x-multi", b"two"),
        (b"content-type", b"application/json"),
        (b"x_underscore", b"kept"),
        (b"cookie", b"a=1; b=2"),
        (b"content-length", b"8"),
    ]
    assert httpadapter.plugin_context(scope) is PLUGIN_CONTEXT
    assert scope["state"][httpadapter.ASGI_STATE_KEY] is PLUGIN_CONTEXT
    assert received == [
        {"type": "http.request", "body": b'{"k": 1}', "more_body": False},
        {"type": "http.disconnect"},
    ]
    assert [(m.status, m.body) for m in messages] == [(204, b"")]


def fixed_app(status: int, headers: list[tuple[bytes, bytes]], chunks: list[bytes]) -> Any:
    """An ASGI app that answers with the given status, headers and ``more_body`` chunks."""

    async def app(scope: Scope, receive: Receive, send: Send) -> None:
        await send({"type": "http.response.start", "status": status, "headers": headers})
        for chunk in chunks:
            await send({"type": "http.response.body", "body": chunk, "more_body": True})
        await send({"type": "http.response.body", "body": b"", "more_body": False})

    return app


async def test_raw_headers_keep_repeats_and_set_cookie_values_apart() -> None:
    headers = [
        (b"content-type", b"application/json"),
        (b"set-cookie", b"a=1; Path=/"),
        (b"set-cookie", b"b=2; HttpOnly"),
        (b"x-name", "café".encode()),
        (b"x-latin", b"caf\xe9"),
    ]
    messages = await call(httpadapter.asgi(fixed_app(200, headers, [b"{}"])), resource_request("x"))
    assert messages[0].headers == {
        "Content-Type": ["application/json"],
        "Set-Cookie": ["a=1; Path=/", "b=2; HttpOnly"],
        "X-Name": ["café"],
        "X-Latin": ["café"],
    }


async def test_more_body_chunks_are_separate_messages_in_order() -> None:
    app = fixed_app(200, [(b"content-type", b"text/plain")], [b"one", b"", b"two", b"three"])
    messages = await call(httpadapter.asgi(app), resource_request("x"))
    assert messages == [
        CallResourceResponse(200, {"Content-Type": ["text/plain"]}, b"one"),
        CallResourceResponse(0, {}, b"two"),
        CallResourceResponse(0, {}, b"three"),
    ]


async def test_single_body_message_is_one_response() -> None:
    async def app(scope: Scope, receive: Receive, send: Send) -> None:
        await send({"type": "http.response.start", "status": 202, "headers": [(b"x-a", b"1")]})
        await send({"type": "http.response.body", "body": b"accepted"})

    messages = await call(httpadapter.asgi(app), resource_request("x"))
    assert messages == [CallResourceResponse(202, {"X-A": ["1"]}, b"accepted")]


async def test_no_body_chunks_still_sends_status_and_headers() -> None:
    messages = await call(httpadapter.asgi(fixed_app(404, [(b"x-a", b"1")], [])), resource_request("x"))
    assert messages == [CallResourceResponse(404, {"X-A": ["1"]}, b"")]


async def test_streamed_chunks_are_sent_as_they_are_produced() -> None:
    sender = ListSender()
    observed: list[int] = []

    async def app(scope: Scope, receive: Receive, send: Send) -> None:
        await send({"type": "http.response.start", "status": 200, "headers": []})
        for i in range(4):
            await send({"type": "http.response.body", "body": bytes([i]) * 3, "more_body": True})
            observed.append(len(sender.messages))
        await send({"type": "http.response.body", "body": b"", "more_body": False})

    await httpadapter.asgi(app).call_resource(resource_request("x"), sender)
    assert observed == [1, 2, 3, 4]
    assert [m.body for m in sender.messages] == [b"\x00" * 3, b"\x01" * 3, b"\x02" * 3, b"\x03" * 3]


async def test_binary_body_round_trips_unchanged() -> None:
    payload = bytes(range(256)) * 4

    async def app(scope: Scope, receive: Receive, send: Send) -> None:
        body = (await receive())["body"]
        await send({"type": "http.response.start", "status": 200, "headers": []})
        await send({"type": "http.response.body", "body": body})

    messages = await call(httpadapter.asgi(app), resource_request("blob", "PUT", body=payload))
    assert messages[0].body == payload


def assert_json_500(messages: list[CallResourceResponse]) -> None:
    assert len(messages) == 1
    assert messages[0].status == 500
    assert messages[0].headers == {"Content-Type": ["application/json"]}
    assert orjson.loads(messages[0].body) == {"message": "Internal Server Error"}


async def test_exception_before_response_is_a_json_500_and_logged(caplog: pytest.LogCaptureFixture) -> None:
    async def app(scope: Scope, receive: Receive, send: Send) -> None:
        raise LookupError("secret-token-456")

    handler = httpadapter.asgi(app)
    with caplog.at_level(logging.ERROR, logger="grafana_plugin_sdk.httpadapter"):
        messages = await call(handler, resource_request("x"))
    assert_json_500(messages)
    assert b"secret-token-456" not in messages[0].body
    assert "secret-token-456" in caplog.text
    # the same handler keeps serving
    ok = await call(httpadapter.asgi(fixed_app(200, [], [b"ok"])), resource_request("x"))
    assert ok[0].body == b"ok"


async def test_exception_after_complete_response_keeps_the_response(caplog: pytest.LogCaptureFixture) -> None:
    """Starlette's ServerErrorMiddleware sends its own 500 and then re-raises."""

    async def app(scope: Scope, receive: Receive, send: Send) -> None:
        await send({"type": "http.response.start", "status": 500, "headers": [(b"content-type", b"text/plain")]})
        await send({"type": "http.response.body", "body": b"Internal Server Error"})
        raise RuntimeError("re-raised after responding")

    with caplog.at_level(logging.ERROR, logger="grafana_plugin_sdk.httpadapter"):
        messages = await call(httpadapter.asgi(app), resource_request("x"))
    assert messages == [CallResourceResponse(500, {"Content-Type": ["text/plain"]}, b"Internal Server Error")]
    assert "re-raised after responding" in caplog.text


async def test_exception_mid_stream_is_logged_and_raised(caplog: pytest.LogCaptureFixture) -> None:
    async def app(scope: Scope, receive: Receive, send: Send) -> None:
        await send({"type": "http.response.start", "status": 200, "headers": []})
        await send({"type": "http.response.body", "body": b"partial", "more_body": True})
        raise RuntimeError("stream broke")

    sender = ListSender()
    with caplog.at_level(logging.ERROR, logger="grafana_plugin_sdk.httpadapter"), pytest.raises(RuntimeError):
        await httpadapter.asgi(app).call_resource(resource_request("x"), sender)
    assert [m.body for m in sender.messages] == [b"partial"]
    assert "stream broke" in caplog.text


@pytest.mark.parametrize(
    "messages_sent",
    [
        [],  # returned without starting
        [{"type": "http.response.body", "body": b"x"}],  # body before start
        [{"type": "http.response.start", "status": 42, "headers": []}],  # invalid status
        [{"type": "websocket.accept"}],  # not an HTTP message
        [{"type": "http.response.start", "status": 200, "headers": []}],  # never completed
    ],
)
async def test_protocol_violations_are_a_500(messages_sent: list[dict[str, Any]]) -> None:
    async def app(scope: Scope, receive: Receive, send: Send) -> None:
        for message in messages_sent:
            await send(message)

    assert_json_500(await call(httpadapter.asgi(app), resource_request("x")))


async def test_work_after_the_response_does_not_hold_the_call() -> None:
    release = asyncio.Event()
    finished = asyncio.Event()

    async def app(scope: Scope, receive: Receive, send: Send) -> None:
        await send({"type": "http.response.start", "status": 200, "headers": []})
        await send({"type": "http.response.body", "body": b"done"})
        await release.wait()  # e.g. a Starlette background task
        finished.set()

    messages = await asyncio.wait_for(call(httpadapter.asgi(app), resource_request("x")), timeout=5)
    assert [m.body for m in messages] == [b"done"]
    assert not finished.is_set()
    release.set()
    await asyncio.wait_for(finished.wait(), timeout=5)


async def test_cancelling_the_call_cancels_the_app() -> None:
    started = asyncio.Event()
    cancelled = asyncio.Event()

    async def app(scope: Scope, receive: Receive, send: Send) -> None:
        started.set()
        try:
            await asyncio.sleep(60)
        except asyncio.CancelledError:
            cancelled.set()
            raise

    task = asyncio.create_task(call(httpadapter.asgi(app), resource_request("x")))
    await started.wait()
    task.cancel()
    with pytest.raises(asyncio.CancelledError):
        await task
    await asyncio.wait_for(cancelled.wait(), timeout=5)
