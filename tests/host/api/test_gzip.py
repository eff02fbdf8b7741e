"""``[server] enable_gzip``: the API's answers compressed for clients that accept gzip, only when enabled."""

from __future__ import annotations

import gzip
from collections.abc import Callable
from pathlib import Path

import httpx
import orjson

from .conftest import HostProcess, host_ini

ADMIN = ("admin", "admin")


def _raw(host: HostProcess, path: str, encoding: str) -> tuple[httpx.Headers, bytes]:
    """The answer's headers and body as sent (the raw stream: httpx decodes nothing)."""
    with (
        httpx.Client(base_url=host.url, auth=ADMIN, timeout=30) as client,
        client.stream("GET", path, headers={"Accept-Encoding": encoding}) as response,
    ):
        assert response.status_code == 200
        return response.headers, b"".join(response.iter_raw())


def _fill(host: HostProcess, count: int) -> None:
    with httpx.Client(base_url=host.url, auth=ADMIN, timeout=30) as client:
        for n in range(count):
            made = client.post("/api/datasources", json={"name": f"ds-{n}", "type": "prometheus", "access": "proxy"})
            assert made.status_code == 200, made.text


def test_gzip_when_enabled_and_accepted(spawn: Callable[..., HostProcess], database_url: str, tmp_path: Path) -> None:
    host = spawn(
        tmp_path, host_ini(database_url, tmp_path / "data", "").replace("[server]\n", "[server]\nenable_gzip = true\n")
    )
    host.start()
    _fill(host, 20)
    plain_headers, body = _raw(host, "/api/datasources", "identity")
    headers, packed = _raw(host, "/api/datasources", "gzip, br")
    assert "content-encoding" not in plain_headers
    assert headers["content-encoding"] == "gzip" and headers["vary"] == "Accept-Encoding"
    assert gzip.decompress(packed) == body and len(packed) < len(body) / 3
    assert len(orjson.loads(body)) == 20
    one_headers, one = _raw(host, "/api/datasources/name/ds-1", "gzip")  # under 1 KiB: sent as it is
    assert "content-encoding" not in one_headers and orjson.loads(one)["name"] == "ds-1"


def test_no_gzip_by_default(spawn: Callable[..., HostProcess], database_url: str, tmp_path: Path) -> None:
    host = spawn(tmp_path, host_ini(database_url, tmp_path / "data"))
    host.start()
    _fill(host, 20)
    headers, body = _raw(host, "/api/datasources", "gzip")
    assert "content-encoding" not in headers and len(orjson.loads(body)) == 20
