"""WSGI adapter, in process: request -> environ, app response -> messages, streaming, errors."""

from __future__ import annotations

import logging
from collections.abc import Callable, Iterable, Iterator
from typing import Any

import orjson
import pytest

from grafana_plugin_sdk import httpadapter
from grafana_plugin_sdk.backend import CallResourceResponse
from tests.sdk.httpadapter.conftest import PLUGIN_CONTEXT, ListSender, call, resource_request

StartResponse = Callable[..., Callable[[bytes], object]]
Environ = dict[str, Any]


def capture_environ(seen: list[Environ]) -> Callable[[Environ, StartResponse], Iterable[bytes]]:
    """A WSGI app that records its environ (and the body it reads) and answers 204."""

    def app(environ: Environ, start_response: StartResponse) -> Iterable[bytes]:
        environ["test.body"] = environ["wsgi.input"].read()
        seen.append(environ)
        start_response("204 No Content", [])
        return []

    return app


async def test_environ_maps_target_method_headers_and_body() -> None:
    seen: list[Environ] = []
    request = resource_request(
        "items/a%2Fb/caf%C3%A9?tag=x&tag=y&q=%20z#frag",
        method="POST",
        headers={
            "X-Multi": ["one", "two"],
            "Cookie": ["a=1", "b=2"],
            "Content-Type": ["application/json"],
            "Content-Length": ["999"],
            "Transfer-Encoding": ["chunked"],
            "X_Spoofed": ["evil"],
            "Accept": ["text/plain"],
        },
        body=b'{"k": 1}',
    )
    messages = await call(httpadapter.wsgi(capture_environ(seen)), request)

    environ = seen[0]
    assert environ["REQUEST_METHOD"] == "POST"
    assert environ["SCRIPT_NAME"] == ""
    # percent-decoded once, as bytes in a Latin-1 native string (PEP 3333)
    assert environ["PATH_INFO"].encode("latin-1").decode() == "/items/a/b/café"
    assert environ["QUERY_STRING"] == "tag=x&tag=y&q=%20z"
    assert environ["REQUEST_URI"] == "/items/a%2Fb/caf%C3%A9?tag=x&tag=y&q=%20z"
    assert environ["HTTP_X_MULTI"] == "one, two"
    assert environ["HTTP_COOKIE"] == "a=1; b=2"
    assert environ["HTTP_ACCEPT"] == "text/plain"
    assert environ["CONTENT_TYPE"] == "application/json"
    assert environ["CONTENT_LENGTH"] == "8"
    assert "HTTP_TRANSFER_ENCODING" not in environ
    assert "HTTP_CONTENT_LENGTH" not in environ
    assert "HTTP_X_SPOOFED" not in environ
    assert environ["test.body"] == b'{"k": 1}'
    assert environ["SERVER_NAME"] == "localhost"
    assert environ["SERVER_PORT"] == "80"
    assert environ["wsgi.url_scheme"] == "http"
    assert environ["wsgi.version"] == (1, 0)
    assert httpadapter.plugin_context(environ) is PLUGIN_CONTEXT
    assert environ[httpadapter.WSGI_ENVIRON_KEY] is PLUGIN_CONTEXT
    assert [(m.status, m.body) for m in messages] == [(204, b"")]


async def test_empty_method_is_get_and_leading_slash_is_not_doubled() -> None:
    seen: list[Environ] = []
    await call(httpadapter.wsgi(capture_environ(seen)), resource_request("/already", method=""))
    assert seen[0]["REQUEST_METHOD"] == "GET"
    assert seen[0]["PATH_INFO"] == "/already"
    assert seen[0]["QUERY_STRING"] == ""
    assert seen[0]["CONTENT_LENGTH"] == "0"


def fixed_app(status: str, headers: list[tuple[str, str]], chunks: Iterable[bytes]) -> Any:
    """A WSGI app that answers with the given status, headers and body chunks."""

    def app(environ: Environ, start_response: StartResponse) -> Iterable[bytes]:
        start_response(status, headers)
        return chunks

    return app


