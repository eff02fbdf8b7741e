"""In-process depth: calls go through the server's services and a protobuf round trip, with no process."""

from __future__ import annotations

from collections.abc import Iterator

import pytest

from grafana_plugin_sdk.backend import ErrorSource, FrameFormat, HealthStatus
from grafana_plugin_sdk.client import FetchError
from grafana_plugin_sdk.data import FieldType
from grafana_plugin_sdk.testing import (
    PluginCallError,
    PluginTestClient,
    assert_frames_equal,
    async_in_process,
    data_source_settings,
    in_process,
)
from tests.sdk.testing.handlers import T0, EchoDataSource, HealthOnly


@pytest.fixture
def echo() -> Iterator[PluginTestClient]:
    with in_process(EchoDataSource(), plugin_id="echo-datasource") as client:
        yield client


def test_query_round_trips_frames_through_arrow(echo: PluginTestClient) -> None:
    resp = echo.query({"values": [1.5, None, 3.0]}, {"values": [7.0]})
    assert sorted(resp) == ["A", "B"]
    (frame,) = resp["A"].frames
    assert frame.ref_id == "A", "refId is set by the server's encoding, so the round trip happened"
    assert [f.type for f in frame.fields] == [FieldType.TIME, FieldType.FLOAT64]
    assert frame.field("value").to_pylist() == [1.5, None, 3.0]
    assert frame.field("time").to_pylist()[0] == T0
    assert resp["B"].frames[0].field("value").to_pylist() == [7.0]


def test_query_in_json_format_decodes_to_the_same_frames(echo: PluginTestClient) -> None:
    model = {"values": [0.25, None, -1e300]}
    as_json = echo.query(model, format=FrameFormat.JSON)["A"].frames
    assert as_json[0].field("value").to_pylist() == [0.25, None, -1e300]
    assert_frames_equal(as_json, echo.query(model)["A"].frames, check_ref_id=True)


def test_handler_exception_becomes_per_ref_id_error(echo: PluginTestClient) -> None:
    resp = echo.query({"fail": True}, {"values": [1.0]})
    assert [(r.error, r.status, r.error_source) for r in resp.responses.values()] == 2 * [
        ("RuntimeError: boom", 500, ErrorSource.PLUGIN)
    ]
    downstream = echo.query({"downstream": True})["A"]
    assert (downstream.error, downstream.status, downstream.error_source) == (
        "upstream said no",
        502,
        ErrorSource.DOWNSTREAM,
    )


def test_health_and_settings_from_the_context() -> None:
    settings = data_source_settings(json_data={"broken": True})
    with in_process(EchoDataSource(), settings=settings) as client:
        result = client.check_health()
    assert (result.status, result.message) == (HealthStatus.ERROR, "configured to be broken")


def test_factory_builds_one_instance_from_the_settings() -> None:
    settings = data_source_settings(name="Mine", secure_json_data={"token": "abcd"})
    with in_process(factory=EchoDataSource, settings=settings) as client:
        assert client.query({})["A"].frames[0].name == "Mine"
        assert client.check_health().details == {"tokenLength": 4}


def test_resources_join_streamed_messages_and_raise_fetch_errors(echo: PluginTestClient) -> None:
    response = echo.resource("GET", "chunks")
    assert (response.status, response.text, response.header("Content-Type")) == (200, "one,two,three", "text/plain")
    echoed = echo.post_resource("echo", {"state": "on"})
    assert echoed == {"method": "POST", "url": "echo", "body": '{"state":"on"}', "user": "admin"}
    assert echo.get_resource("/echo", {"q": ["a", "b"]})["url"] == "echo?q=a&q=b"
    with pytest.raises(FetchError) as info:
        echo.get_resource("missing")
    assert (info.value.status, info.value.message, info.value.handled) == (404, "no resource missing", False)
    assert info.value.data == {"message": "no resource missing"}


def test_resource_handler_error_is_a_grpc_error(echo: PluginTestClient) -> None:
    with pytest.raises(PluginCallError) as info:
        echo.resource("GET", "raise")
    assert info.value.code == "UNKNOWN" and "resource exploded" in info.value.message


def test_missing_methods_answer_unimplemented() -> None:
    with in_process(HealthOnly()) as client:
        with pytest.raises(PluginCallError) as info:
            client.query({})
        assert info.value.code == "UNIMPLEMENTED"
        with pytest.raises(PluginCallError) as failed:
            client.check_health()
        assert failed.value.code == "UNKNOWN" and "cannot check" in failed.value.message


def test_exactly_one_of_handler_or_factory() -> None:
    with pytest.raises(TypeError):
        in_process()
    with pytest.raises(TypeError):
        in_process(EchoDataSource(), factory=EchoDataSource)


async def test_async_client() -> None:
    async with async_in_process(EchoDataSource(), plugin_id="echo-datasource") as client:
        resp = await client.query({"values": [4.0]})
        assert resp["A"].frames[0].field("value").to_pylist() == [4.0]
        assert (await client.check_health()).status is HealthStatus.OK
        assert client.logs() == []


def test_fixture_closes_clients(plugin_in_process) -> None:  # type: ignore[no-untyped-def]
    client = plugin_in_process(EchoDataSource())
    assert client.check_health().message == "echo is working"


def test_closed_client_refuses_calls() -> None:
    client = in_process(EchoDataSource()).start()
    client.close()
    client.close()
    assert client.check_health().status is HealthStatus.OK, "a closed client starts a new loop on demand"
    client.close()
