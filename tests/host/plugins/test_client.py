"""A good plugin in a real subprocess answers every call through PluginManager and PluginClient."""

from __future__ import annotations

import asyncio
import base64
from collections.abc import Awaitable, Callable
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import orjson
import pytest

from grafana_plugin_host.errors import (
    MethodNotImplementedError,
    PluginCallError,
    PluginNotFoundError,
    PluginUnavailableError,
)
from grafana_plugin_host.models import DataSource, Identity, OrgRole
from grafana_plugin_host.plugins import PluginClient, PluginManager, build_plugin_context
from grafana_plugin_sdk.backend import (
    CallResourceRequest,
    CallResourceResponse,
    CheckHealthRequest,
    CollectMetricsRequest,
    DataQuery,
    HealthStatus,
    PluginContext,
    QueryDataRequest,
    TimeRange,
)
from grafana_plugin_sdk.wire.platform import GRAFANA_VERSION

MakePlugin = Callable[..., Path]
StartManager = Callable[..., Awaitable[PluginManager]]
RANGE = TimeRange(datetime(2024, 1, 1, tzinfo=UTC), datetime(2024, 1, 2, tzinfo=UTC))
CTX = PluginContext(org_id=1, plugin_id="good")


def query(ref_id: str, **model: Any) -> DataQuery:
    return DataQuery(ref_id=ref_id, time_range=RANGE, json=orjson.dumps(model))


async def resource(client: PluginClient, path: str, ctx: PluginContext = CTX, **kw: Any) -> list[CallResourceResponse]:
    return [msg async for msg in client.call_resource(CallResourceRequest(ctx, path=path, **kw))]


async def test_every_call(make_plugin: MakePlugin, start_manager: StartManager) -> None:
    make_plugin("good")
    manager = await start_manager()
    client = manager.client("good")

    result = await client.check_health(CheckHealthRequest(CTX, headers={"X-Test": "1"}))
    assert (result.status, result.message) == (HealthStatus.OK, "ok")
    assert result.details is not None and result.details["headers"] == {"X-Test": "1"}

    metrics = await client.collect_metrics(CollectMetricsRequest(CTX))
    assert b"fake_up 1" in metrics.prometheus

    answer = await client.query_data(QueryDataRequest(CTX, [query("A"), query("B", hello="world")]))
    assert sorted(answer.responses) == ["A", "B"]
    assert answer["A"].status == 200 and answer["A"].frames == []
    assert orjson.loads(answer["B"].error or "") == {"hello": "world"}

    [reply] = await resource(client, "echo", method="POST", url="echo?x=1", body=b"payload")
    assert reply.status == 200 and reply.headers["Content-Type"] == ["application/json"]
    assert orjson.loads(reply.body) == {"method": "POST", "url": "echo?x=1", "body": "payload"}


async def test_large_arrow_frames(make_plugin: MakePlugin, start_manager: StartManager) -> None:
    make_plugin("good")
    manager = await start_manager()
    rows = 1_000_000  # 8 MB of float64: over gRPC's default 4 MiB receive limit, decoded in a thread
    answer = await manager.client("good").query_data(
        QueryDataRequest(CTX, [query("A", action="frame", rows=rows), query("B", action="frame", rows=3)])
    )
    [big] = answer["A"].frames
    assert (big.name, big.ref_id, big.rows) == ("numbers", "A", rows)
    column = big.field("value").to_numpy()
    assert column[0] == 0.0 and column[-1] == rows - 1 and column.sum() == rows * (rows - 1) / 2
    assert answer["B"].frames[0].field("value").to_numpy().tolist() == [0.0, 1.0, 2.0]


async def test_call_resource_streams_messages_as_sent(make_plugin: MakePlugin, start_manager: StartManager) -> None:
    make_plugin("good")
    manager = await start_manager()
    arrivals: list[tuple[float, CallResourceResponse]] = []
    loop = asyncio.get_running_loop()
    async for msg in manager.client("good").call_resource(CallResourceRequest(CTX, path="stream")):
        arrivals.append((loop.time(), msg))
    messages = [m for _, m in arrivals]
    assert messages[0].status == 201 and messages[0].headers == {"X-Chunks": ["3"]}
    assert b"".join(m.body for m in messages) == b"chunk0;chunk1;chunk2;"
    assert arrivals[-1][0] - arrivals[0][0] >= 0.1  # the plugin sleeps between chunks: they were not batched