async def test_response_headers_keep_repeats_and_use_go_canonical_names() -> None:
    headers = [
        ("content-type", "application/json"),
        ("Set-Cookie", "a=1; Path=/"),
        ("set-cookie", "b=2; HttpOnly"),
        ("x-request-id", "r1"),
    ]
    messages = await call(httpadapter.wsgi(fixed_app("201 Created", headers, [b"{}"])), resource_request("x"))
    assert len(messages) == 1
    assert messages[0].status == 201
    assert messages[0].headers == {
        "Content-Type": ["application/json"],
        "Set-Cookie": ["a=1; Path=/", "b=2; HttpOnly"],
        "X-Request-Id": ["r1"],
    }
    assert messages[0].body == b"{}"


async def test_response_header_bytes_survive_as_utf8_text() -> None:
    native = "attachment; filename=café".encode().decode("latin-1")
    app = fixed_app("200 OK", [("Content-Disposition", native)], [b""])
    messages = await call(httpadapter.wsgi(app), resource_request("x"))
    assert messages[0].headers["Content-Disposition"] == ["attachment; filename=café"]


async def test_empty_body_sends_one_message_with_status_and_headers() -> None:
    app = fixed_app("304 Not Modified", [("ETag", '"v1"')], [b"", b""])
    messages = await call(httpadapter.wsgi(app), resource_request("x"))
    assert messages == [CallResourceResponse(304, {"Etag": ['"v1"']}, b"")]


async def test_each_chunk_is_its_own_message_first_with_status_and_headers() -> None:
    chunks = [b"one", b"", b"two", b"three"]
    app = fixed_app("200 OK", [("Content-Type", "text/plain")], chunks)
    messages = await call(httpadapter.wsgi(app), resource_request("x"))
    assert messages == [
        CallResourceResponse(200, {"Content-Type": ["text/plain"]}, b"one"),
        CallResourceResponse(0, {}, b"two"),
        CallResourceResponse(0, {}, b"three"),
    ]


async def test_streamed_chunks_are_sent_before_the_next_is_produced() -> None:
    sender = ListSender()
    observed: list[int] = []

    def app(environ: Environ, start_response: StartResponse) -> Iterator[bytes]:
        start_response("200 OK", [("Content-Type", "text/event-stream")])
        for i in range(4):
            yield f"event {i}\n".encode()
            observed.append(len(sender.messages))

    httpadapter.wsgi(app).call_resource(resource_request("events"), sender)
    assert observed == [1, 2, 3, 4]
    assert b"".join(m.body for m in sender.messages) == b"event 0\nevent 1\nevent 2\nevent 3\n"


async def test_write_callable_sends_immediately() -> None:
    def app(environ: Environ, start_response: StartResponse) -> Iterable[bytes]:
        write = start_response("200 OK", [])
        write(b"legacy ")
        return [b"iterable"]

    messages = await call(httpadapter.wsgi(app), resource_request("x"))
    assert [(m.status, m.body) for m in messages] == [(200, b"legacy "), (0, b"iterable")]


async def test_binary_body_round_trips_unchanged() -> None:
    payload = bytes(range(256)) * 4

    def app(environ: Environ, start_response: StartResponse) -> Iterable[bytes]:
        start_response("200 OK", [("Content-Type", "application/octet-stream")])
        return [environ["wsgi.input"].read()]

    messages = await call(httpadapter.wsgi(app), resource_request("blob", "PUT", body=payload))
    assert messages[0].body == payload


async def test_result_close_is_called() -> None:
    closed: list[bool] = []

    class Body:
        def __iter__(self) -> Iterator[bytes]:
            yield b"x"

        def close(self) -> None:
            closed.append(True)

    def app(environ: Environ, start_response: StartResponse) -> Iterable[bytes]:
        start_response("200 OK", [])
        return Body()

    await call(httpadapter.wsgi(app), resource_request("x"))
    assert closed == [True]


