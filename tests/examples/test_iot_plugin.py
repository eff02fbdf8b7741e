"""The IoT example plugin through the harness: write-back over resources, then the state history by query."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from pathlib import Path

import orjson
import pytest
from python_iot_datasource import PLUGIN_ID
from python_iot_datasource import datasource as iot_ds

from grafana_plugin_sdk.backend import HealthStatus
from grafana_plugin_sdk.client import FetchError
from grafana_plugin_sdk.data import FieldType
from grafana_plugin_sdk.testing import PluginTestClient, data_source_settings, in_process, start_plugin

FOLDER = Path(__file__).resolve().parents[2] / "example_plugins" / "iot"
API_KEY = "0123456789abcdef-key"


@pytest.fixture(params=["in-process", "subprocess"])
def plugin(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[PluginTestClient]:
    """The plugin at both depths with a device store in the test's folder."""
    settings = data_source_settings(
        uid="iot",
        type=PLUGIN_ID,
        json_data={"storePath": str(tmp_path / "devices.sqlite"), "devices": ["lamp", "fan"]},
        secure_json_data={"apiKey": API_KEY},
    )
    if request.param == "in-process":
        client = in_process(factory=iot_ds.IoTDataSource, plugin_id=PLUGIN_ID, settings=settings)
    else:
        client = start_plugin(FOLDER, settings=settings)
    with client:
        yield client


def test_switch_a_device_then_query_its_history(plugin: PluginTestClient) -> None:
    before = datetime.now(UTC) - timedelta(minutes=1)
    changed = plugin.post_resource("device", {"id": "lamp", "state": "on"})
    assert (changed["id"], changed["state"], changed["by"]) == ("lamp", "on", "admin")
    switched_off = plugin.post_resource("device", {"id": "lamp", "state": "off"})
    devices = {d["id"]: d for d in plugin.get_resource("devices")}
    assert devices["lamp"]["state"] == "off" and devices["lamp"]["since"] == switched_off["since"]
    resp = plugin.query({"device": "lamp"}, time_range=(before, datetime.now(UTC) + timedelta(minutes=1)))
    (frame,) = resp["A"].frames
    # "since" is epoch ms, the unit of the frame's times (frame JSON), and the same instant as the last change.
    assert orjson.loads(frame.to_json())["data"]["values"][0][-2:] == [changed["since"], switched_off["since"]]
    assert isinstance(changed["since"], int) and before.timestamp() * 1000 < changed["since"]
    assert [f.type for f in frame.fields] == [FieldType.TIME, FieldType.INT8]
    assert frame.field("state").to_pylist()[-2:] == [1, 0]
    assert frame.field("state").labels == {"device": "lamp"}


def test_bad_write_back_and_unknown_device(plugin: PluginTestClient) -> None:
    with pytest.raises(FetchError) as info:
        plugin.post_resource("device", {"id": "lamp", "state": "dimmed"})
    assert info.value.status == 400 and info.value.message
    resp = plugin.query({"device": "toaster"})
    assert resp["A"].status == 404 and resp["A"].error == "unknown device 'toaster'"


def test_health_checks_the_api_key(plugin: PluginTestClient, tmp_path: Path) -> None:
    health = plugin.check_health()
    assert health.status is HealthStatus.OK and (health.details or {})["devices"] == ["fan", "lamp"]
    settings = data_source_settings(
        json_data={"storePath": str(tmp_path / "x.sqlite")}, secure_json_data={"apiKey": "short"}
    )
    with in_process(factory=iot_ds.IoTDataSource, settings=settings) as weak:
        assert weak.check_health().message.startswith("API key is too short")
