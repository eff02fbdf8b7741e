"""The hostile-input suite: one real host process (plugins, upstream, users) shared by a test module.

The host runs with a backend plugin (``fwd_plugin.py``), a frontend-only data source plugin whose plugin.json
``routes`` carry secrets and roles, and a recording upstream HTTP server on loopback. Raw-socket helpers send
what an HTTP client library would refuse or normalise (dot segments, huge heads, malformed chunked bodies).
"""

from __future__ import annotations

import contextlib
import json
import socket
import threading
from collections.abc import Iterator
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any

import httpx
import orjson
import pytest

from tests.host.api.conftest import HostProcess, host_ini
from tests.host.forward.conftest import write_test_plugin

BACKEND = "fwd-a-datasource"
ROUTED = "hostile-routes-datasource"
ADMIN = ("admin", "admin")
VIEWER = ("viewer", "viewer-password-1")
OUTSIDER = ("outsider", "outsider-password-1")
#: Secrets stored in data sources; no response body may ever contain one.
SECRETS = ("route-secret-7f3a", "basic-secret-91c2", "header-secret-55d0", "metrics-secret-3b1e")


@dataclass
class Upstream:
    """A loopback HTTP server that records every request it receives (path as sent, headers, body size)."""

    url: str
    requests: list[dict[str, Any]] = field(default_factory=list)

    def last(self) -> dict[str, Any]:
        """The most recent request."""
        return self.requests[-1]


def _upstream() -> tuple[ThreadingHTTPServer, Upstream]:
    record = Upstream("")

    class Handler(BaseHTTPRequestHandler):
        def _answer(self) -> None:
            length = int(self.headers.get("content-length") or 0)
            body = self.rfile.read(length) if length else b""
            if self.headers.get("transfer-encoding", "").lower() == "chunked":
                body = _read_chunked(self.rfile)
            record.requests.append(
                {"method": self.command, "path": self.path, "headers": dict(self.headers.items()), "size": len(body)}
            )
            payload = json.dumps({"path": self.path}).encode()
            self.send_response(200)
            self.send_header("content-type", "application/json")
            self.send_header("content-length", str(len(payload)))
            self.end_headers()
            if self.command != "HEAD":
                self.wfile.write(payload)

        do_GET = do_HEAD = do_POST = do_PUT = do_PATCH = do_DELETE = do_OPTIONS = _answer

        def log_message(self, format: str, *args: Any) -> None:
            return

    server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    server.daemon_threads = True
    record.url = f"http://127.0.0.1:{server.server_address[1]}"
    threading.Thread(target=server.serve_forever, daemon=True).start()
    return server, record


def _read_chunked(stream: Any) -> bytes:
    chunks: list[bytes] = []
    while True:
        line = stream.readline()
        if not line:
            return b"".join(chunks)
        size = int(line.split(b";")[0].strip() or b"0", 16)
        if size == 0:
            stream.readline()
            return b"".join(chunks)
        chunks.append(stream.read(size))
        stream.readline()


@dataclass
class Env:
    """The running host, its upstream and the data sources and users made for the suite."""

    host: HostProcess
    upstream: Upstream
    routed_uid: str
    routed_id: int
    backend_uid: str
    leaky_uid: str
    tmp: Path

    def client(self, auth: tuple[str, str] | None = ADMIN, **kwargs: Any) -> httpx.Client:
        """An HTTP client for the host."""
        return httpx.Client(base_url=self.host.url, auth=auth, timeout=30, **kwargs)

    @property
    def port(self) -> int:
        """The host's TCP port."""
        return int(self.host.url.rsplit(":", 1)[1].rstrip("/"))


def raw_request(port: int, data: bytes, *, timeout: float = 20.0) -> bytes:
    """Send ``data`` as is on a fresh connection; everything the server answers until it closes or goes idle."""
    with socket.create_connection(("127.0.0.1", port), timeout=timeout) as sock:
        with contextlib.suppress(BrokenPipeError, ConnectionResetError):
            sock.sendall(data)
        answer = b""
        try:
            while chunk := sock.recv(65536):
                answer += chunk
                if b"\r\n\r\n" in answer and _complete(answer):
                    break
        except (TimeoutError, ConnectionResetError):
            pass
        return answer


def _complete(answer: bytes) -> bool:
    head, _, body = answer.partition(b"\r\n\r\n")
    for line in head.split(b"\r\n"):
        if line.lower().startswith(b"content-length:"):
            return len(body) >= int(line.split(b":", 1)[1])
    return b"transfer-encoding: chunked" not in head.lower() or body.endswith(b"0\r\n\r\n")


def status_of(answer: bytes) -> int:
    """The status code of a raw HTTP answer (0 when there is none)."""
    parts = answer.split(b" ", 2)
    return int(parts[1]) if len(parts) > 1 and parts[1].isdigit() else 0


