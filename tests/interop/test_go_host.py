"""Our plugins under a Go host configured like Grafana (hashicorp/go-plugin + the SDK's grpcplugin client).

The same script of calls runs against the Go SDK plugin and against our Python twin of it
(``interop_plugin.py``); where both implement the same behaviour their results, as decoded and re-encoded by
the Go SDK, must be equal. Every example plugin in ``example_plugins/`` gets a generic run as well.
"""

from __future__ import annotations

import base64
import itertools
import re
import sys
from pathlib import Path
from types import ModuleType
from typing import Any

import orjson
import pytest
from prometheus_client.parser import text_string_to_metric_families

from grafana_plugin_sdk.data import Frame

pytestmark = pytest.mark.interop

UPDATED_MS = 1714979289000
DATA_SOURCE: dict[str, Any] = {
    "id": 7,
    "uid": "interop-ds",
    "name": "Interop",
    "url": "http://example.invalid",
    "jsonData": {"mode": "test"},
    "secureJsonData": {"apiKey": "never-echoed"},
    "updatedMs": UPDATED_MS,
}
USER = {"login": "alice", "name": "Alice", "email": "alice@example.invalid", "role": "Editor"}
RANGE = {"from": 1704067200000, "to": 1704088800123}


def plugin_context(plugin_id: str, json_data: dict[str, Any] | None = None) -> dict[str, Any]:
    """The plugin context Grafana sends for our test data source."""
    ds = dict(DATA_SOURCE)
    if json_data is not None:  # new settings come with a new update time, as Grafana sends them
        ds.update(jsonData=json_data, updatedMs=UPDATED_MS + 1000)
    return {
        "orgId": 1,
        "pluginId": plugin_id,
        "pluginVersion": "1.0.0",
        "grafanaVersion": "12.1.0",
        "user": USER,
        "dataSource": ds,
    }


def twin_script(plugin_id: str) -> dict[str, Any]:
    """Calls both twin plugins answer the same way (and a few where they may differ, checked apart)."""
    echo = {"refId": "E", "queryType": "metrics", "maxDataPoints": 500, "intervalMs": 15000, "timeRange": RANGE}
    return {
        "pluginContext": plugin_context(plugin_id),
        "calls": [
            {"op": "Ping"},
            {"op": "CheckHealth", "headers": {"http_X-Test": "1"}},
            {"op": "CheckHealth", "pluginContext": plugin_context(plugin_id, {"health": "error"})},
            {
                "op": "QueryData",
                "headers": {"http_X-Test": "1"},
                "queries": [
                    {**echo, "json": {"refId": "E", "scenario": "echo"}},
                    {"refId": "B", "timeRange": RANGE, "json": {"scenario": "error"}},
                    {"refId": "A", "timeRange": RANGE, "json": {"scenario": "all_types"}},
                ],
            },
            {"op": "QueryData", "format": "json", "queries": [{"refId": "J", "json": {"scenario": "echo"}}]},
            {"op": "CallResource", "path": "ping", "url": "ping?x=1", "resourceHeaders": {"X-Test": ["yes"]}},
            {
                "op": "CallResource",
                "method": "POST",
                "path": "echo",
                "body": '{"hello": [1, 2]}',
                "resourceHeaders": {"Content-Type": ["application/json"]},
            },
            {"op": "CallResource", "path": "stream", "url": "stream?n=4"},
            {"op": "CallResource", "path": "status/418"},
            {"op": "CallResource", "path": "nope"},
            {"op": "QueryData", "queries": [{"refId": "P", "json": {"scenario": "panic"}}]},
            {"op": "CollectMetrics"},
        ],
    }


# Both twins get the same plugin id in their requests, so that their echoes can be compared.
TWIN_PLUGIN_ID = "interop-datasource"
OPS = [call["op"] for call in twin_script(TWIN_PLUGIN_ID)["calls"]]
HCLOG_TIMESTAMP = re.compile(r"^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{6}(Z|[+-]\d\d:\d\d)$")


