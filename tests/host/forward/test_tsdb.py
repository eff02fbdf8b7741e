"""Legacy ``/api/tsdb/query`` result conversion: series from time-series frames, tables, base64 Arrow frames."""

from __future__ import annotations

import base64
import math
from datetime import UTC, datetime

import orjson

from grafana_plugin_host.api.tsdb import legacy_response_json, legacy_result
from grafana_plugin_sdk.backend import DataResponse, QueryDataResponse
from grafana_plugin_sdk.data import Field, FieldConfig, FieldType, Frame, FrameMeta

T0 = datetime(2015, 1, 1, 0, 0, tzinfo=UTC)
T0_MS = 1420070400000


def _time_series() -> Frame:
    return Frame(
        "Opened",
        [
            Field("time", [T0, datetime(2015, 2, 1, tzinfo=UTC)]),
            Field("Opened", [109.0, math.nan]),
            Field("Closed", [89, 7], labels={"repo": "grafana"}, config=FieldConfig(display_name="Closed!")),
        ],
        meta=FrameMeta(executed_query_string="SELECT 1"),
    )


def test_time_series_frame_becomes_series_with_value_time_points() -> None:
    result = legacy_result("A", DataResponse([_time_series()]))
    assert result["refId"] == "A"
    assert result["series"] == [
        {"name": "Opened", "points": [[109.0, T0_MS], [None, 1422748800000]]},
        {"name": "Closed!", "points": [[89, T0_MS], [7, 1422748800000]], "tags": {"repo": "grafana"}},
    ]
    assert result["tables"] == []
    assert result["meta"]["executedQueryString"] == "SELECT 1"
    [encoded] = result["dataframes"]
    decoded = Frame.from_arrow(base64.b64decode(encoded))
    assert decoded.name == "Opened"
    assert [f.name for f in decoded.fields] == ["time", "Opened", "Closed"]


def test_other_frames_become_tables() -> None:
    frame = Frame("", [Field("valueOne", [1]), Field("valueTwo", [2]), Field("s", ["x"], type=FieldType.STRING)])
    result = legacy_result("B", DataResponse([frame]))
    assert result["series"] == []
    assert result["tables"] == [
        {"columns": [{"text": "valueOne"}, {"text": "valueTwo"}, {"text": "s"}], "rows": [[1, 2, "x"]]}
    ]
    assert "meta" not in result and "error" not in result


def test_errors_and_top_level_message() -> None:
    response = QueryDataResponse(
        {
            "A": DataResponse([_time_series()]),
            "B": DataResponse.error_response("boom", 500),
        }
    )
    body = orjson.loads(legacy_response_json(response))
    assert body["results"]["B"] == {"refId": "B", "series": [], "tables": [], "dataframes": [], "error": "boom"}
    assert body["message"] == "boom"
    assert "error" not in body["results"]["A"]
    ok = orjson.loads(legacy_response_json(QueryDataResponse({"A": DataResponse([_time_series()])})))
    assert "message" not in ok