def basic(auth: tuple[str, str]) -> str:
    """A Basic Authorization header value."""
    import base64

    return "Basic " + base64.b64encode(f"{auth[0]}:{auth[1]}".encode()).decode()


def write_routes_plugin(root: Path) -> None:
    """A frontend-only data source plugin whose routes carry a secret header and an Admin-only route."""
    folder = root / ROUTED
    folder.mkdir(parents=True)
    routes = [
        {"path": "public", "url": "{{.JsonData.base}}/public"},
        {
            "path": "admin",
            "url": "{{.JsonData.base}}/admin",
            "reqRole": "Admin",
            "headers": [{"name": "X-Route-Secret", "content": "{{.SecureJsonData.routeKey}}"}],
        },
        {"path": "leaky", "url": "{{.JsonData.missing}}/x?key={{.SecureJsonData.routeKey}}"},
    ]
    manifest = {"id": ROUTED, "type": "datasource", "name": ROUTED, "info": {"version": "1.0.0"}, "routes": routes}
    (folder / "plugin.json").write_bytes(orjson.dumps(manifest))


#: Settings of the suite's host beyond the test defaults: short deadlines so the cases run in seconds, and room
#: for a single large answer waiting for one of the two large-answer slots.
SERVER_INI = (
    "write_stall_timeout = 2\nmax_concurrent_large_responses = 2\nlarge_response_queue_bytes = 1\n"
    "read_header_timeout = 2\n"
)
METRICS = ("prom", "metrics-secret-3b1e")


def start_env(tmp: Path, database_url: str = "", extra_ini: str = "") -> Iterator[Env]:
    """Start the suite's host and upstream and create its data sources and users; stop both afterwards."""
    plugins = tmp / "data" / "no-plugins"
    write_test_plugin(plugins, BACKEND)
    write_routes_plugin(plugins)
    server, upstream = _upstream()
    ini = host_ini(database_url or f"sqlite:///{tmp / 'data' / 'grafana.db'}", tmp / "data", extra_ini)
    ini = ini.replace("[server]\n", "[server]\n" + SERVER_INI)
    ini = ini.replace(
        "[paths]",
        f"[plugins]\nallow_loading_unsigned_plugins = {BACKEND},{ROUTED}\ncall_timeout = 3\n"
        f"[metrics]\nbasic_auth_username = {METRICS[0]}\nbasic_auth_password = {METRICS[1]}\n[paths]",
    )
    host = HostProcess(tmp, ini + "[security]\nsecret_key = hostile-suite\n")
    host.start()
    try:
        with httpx.Client(base_url=host.url, auth=ADMIN, timeout=30) as admin:
            routed = _create(admin, "routed", ROUTED, upstream.url + "/base", {"base": upstream.url + "/base"})
            backend = _create(admin, "backend", BACKEND, upstream.url, {})
            leaky = _create(admin, "leaky", ROUTED, upstream.url + "/base", {})
            for login, password in (VIEWER, OUTSIDER):
                made = admin.post("/api/admin/users", json={"login": login, "password": password})
                assert made.status_code == 200, made.text
            removed = admin.delete(f"/api/org/users/{made.json()['id']}")
            assert removed.status_code == 200, removed.text
        yield Env(host, upstream, routed["uid"], routed["id"], backend["uid"], leaky["uid"], tmp)
    finally:
        host.stop()
        server.shutdown()
        server.server_close()


def _create(client: httpx.Client, name: str, type_: str, url: str, json_data: dict[str, Any]) -> dict[str, Any]:
    body = {
        "name": name,
        "type": type_,
        "access": "proxy",
        "url": url,
        "basicAuth": True,
        "basicAuthUser": "svc",
        "jsonData": {**json_data, "httpHeaderName1": "X-Ds-Secret"},
        "secureJsonData": {
            "routeKey": SECRETS[0],
            "basicAuthPassword": SECRETS[1],
            "httpHeaderValue1": SECRETS[2],
        },
    }
    response = client.post("/api/datasources", json=body)
    assert response.status_code == 200, response.text
    created: dict[str, Any] = response.json()["datasource"]
    return created


@pytest.fixture(scope="session")
def env(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Env]:
    """The suite's running host on SQLite, shared by every test of the suite."""
    yield from start_env(tmp_path_factory.mktemp("hostile"))


def assert_clean(response: httpx.Response) -> None:
    """No 5xx, no stored secret, no stack trace in the answer."""
    assert response.status_code < 500, (response.status_code, response.text)
    text = response.text
    for secret in SECRETS:
        assert secret not in text
    assert "Traceback" not in text and 'File "' not in text