@pytest.fixture(scope="module")
def reports(
    go: Any, go_plugins_dir: Path, py_plugins_dir: Path, tmp_path_factory: pytest.TempPathFactory
) -> dict[str, dict[str, Any]]:
    """The Go host's reports for the Go plugin and for our Python twin, run from their plugin folders."""
    out = tmp_path_factory.mktemp("gohost")
    result = {}
    for name, folder in (
        ("go", go_plugins_dir / "go-interop-datasource"),
        ("py", py_plugins_dir / "py-interop-datasource"),
    ):
        manifest = orjson.loads((folder / "plugin.json").read_bytes())
        executable = folder / f"{manifest['executable']}_{go.programs.platform_suffix}"
        stderr = out / f"{name}.stderr"
        report = go.host([executable], twin_script(TWIN_PLUGIN_ID), stderr=stderr)
        report["stderrLines"] = stderr.read_text().splitlines()
        result[name] = report
    return result


def results(report: dict[str, Any], op: str) -> list[dict[str, Any]]:
    """The results of every call of ``op``, in script order."""
    assert report.get("error") is None, report.get("error")
    assert [r["op"] for r in report["results"]] == OPS
    return [r for r in report["results"] if r["op"] == op]


@pytest.mark.parametrize("name", ["go", "py"])
def test_handshake_and_clean_shutdown(reports: dict[str, dict[str, Any]], name: str) -> None:
    report = reports[name]
    assert (report["protocol"], report["negotiatedVersion"]) == ("grpc", 2)
    (ping,) = results(report, "Ping")
    assert "error" not in ping
    shutdown = report["shutdown"]
    assert shutdown["graceful"], shutdown
    assert shutdown["seconds"] < 2.0  # exited on the Shutdown call, not after Kill's 2 s grace


def test_check_health_same_as_go(reports: dict[str, dict[str, Any]]) -> None:
    go, py = (results(reports[n], "CheckHealth") for n in ("go", "py"))
    assert py == go
    assert go[0]["health"] == {
        "status": "OK",
        "message": "Go interop plugin is working",
        "details": {"uid": "interop-ds", "secureKeys": ["apiKey"], "headers": {"http_X-Test": "1"}},
    }
    assert go[1]["health"]["status"] == "ERROR"


def test_query_data_echo_and_error_same_as_go(reports: dict[str, dict[str, Any]]) -> None:
    go, py = (results(reports[n], "QueryData") for n in ("go", "py"))
    for ref_id in ("E", "B"):
        assert py[0]["data"][ref_id] == go[0]["data"][ref_id]
        assert py[0]["decode"][ref_id] == go[0]["decode"][ref_id] == {"format": "ARROW", "frames": ref_id == "E"}
    assert go[0]["data"]["B"] == {
        "error": "scenario error for B",
        "errorSource": "downstream",
        "status": 400,
        "frames": [],
    }
    assert py[1] == go[1]  # format JSON
    assert go[1]["decode"]["J"] == {"format": "JSON", "frames": 1}
    echo = dict(zip(*go[0]["data"]["E"]["frames"][0]["data"]["values"], strict=True))
    assert (echo["from"], echo["to"], echo["intervalMs"], echo["dsSecureKeys"]) == (
        "2024-01-01T00:00:00Z",
        "2024-01-01T06:00:00.123Z",
        "15000",
        "[apiKey]",
    )


def test_query_data_every_type_decoded_by_go(reports: dict[str, dict[str, Any]], interop_plugin: ModuleType) -> None:
    (qd, *_) = results(reports["py"], "QueryData")
    assert qd["decode"]["A"] == {"format": "ARROW", "frames": 1}
    (go_json,) = qd["data"]["A"]["frames"]
    assert go_json == orjson.loads(interop_plugin.every_type_frame("A").to_json())
    assert qd["data"]["A"]["status"] == 200


def assert_frames_decode_like_go(result: dict[str, Any]) -> None:
    """Our decoders give the Go SDK's frame JSON for every raw frame a QueryData call received."""
    for ref_id, raws in result.get("rawFrames", {}).items():
        raws = raws or []  # Go writes null for no frames
        decode = Frame.from_json if result["decode"][ref_id]["format"] == "JSON" else Frame.from_arrow
        ours = [orjson.loads(decode(base64.b64decode(raw)).to_json()) for raw in raws]
        assert ours == result["data"][ref_id]["frames"], ref_id


