"""Item 2: request line, header count and header bytes are limited in the server (431), before authentication."""

from __future__ import annotations

import socket
import threading
import time

from tests.hostile.conftest import ADMIN, Env, basic, raw_request, status_of


def _get(path: str, headers: str = "") -> bytes:
    return f"GET {path} HTTP/1.1\r\nHost: x\r\n{headers}\r\n".encode()


def test_an_8_mib_header_is_refused_with_431(env: Env) -> None:
    answer = raw_request(env.port, _get("/api/health", "X-Junk: " + "a" * (8 << 20) + "\r\n"))
    assert status_of(answer) == 431
    assert b"Request Header Fields Too Large" in answer


def test_too_many_headers_and_a_too_long_request_line_are_431(env: Env) -> None:
    many = "".join(f"X-H{i}: v\r\n" for i in range(101))
    assert status_of(raw_request(env.port, _get("/api/health", many))) == 431
    assert status_of(raw_request(env.port, _get("/api/health?q=" + "a" * (65 << 10)))) == 431
    assert status_of(raw_request(env.port, _get("/api/health", "".join(f"X-H{i}: v\r\n" for i in range(90))))) == 200


def test_huge_authorization_headers_do_not_stall_the_host(env: Env) -> None:
    statuses: list[int] = []

    def attack() -> None:
        statuses.append(
            status_of(raw_request(env.port, _get("/api/ds/query", "Authorization: Basic " + "A" * (32 << 20) + "\r\n")))
        )

    threads = [threading.Thread(target=attack) for _ in range(4)]
    started = time.monotonic()
    for thread in threads:
        thread.start()
    health = raw_request(env.port, _get("/api/health"), timeout=5)
    health_seconds = time.monotonic() - started
    for thread in threads:
        thread.join(30)
    assert statuses == [431] * 4
    assert status_of(health) == 200 and health_seconds < 5


def test_a_chunked_body_over_the_limit_is_413_on_an_ordinary_route(env: Env) -> None:
    chunk = b"a" * 16384
    body = b"".join(b"4000\r\n" + chunk + b"\r\n" for _ in range(6)) + b"0\r\n\r\n"  # 96 KiB > 64 KiB limit
    head = (
        f"POST /api/datasources HTTP/1.1\r\nHost: x\r\nAuthorization: {basic(ADMIN)}\r\n"
        "Content-Type: application/json\r\nTransfer-Encoding: chunked\r\n\r\n"
    ).encode()
    assert status_of(raw_request(env.port, head + body)) == 413


def test_a_head_sent_too_slowly_is_408_and_closed(env: Env) -> None:
    started = time.monotonic()
    with socket.create_connection(("127.0.0.1", env.port), timeout=10) as sock:
        sock.sendall(b"GET /api/health HTTP/1.1\r\nHost: x\r\nX-Slow: ")
        for _ in range(3):  # a byte now and then does not extend the time
            time.sleep(0.5)
            sock.sendall(b"a")
        answer = b""
        while chunk := sock.recv(4096):
            answer += chunk
    assert status_of(answer) == 408 and 1.5 < time.monotonic() - started < 8  # [server] read_header_timeout = 2
