"""datasource.manage: one instance per data source, refreshed on new settings, disposed later and never in use."""

from __future__ import annotations

import time
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path
from typing import Any

import grpc
import pytest

from grafana_plugin_sdk.wire.genproto import backend_pb2 as pb
from grafana_plugin_sdk.wire.genproto import backend_pb2_grpc as pb_grpc

DataStub: Any = pb_grpc.DataStub
DiagnosticsStub: Any = pb_grpc.DiagnosticsStub
ResourceStub: Any = pb_grpc.ResourceStub


class Instances:
    """The plugin process and what its instances recorded."""

    def __init__(self, plugin: Any, log: Path, make_context: Callable[..., pb.PluginContext]) -> None:
        self.plugin = plugin
        self.log = log
        self.make_context = make_context
        self.diagnostics = DiagnosticsStub(plugin.channel)
        self.data = DataStub(plugin.channel)

    def events(self) -> list[str]:
        return [line.split(" ", 1)[1] for line in self.log.read_text().splitlines()] if self.log.exists() else []

    def health(self, **context: Any) -> Any:
        request = pb.CheckHealthRequest(pluginContext=self.make_context(**context))
        return self.diagnostics.CheckHealth(request, timeout=10)


@pytest.fixture
def instances(launch: Callable[..., Any], workdir: Path, make_context: Any) -> Instances:
    log = workdir / "instances.log"
    plugin = launch("instances_plugin.py", {"INSTANCE_LOG": str(log), "DISPOSE_DELAY": "0.5"})
    return Instances(plugin, log, make_context)


def test_one_instance_per_data_source_reused_while_settings_stay(instances: Instances) -> None:
    assert instances.health().message == "instance 1"
    assert instances.health().message == "instance 1"
    assert instances.health(ds_id=2, uid="other").message == "instance 2"
    assert instances.health().message == "instance 1"
    assert instances.events() == ["create 1 ds-uid", "create 2 other"]


def test_new_last_updated_builds_a_new_instance_and_disposes_the_old_one_later(instances: Instances) -> None:
    assert instances.health(updated_ms=1000).message == "instance 1"
    assert instances.health(updated_ms=2000).message == "instance 2"
    replaced_at = time.time()
    assert instances.events() == ["create 1 ds-uid", "create 2 ds-uid"]
    time.sleep(1.2)
    lines = instances.log.read_text().splitlines()
    assert lines[-1].endswith("dispose 1")
    assert float(lines[-1].split()[0]) >= replaced_at + 0.4  # the delay, not at once
    assert instances.health(updated_ms=2000).message == "instance 2"


def test_grafana_config_change_builds_a_new_instance(instances: Instances, make_context: Any) -> None:
    assert instances.health().message == "instance 1"
    ctx = make_context()
    ctx.grafanaConfig["GF_SQL_ROW_LIMIT"] = "5"
    assert instances.diagnostics.CheckHealth(pb.CheckHealthRequest(pluginContext=ctx)).message == "instance 2"


def test_an_instance_in_use_is_not_disposed_until_its_calls_finish(instances: Instances, make_query: Any) -> None:
    slow_request = pb.QueryDataRequest(pluginContext=instances.make_context(), queries=[make_query("A", seconds=2)])
    slow = instances.data.QueryData.future(slow_request, timeout=10)
    time.sleep(0.3)
    assert instances.health(updated_ms=5000).message == "instance 2"
    time.sleep(1.0)  # well past the 0.5 s delay
    assert "dispose 1" not in instances.events()
    assert slow.result().responses["A"].status == 201  # answered by instance 1 to the end
    time.sleep(0.3)
    assert instances.events()[-1] == "dispose 1"


def test_concurrent_first_calls_build_one_instance(instances: Instances) -> None:
    with ThreadPoolExecutor(8) as pool:
        messages = list(pool.map(lambda _: instances.health(uid="fresh").message, range(16)))
    assert set(messages) == {"instance 1"}
    assert instances.events() == ["create 1 fresh"]


def test_factory_error_makes_health_error_and_queries_fail_per_ref_id(instances: Instances, make_query: Any) -> None:
    bad = {"json_data": b'{"fail": true}'}
    health = instances.health(**bad)
    assert (health.status, health.message) == (pb.CheckHealthResponse.ERROR, "bad settings: the URL is missing")
    request = pb.QueryDataRequest(
        pluginContext=instances.make_context(**bad), queries=[make_query("A"), make_query("B")]
    )
    reply = instances.data.QueryData(request, timeout=10)
    for ref_id in "AB":
        response = reply.responses[ref_id]
        assert (response.status, response.errorSource) == (500, "plugin")
        assert response.error == "ValueError: bad settings: the URL is missing"
    assert instances.health(updated_ms=9000).message == "instance 1"  # fixed settings work at once


def test_a_method_the_instance_lacks_is_unimplemented(instances: Instances) -> None:
    resource = ResourceStub(instances.plugin.channel)
    with pytest.raises(grpc.RpcError) as err:
        list(resource.CallResource(pb.CallResourceRequest(pluginContext=instances.make_context(), path="x")))
    assert err.value.code() == grpc.StatusCode.UNIMPLEMENTED
    assert err.value.details() == "the data source instance does not implement call_resource"