async def test_environment_and_working_directory(make_plugin: MakePlugin, start_manager: StartManager) -> None:
    folder = make_plugin("good")
    ini = "[plugin.good]\napi_key = from-ini\nmode = ini\npath = /ignored\n[feature_toggles]\nenable = zeta, alpha\n"
    manager = await start_manager(ini, GF_SERVER_ROOT_URL="https://grafana.example/")
    [reply] = await resource(manager.client("good"), "env")
    info = orjson.loads(reply.body)
    assert info["cwd"] == str(folder)
    assert info["env"] == {
        "grafana_plugin_type": "datasource",
        "PLUGIN_PROTOCOL_VERSIONS": "2",
        "PLUGIN_MIN_PORT": "10000",
        "PLUGIN_MAX_PORT": "25000",
        "GF_VERSION": GRAFANA_VERSION,
        "GF_APP_URL": "https://grafana.example/",
        "GF_INSTANCE_FEATURE_TOGGLES_ENABLE": "alpha,zeta",
        "GF_PLUGIN_API_KEY": "from-ini",
        "GF_PLUGIN_MODE": "ini",
    }


async def test_plugin_context_reaches_the_plugin(make_plugin: MakePlugin, start_manager: StartManager) -> None:
    make_plugin("good", info={"version": "2.3.4"})
    manager = await start_manager("[feature_toggles]\nenable = b, a\n")
    meta = manager.get("good")
    assert meta is not None
    ds = DataSource(
        id=7,
        uid="ds-uid",
        org_id=3,
        name="My DS",
        type="good",
        url="http://db:5432",
        user="reader",
        database="metrics",
        basic_auth=True,
        basic_auth_user="basic",
        json_data={"timeout": 5},
        updated=datetime(2024, 5, 6, 7, 8, 9, 123000, tzinfo=UTC),
    )
    identity = Identity(org_id=3, org_role=OrgRole.EDITOR, login="ed", name="Ed", email="ed@example.com")
    ctx = build_plugin_context(meta, manager.settings, identity=identity, datasource=ds, secrets={"password": "s3cret"})
    result = await manager.client("good").check_health(CheckHealthRequest(ctx))
    assert result.details is not None
    sent = result.details["context"]
    assert sent["orgId"] == "3" and sent["pluginId"] == "good" and sent["pluginVersion"] == "2.3.4"
    assert sent["user"] == {"login": "ed", "name": "Ed", "email": "ed@example.com", "role": "Editor"}
    settings = sent["dataSourceInstanceSettings"]
    assert settings["id"] == "7" and settings["uid"] == "ds-uid" and settings["name"] == "My DS"
    assert settings["url"] == "http://db:5432" and settings["user"] == "reader" and settings["database"] == "metrics"
    assert settings["basicAuthEnabled"] is True and settings["basicAuthUser"] == "basic"
    assert orjson.loads(base64.b64decode(settings["jsonData"])) == {"timeout": 5}
    assert settings["decryptedSecureJsonData"] == {"password": "s3cret"}
    assert settings["lastUpdatedMS"] == str(int(ds.updated.timestamp() * 1000))  # type: ignore[union-attr]
    assert sent["grafanaConfig"]["GF_INSTANCE_FEATURE_TOGGLES_ENABLE"] == "a,b"
    assert sent["grafanaConfig"]["GF_CONCURRENT_QUERY_COUNT"] == "10"
    assert sent["userAgent"].startswith("Grafana/") and sent["userAgent"].endswith(")")


@pytest.mark.parametrize(
    ("code", "error", "expected_code"),
    [
        ("UNIMPLEMENTED", MethodNotImplementedError, None),
        ("RESOURCE_EXHAUSTED", PluginCallError, "RESOURCE_EXHAUSTED"),
        ("UNAVAILABLE", PluginCallError, "UNAVAILABLE"),
        ("INVALID_ARGUMENT", PluginCallError, "INVALID_ARGUMENT"),
    ],
)
async def test_grpc_errors_are_mapped(
    code: str, error: type[Exception], expected_code: str | None, make_plugin: MakePlugin, start_manager: StartManager
) -> None:
    make_plugin("good")
    manager = await start_manager()
    client = manager.client("good")
    with pytest.raises(error) as info:
        await client.query_data(QueryDataRequest(CTX, [query("A", action="abort", code=code, message="nope")]))
    if expected_code is not None:
        assert isinstance(info.value, PluginCallError)
        assert (info.value.code, info.value.message) == (expected_code, "nope")
    supervisor = manager.supervisor("good")
    assert supervisor is not None and supervisor.starts == 1  # the plugin is still the same process
    assert (await client.check_health(CheckHealthRequest(CTX))).status == HealthStatus.OK