@pytest.mark.parametrize("name", ["go", "py"])
def test_raw_frames_decode_like_go(reports: dict[str, dict[str, Any]], name: str) -> None:
    for result in results(reports[name], "QueryData"):
        assert_frames_decode_like_go(result)


def assert_hclog_lines(lines: list[str]) -> None:
    """Every non-empty line is an hclog JSON entry go-plugin's client parses (level, message, timestamp)."""
    for line in filter(str.strip, lines):
        entry = orjson.loads(line)
        assert entry["@level"] in ("trace", "debug", "info", "warn", "error"), line
        assert isinstance(entry["@message"], str), line
        assert HCLOG_TIMESTAMP.match(entry["@timestamp"]), line


def test_call_resource_same_as_go(reports: dict[str, dict[str, Any]]) -> None:
    go, py = (results(reports[n], "CallResource") for n in ("go", "py"))
    ping, echo, stream, teapot, missing = py
    go_ping, go_echo, go_stream, go_teapot, go_missing = go
    for ours, theirs in ((ping, go_ping), (teapot, go_teapot)):
        ((msg,), (go_msg,)) = ours["messages"], theirs["messages"]
        assert (msg["status"], msg["headers"]) == (go_msg["status"], go_msg["headers"])
        assert orjson.loads(msg["body"]) == orjson.loads(go_msg["body"])
    assert orjson.loads(ping["messages"][0]["body"])["xTest"] == "yes"
    assert teapot["messages"][0]["status"] == 418
    ((msg,), (go_msg,)) = echo["messages"], go_echo["messages"]
    assert (msg["status"], msg["headers"], msg["body"]) == (go_msg["status"], go_msg["headers"], go_msg["body"])
    assert [m["body"] for m in stream["messages"]] == [m["body"] for m in go_stream["messages"]]
    assert stream["messages"][0]["headers"] == go_stream["messages"][0]["headers"]
    assert (missing["messages"][0]["status"], go_missing["messages"][0]["status"]) == (404, 404)


@pytest.mark.parametrize("name", ["go", "py"])
def test_call_resource_streams_as_sent(reports: dict[str, dict[str, Any]], name: str) -> None:
    (_, _, stream, _, _) = results(reports[name], "CallResource")
    messages = stream["messages"]
    assert [m["body"] for m in messages] == [f"chunk {i}\n" for i in range(4)]
    assert messages[0]["status"] == 200
    elapsed = [m["elapsedMs"] for m in messages]
    # Chunks are sent 50 ms apart: each arrives on its own, not buffered until the end.
    assert all(later - earlier >= 30 for earlier, later in itertools.pairwise(elapsed))


def test_handler_exception_is_a_per_query_error(reports: dict[str, dict[str, Any]]) -> None:
    go_panic = results(reports["go"], "QueryData")[2]
    assert go_panic["error"]["code"] == "Unknown"  # the Go SDK turns a panic into a gRPC error
    py_panic = results(reports["py"], "QueryData")[2]
    assert "error" not in py_panic  # ours answers the refId with an error, as DESIGN.md specifies
    response = py_panic["data"]["P"]
    assert (response["status"], response["errorSource"]) == (500, "plugin")
    assert "scenario panic for P" in response["error"]


@pytest.mark.parametrize("name", ["go", "py"])
def test_collect_metrics_is_prometheus_text(reports: dict[str, dict[str, Any]], name: str) -> None:
    (metrics,) = results(reports[name], "CollectMetrics")
    families = list(text_string_to_metric_families(metrics["metrics"]))
    assert families, "no metric families"


def test_plugin_logs_are_hclog_json(reports: dict[str, dict[str, Any]]) -> None:
    report = reports["py"]
    assert any(line.strip() for line in report["stderrLines"]), "the plugin logged nothing"
    assert_hclog_lines(report["stderrLines"])
    ours = [log for log in report["pluginLogs"] if log["message"] == "interop health check"]
    assert ours and all(log["parsed"] and log["level"] == "info" for log in ours)
    assert ours[0]["fields"]["uid"] == "interop-ds"


