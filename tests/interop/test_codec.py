"""Frame codec cross-check against grafana-plugin-sdk-go, both ways, on every field type.

Go -> Python: the Go SDK writes Arrow files and frame JSON (``gocodec write``); we decode them and must
produce the same frame JSON. Python -> Go: our Arrow encoder's files are decoded by the Go SDK and
re-encoded by it to frame JSON (``gocodec read``), which must equal ours.
"""

from __future__ import annotations

import math
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import numpy as np
import orjson
import pyarrow as pa
import pytest
from grafana_plugin_sdk.data import Field, FieldType, Frame

pytestmark = pytest.mark.interop

# The frames gocodec writes (tests/interop/go/internal/sample).
SAMPLES = ("all_types", "no_fields", "no_rows", "all_null", "timeseries")

GoFrames = dict[str, tuple[bytes, Any]]


def go_read(go: Any, tmp_path: Path, arrow: bytes) -> Any:
    """The Go SDK's frame JSON for an Arrow file (our encoder's output); fails on a Go decode error."""
    path = tmp_path / "frame.arrow"
    path.write_bytes(arrow)
    (result,) = go.codec("read", path)
    assert "error" not in result, f"the Go SDK could not read our Arrow file: {result['error']}"
    return result["frame"]


def test_go_writes_every_sample(go_frames: GoFrames) -> None:
    assert sorted(go_frames) == sorted(SAMPLES)
    _, all_types = go_frames["all_types"]
    types = {(f["typeInfo"]["frame"], f["typeInfo"].get("nullable", False)) for f in all_types["schema"]["fields"]}
    assert types == {(t.value, nullable) for t in FieldType for nullable in (False, True)}


@pytest.mark.parametrize("name", SAMPLES)
def test_go_arrow_decoded_by_us_gives_go_json(go_frames: GoFrames, name: str) -> None:
    arrow, go_json = go_frames[name]
    assert orjson.loads(Frame.from_arrow(arrow).to_json()) == go_json


@pytest.mark.parametrize("name", SAMPLES)
def test_go_json_decoded_by_us_gives_go_json(go_frames: GoFrames, name: str) -> None:
    _, go_json = go_frames[name]
    assert orjson.loads(Frame.from_json(orjson.dumps(go_json)).to_json()) == go_json


@pytest.mark.parametrize("name", SAMPLES)
def test_our_arrow_of_go_frame_read_by_go(go: Any, go_frames: GoFrames, tmp_path: Path, name: str) -> None:
    arrow, go_json = go_frames[name]
    assert go_read(go, tmp_path, Frame.from_arrow(arrow).to_arrow()) == go_json
    assert go_read(go, tmp_path, Frame.from_json(orjson.dumps(go_json)).to_arrow()) == go_json


def python_every_type_frame() -> Frame:
    """A frame of every field type built from Python and numpy values (not from Go's output)."""
    nan, inf = math.nan, math.inf
    aware = [
        datetime(1970, 1, 1, tzinfo=UTC),
        datetime(2024, 1, 2, 3, 4, 5, 123456, tzinfo=UTC),
        datetime(1969, 12, 31, 23, 59, 59, 999999, tzinfo=UTC),
        datetime(2000, 1, 1, 1, 0, tzinfo=UTC) - timedelta(hours=1),
    ]
    ns = np.array(
        [
            "1970-01-01T00:00:00",
            "2024-01-02T03:04:05.123456789",
            "1969-12-31T23:59:59.9999995",
            "2262-04-11T23:47:16.854775807",
        ],
        dtype="datetime64[ns]",
    )
    fields = [
        Field("int8", [-128, -1, 0, 127], type=FieldType.INT8),
        Field("int16", [-32768, -1, 0, 32767], type=FieldType.INT16),
        Field("int32", [-(2**31), -1, 0, 2**31 - 1], type=FieldType.INT32),
        Field("int64", [-(2**63), -1, 0, 2**63 - 1], type=FieldType.INT64),
        Field("uint8", [0, 1, 128, 255], type=FieldType.UINT8),
        Field("uint16", [0, 1, 2**15, 2**16 - 1], type=FieldType.UINT16),
        Field("uint32", [0, 1, 2**31, 2**32 - 1], type=FieldType.UINT32),
        Field("uint64", [0, 1, 2**63, 2**64 - 1], type=FieldType.UINT64),
        Field("float32", np.array([0.5, nan, inf, -inf], dtype=np.float32)),
        Field("float64", [0.1, nan, inf, -inf]),
        Field("string", ["", "hello", "ünïcødé ✓ 😀", 'quote" \\ \n']),
        Field("bool", [True, False, True, False]),
        Field("time_aware", aware),
        Field("time_ns", ns),
        Field("json", pa.array([b'{"a":1}', b"[1,2]", b'"s"', b"null"], pa.binary()), type=FieldType.JSON),
        Field("enum", pa.array([0, 1, 2, 0], pa.uint16()), type=FieldType.ENUM),
        Field("n_int64", [None, -1, None, 2**63 - 1], type=FieldType.INT64),
        Field("n_uint64", [2**64 - 1, None, 0, None], type=FieldType.UINT64),
        Field("n_float64", [None, nan, -inf, 1.5]),
        Field("n_float32", pa.array([None, 1.5, None, float("inf")], pa.float32())),
        Field("n_string", ["x", None, "", None]),
        Field("n_bool", [None, True, False, None]),
        Field("n_time", [aware[1], None, aware[2], None]),
        Field("n_json", pa.array([None, b"{}", None, b"[]"], pa.binary()), type=FieldType.JSON),
        Field("n_enum", pa.array([None, 1, None, 2], pa.uint16()), type=FieldType.ENUM),
        Field("labelled", [1.0, 2.0, 3.0, 4.0], labels={"host": "a", "dc": "eu"}),
    ]
    return Frame("python_frame", fields, ref_id="Q")


def test_python_frame_of_every_type_read_by_go(go: Any, tmp_path: Path) -> None:
    frame = python_every_type_frame()
    assert go_read(go, tmp_path, frame.to_arrow()) == orjson.loads(frame.to_json())


def test_python_frame_round_trips_through_go_json(go: Any, tmp_path: Path) -> None:
    frame = python_every_type_frame()
    go_json = go_read(go, tmp_path, frame.to_arrow())
    assert orjson.loads(Frame.from_json(orjson.dumps(go_json)).to_json()) == go_json
