"""DataResponse / QueryDataResponse JSON (backend._json): Grafana's ``{"results": ...}`` layout."""

from __future__ import annotations

import orjson
import pytest

from grafana_plugin_sdk.backend import (
    DataResponse,
    ErrorSource,
    QueryDataResponse,
    data_response_to_json,
    query_data_response_from_json,
    query_data_response_to_json,
)
from grafana_plugin_sdk.data import Field, Frame, FrameError


def test_results_sorted_with_status_error_and_frames() -> None:
    frame = Frame("f", [Field("v", [1.5])], ref_id="B")
    resp = QueryDataResponse(
        {
            "C": DataResponse(error="boom", status=0),
            "B": DataResponse([frame], status=206),
            "A": DataResponse.downstream_error("down", 502),
        }
    )
    text = query_data_response_to_json(resp)
    assert text.index(b'"A"') < text.index(b'"B"') < text.index(b'"C"')
    assert orjson.loads(text) == {
        "results": {
            "A": {"error": "down", "errorSource": "downstream", "status": 502},
            "B": {"status": 206, "frames": [orjson.loads(frame.to_json())]},
            "C": {"error": "boom", "errorSource": "", "status": 500},
        }
    }
    decoded = query_data_response_from_json(text)
    assert decoded["B"].frames == [frame] and decoded["A"].error_source is ErrorSource.DOWNSTREAM
    assert decoded["C"].error == "boom" and decoded["C"].error_source is None


def test_frames_are_spliced_byte_for_byte() -> None:
    frame = Frame("f", [Field("v", [1.0, float("nan")])])
    assert data_response_to_json(DataResponse([frame])) == b'{"status":200,"frames":[' + frame.to_json() + b"]}"


@pytest.mark.parametrize(
    "doc", [b"[]", b'{"results":[]}', b'{"results":{"A":{"status":"x"}}}', b'{"results":{"A":[]}}', b"{"]
)
def test_bad_documents(doc: bytes) -> None:
    with pytest.raises(FrameError):
        query_data_response_from_json(doc)


def test_float_fields_as_go_writes_them_in_a_query_response() -> None:
    frame = b'{"schema":{"fields":[{"name":"v","typeInfo":{"frame":"float64"}}]},"data":{"values":[[-0,3204210040567999500]]}}'
    resp = query_data_response_from_json(b'{"results":{"A":{"status":200,"frames":[' + frame + b"]}}}")
    (value,) = resp.responses["A"].frames[0].fields
    assert value.to_pylist() == [0.0, 3.2042100405679995e18] and str(value.to_pylist()[0]) == "-0.0"