def example_script(plugin_id: str) -> dict[str, Any]:
    """Generic calls any data source plugin should survive."""
    return {
        "pluginContext": plugin_context(plugin_id, {}),
        "env": {"GF_PLUGIN_PYTHON": sys.executable},  # the launcher's interpreter: the one running the tests
        "calls": [
            {"op": "Ping"},
            {"op": "CheckHealth"},
            {
                "op": "QueryData",
                "queries": [{"refId": "A", "timeRange": RANGE, "maxDataPoints": 100, "intervalMs": 1000}],
            },
            {"op": "CollectMetrics"},
        ],
    }


def test_example_plugin_under_go_host(
    go: Any, example_plugin: Path, example_plugin_executable: Path, tmp_path: Path
) -> None:
    manifest = orjson.loads((example_plugin / "plugin.json").read_bytes())
    stderr = tmp_path / "stderr"
    report = go.host([example_plugin_executable], example_script(manifest["id"]), stderr=stderr)
    assert report.get("error") is None, f"{report['error']}\nplugin stderr:\n{stderr.read_text()}"
    assert (report["protocol"], report["negotiatedVersion"]) == ("grpc", 2)
    ping, health, query, metrics = report["results"]
    assert "error" not in ping and "error" not in metrics, (ping, metrics)
    if "error" in health:
        assert health["error"]["code"] == "Unimplemented", health
    else:
        assert health["health"]["status"] in ("OK", "ERROR", "UNKNOWN")
    if "error" in query:
        assert query["error"]["code"] == "Unimplemented", query
    else:
        assert all("error" not in info for info in query["decode"].values()), query["decode"]
        assert_frames_decode_like_go(query)
    assert report["shutdown"]["graceful"], report["shutdown"]
    assert_hclog_lines(stderr.read_text().splitlines())


TESTDATA_ID = "python-testdata-datasource"
TESTDATA_PARAMS: dict[str, dict[str, Any]] = {
    "slow_query": {"stringInput": "200ms"},
    "large_frame": {"rows": 100_000},
    "csv_content": {"csvContent": "name,value\na,1\nb,2.5\n"},
    "csv_metric_values": {"stringInput": "1,20,90,30,5,0"},
}


def test_testdata_scenarios_under_go_host(go: Any, example_executables: dict[str, Path], tmp_path: Path) -> None:
    if TESTDATA_ID not in example_executables:
        pytest.skip(f"example plugin {TESTDATA_ID} not found in example_plugins/")
    executable = example_executables[TESTDATA_ID]
    script = example_script(TESTDATA_ID)
    (health,) = go.host([executable], {**script, "calls": [{"op": "CheckHealth"}]})["results"]
    scenarios = health["health"]["details"]["scenarios"]
    queries = [
        {
            "refId": s,
            "timeRange": RANGE,
            "maxDataPoints": 200,
            "intervalMs": 60_000,
            "json": {"scenarioId": s, "seed": 7, **TESTDATA_PARAMS.get(s, {})},
        }
        for s in scenarios
    ]
    calls = [{"op": "QueryData", "queries": queries}, {"op": "CallResource", "path": "scenarios"}]
    report = go.host([executable], {**script, "calls": calls}, stderr=tmp_path / "stderr")
    query, resource = report["results"]
    assert "error" not in query, query["error"]
    assert sorted(query["data"]) == sorted(scenarios)
    assert all("error" not in info for info in query["decode"].values()), query["decode"]
    assert_frames_decode_like_go(query)
    data = query["data"]
    assert (data["server_error"]["status"], data["server_error"]["errorSource"]) == (500, "plugin")
    assert data["no_data_points"] == {"status": 200, "frames": []}
    (large,) = data["large_frame"]["frames"]
    assert [len(values) for values in large["data"]["values"]] == [100_000, 100_000]
    ok = [s for s in scenarios if s != "server_error"]
    assert all(data[s]["status"] == 200 for s in ok), {s: data[s]["status"] for s in ok}
    ((msg,),) = [resource["messages"]]
    assert msg["status"] == 200
    assert sorted(item["id"] for item in orjson.loads(msg["body"])) == sorted(scenarios)
    assert report["shutdown"]["graceful"]
    assert_hclog_lines((tmp_path / "stderr").read_text().splitlines())