async def test_tcp_plugin(make_plugin: MakePlugin, start_manager: StartManager) -> None:
    make_plugin("tcp", tcp=True)
    manager = await start_manager()
    supervisor = manager.supervisor("tcp")
    assert supervisor is not None and supervisor.process is not None and supervisor.process.handshake is not None
    assert supervisor.process.handshake.network == "tcp"
    assert (await manager.client("tcp").check_health(CheckHealthRequest(CTX))).status == HealthStatus.OK


async def test_lookup(make_plugin: MakePlugin, start_manager: StartManager, plugins_dir: Path) -> None:
    make_plugin("good", aliasIDs=["good-old"])
    (plugins_dir / "panel").mkdir()
    (plugins_dir / "panel" / "plugin.json").write_bytes(orjson.dumps({"id": "panel", "type": "panel"}))
    manager = await start_manager()
    assert [p.id for p in manager.plugins()] == ["good", "panel"]
    assert manager.get("good-old") is manager.get("good")
    assert manager.client("good-old") is manager.client("good")
    with pytest.raises(PluginNotFoundError, match="not a backend plugin"):
        manager.client("panel")
    with pytest.raises(PluginNotFoundError, match="not found"):
        manager.client("missing")
    assert manager.get("missing") is None


async def test_lazy_start(make_plugin: MakePlugin, start_manager: StartManager) -> None:
    make_plugin("good")
    manager = await start_manager("[plugins]\nstart = lazy\n")
    supervisor = manager.supervisor("good")
    assert supervisor is not None and supervisor.process is None
    assert (await manager.client("good").check_health(CheckHealthRequest(CTX))).status == HealthStatus.OK
    assert supervisor.process is not None


async def test_stop_is_graceful_and_kills_children(
    make_plugin: MakePlugin, start_manager: StartManager, proc_group: Callable[[int], list[int]]
) -> None:
    make_plugin("good")
    make_plugin("orphan", "orphan")
    manager = await start_manager()
    [reply] = await resource(manager.client("orphan"), "env")
    child = orjson.loads(reply.body)["children"][0]
    good = manager.supervisor("good")
    orphan = manager.supervisor("orphan")
    assert good is not None and good.process is not None and orphan is not None and orphan.process is not None
    good_proc, orphan_proc = good.process, orphan.process
    assert orphan_proc.pid is not None and child in proc_group(orphan_proc.pid)
    started = asyncio.get_running_loop().time()
    await manager.stop()
    assert asyncio.get_running_loop().time() - started < 3.0
    assert good_proc.exit_description() == "exited with code 0"  # Shutdown RPC, not a kill
    assert good_proc.pid is not None and not proc_group(good_proc.pid)
    assert not proc_group(orphan_proc.pid)


async def test_no_calls_after_stop(make_plugin: MakePlugin, start_manager: StartManager) -> None:
    make_plugin("good")
    manager = await start_manager("[plugins]\nstart = lazy\n")
    await manager.stop()
    with pytest.raises(PluginUnavailableError, match="the host is stopping"):
        await manager.client("good").check_health(CheckHealthRequest(CTX))
    supervisor = manager.supervisor("good")
    assert supervisor is not None and supervisor.process is None and supervisor.starts == 0


async def test_plugin_built_with_the_sdk(
    make_plugin: MakePlugin, start_manager: StartManager, sdk_plugin_script: Path
) -> None:
    make_plugin("sdk", "-", script=sdk_plugin_script)
    manager = await start_manager()
    meta = manager.get("sdk")
    assert meta is not None
    identity = Identity(org_id=1, org_role=OrgRole.ADMIN, login="admin")
    ctx = build_plugin_context(meta, manager.settings, identity=identity)
    client = manager.client("sdk")
    result = await client.check_health(CheckHealthRequest(ctx))
    assert (result.status, result.message) == (HealthStatus.OK, "hello admin")
    answer = await client.query_data(QueryDataRequest(ctx, [DataQuery("A", RANGE, max_data_points=42)]))
    [frame] = answer["A"].frames
    assert (frame.name, frame.ref_id, frame.field("max").to_numpy().tolist()) == ("points", "A", [42])
    with pytest.raises(MethodNotImplementedError, match="does not implement CallResource"):
        await resource(client, "anything", ctx)
    supervisor = manager.supervisor("sdk")
    assert supervisor is not None and supervisor.process is not None
    proc = supervisor.process
    await manager.stop()
    assert proc.exit_description() == "exited with code 0"  # the SDK honours the Shutdown RPC
