"""HTTP failures in a handler are downstream errors in query responses; clients close with their instance."""

from __future__ import annotations

import asyncio
import socket
import time
from collections.abc import Iterator
from datetime import UTC, datetime

import httpx
import pytest

from grafana_plugin_sdk.backend import (
    DataResponse,
    DataSourceInstanceSettings,
    ErrorSource,
    QueryDataRequest,
    QueryDataResponse,
)
from grafana_plugin_sdk.data import Frame
from grafana_plugin_sdk.datasource import InstanceManager
from grafana_plugin_sdk.httpclient import new_async_client
from grafana_plugin_sdk.testing import data_source_settings, in_process, make_plugin_context
from grafana_plugin_sdk.testing.upstream import RecordedRequest, Reply, Upstream


class ApiDataSource:
    """Each query names a path on the data source's URL; the answer's ``value`` becomes a frame."""

    def __init__(self, settings: DataSourceInstanceSettings) -> None:
        self.client = new_async_client(settings)

    async def query_data(self, request: QueryDataRequest) -> QueryDataResponse:
        answer = QueryDataResponse()
        for query in request.queries:
            response = await self.client.get(query.model["path"])
            response.raise_for_status()
            answer[query.ref_id] = DataResponse([Frame.from_records([{"value": response.json()["value"]}])])
        return answer


def _slow(_: RecordedRequest) -> Reply:
    time.sleep(1.5)
    return Reply.json({"value": 1})


@pytest.fixture
def upstream() -> Iterator[Upstream]:
    routes = {
        "/ok": lambda _: Reply.json({"value": 7}),
        "/unavailable": lambda _: Reply.json({"message": "down"}, 503),
        "/slow": _slow,
    }
    with Upstream(routes) as server:
        yield server


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


@pytest.mark.parametrize(
    ("path", "status", "message"),
    [("/unavailable", 503, "503 Service Unavailable"), ("/slow", 504, "ReadTimeout")],
)
def test_upstream_failures_are_downstream_errors(upstream: Upstream, path: str, status: int, message: str) -> None:
    settings = data_source_settings(url=upstream.url, json_data={"timeout": 1})
    with in_process(factory=ApiDataSource, settings=settings) as plugin:
        ok = plugin.query({"path": "/ok"})["A"]
        assert ok.error is None and ok.frames[0].field("value").to_pylist() == [7]
        failed = plugin.query({"path": path})["A"]
    assert (failed.status, failed.error_source) == (status, ErrorSource.DOWNSTREAM)
    assert message in (failed.error or "")


def test_a_refused_connection_is_a_downstream_502() -> None:
    settings = data_source_settings(url=f"http://127.0.0.1:{_free_port()}")
    with in_process(factory=ApiDataSource, settings=settings) as plugin:
        failed = plugin.query({"path": "/ok"})["A"]
    assert (failed.status, failed.error_source) == (502, ErrorSource.DOWNSTREAM)
    assert (failed.error or "").startswith("ConnectError")


async def test_clients_close_when_their_instance_is_disposed(upstream: Upstream) -> None:
    built: list[ApiDataSource] = []

    def factory(settings: DataSourceInstanceSettings) -> ApiDataSource:
        built.append(ApiDataSource(settings))
        return built[-1]

    manager = InstanceManager(factory, dispose_delay=0)
    first = data_source_settings(url=upstream.url)
    async with manager.instance(make_plugin_context("p", first)):
        pass
    second = data_source_settings(url=upstream.url, updated=datetime(2025, 1, 1, tzinfo=UTC))
    async with manager.instance(make_plugin_context("p", second)) as instance:
        assert instance is built[1]
        for _ in range(50):
            if built[0].client.is_closed:
                break
            await asyncio.sleep(0.02)
    assert built[0].client.is_closed and not built[1].client.is_closed
    with pytest.raises(RuntimeError):
        await built[0].client.get("/ok")
    assert (await built[1].client.get("/ok")).status_code == 200
    await built[1].client.aclose()
    assert isinstance(built[1].client, httpx.AsyncClient)


def test_a_query_forwards_the_callers_identity_through_the_served_plugin(upstream: Upstream) -> None:
    settings = data_source_settings(url=upstream.url, json_data={"oauthPassThru": True})
    headers = {"Authorization": "Bearer abc", "http_X-Panel-Id": "4", "X-Unrelated": "no"}
    with in_process(factory=ApiDataSource, settings=settings) as plugin:
        assert plugin.query({"path": "/ok"}, headers=headers)["A"].error is None
    (seen,) = upstream.requests
    assert seen.headers["authorization"] == "Bearer abc" and seen.headers["x-panel-id"] == "4"
    assert "x-unrelated" not in seen.headers
    assert QueryDataRequest(make_plugin_context(), [], headers).http_headers == {
        "Authorization": "Bearer abc",
        "X-Panel-Id": "4",
    }