def assert_json_500(messages: list[CallResourceResponse]) -> None:
    assert len(messages) == 1
    assert messages[0].status == 500
    assert messages[0].headers == {"Content-Type": ["application/json"]}
    assert orjson.loads(messages[0].body) == {"message": "Internal Server Error"}


async def test_exception_before_response_is_a_json_500_and_logged(caplog: pytest.LogCaptureFixture) -> None:
    def app(environ: Environ, start_response: StartResponse) -> Iterable[bytes]:
        raise KeyError("secret-token-123")

    handler = httpadapter.wsgi(app)
    with caplog.at_level(logging.ERROR, logger="grafana_plugin_sdk.httpadapter"):
        messages = await call(handler, resource_request("x"))
    assert_json_500(messages)
    assert b"secret-token-123" not in messages[0].body
    assert caplog.records[0].exc_info is not None
    assert "secret-token-123" in caplog.text  # the traceback goes to the log, not the client


async def test_handler_keeps_serving_after_an_exception() -> None:
    def app(environ: Environ, start_response: StartResponse) -> Iterable[bytes]:
        if environ["PATH_INFO"] == "/fail":
            raise RuntimeError("boom")
        start_response("200 OK", [])
        return [b"fine"]

    handler = httpadapter.wsgi(app)
    assert_json_500(await call(handler, resource_request("fail")))
    assert (await call(handler, resource_request("ok")))[0].body == b"fine"


@pytest.mark.parametrize("status", ["abc", "20 OK", "600 Too Big", ""])
async def test_invalid_status_line_is_a_500(status: str) -> None:
    assert_json_500(await call(httpadapter.wsgi(fixed_app(status, [], [b"x"])), resource_request("x")))


async def test_body_without_start_response_is_a_500() -> None:
    def app(environ: Environ, start_response: StartResponse) -> Iterable[bytes]:
        return [b"no status"]

    assert_json_500(await call(httpadapter.wsgi(app), resource_request("x")))


async def test_start_response_with_exc_info_replaces_unsent_headers() -> None:
    def app(environ: Environ, start_response: StartResponse) -> Iterable[bytes]:
        start_response("200 OK", [("X-First", "1")])
        try:
            raise ValueError("bad")
        except ValueError as exc:
            start_response("400 Bad Request", [("X-Second", "2")], (type(exc), exc, exc.__traceback__))
        return [b"replaced"]

    messages = await call(httpadapter.wsgi(app), resource_request("x"))
    assert messages == [CallResourceResponse(400, {"X-Second": ["2"]}, b"replaced")]


async def test_exception_mid_stream_is_logged_and_raised(caplog: pytest.LogCaptureFixture) -> None:
    def app(environ: Environ, start_response: StartResponse) -> Iterator[bytes]:
        start_response("200 OK", [])
        yield b"partial"
        raise RuntimeError("stream broke")

    sender = ListSender()
    with caplog.at_level(logging.ERROR, logger="grafana_plugin_sdk.httpadapter"), pytest.raises(RuntimeError):
        httpadapter.wsgi(app).call_resource(resource_request("x"), sender)
    assert [m.body for m in sender.messages] == [b"partial"]
    assert "stream broke" in caplog.text


async def test_exception_in_close_after_complete_body_only_logs(caplog: pytest.LogCaptureFixture) -> None:
    class Body:
        def __iter__(self) -> Iterator[bytes]:
            yield b"whole"

        def close(self) -> None:
            raise OSError("cleanup failed")

    def app(environ: Environ, start_response: StartResponse) -> Iterable[bytes]:
        start_response("200 OK", [])
        return Body()

    with caplog.at_level(logging.ERROR, logger="grafana_plugin_sdk.httpadapter"):
        messages = await call(httpadapter.wsgi(app), resource_request("x"))
    assert [(m.status, m.body) for m in messages] == [(200, b"whole")]
    assert "cleanup failed" in caplog.text
