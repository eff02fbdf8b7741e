"""Frame JSON codec: the Go SDK's golden JSON, entities, nanos, big integers, variants and errors."""

from __future__ import annotations

import math
from pathlib import Path

import numpy as np
import orjson
import pyarrow as pa
import pytest

from grafana_plugin_sdk.data import Field, FieldType, Frame, FrameError, FrameInclude


def test_golden_arrow_to_json_equals_golden_json(go_testvectors: Path) -> None:
    frame = Frame.from_arrow((go_testvectors / "all_types.golden.arrow").read_bytes())
    expected = orjson.loads((go_testvectors / "all_types.golden.json").read_bytes())
    assert orjson.loads(frame.to_json()) == expected


def test_golden_json_decodes_to_golden_arrow_frame(go_testvectors: Path) -> None:
    from_arrow = Frame.from_arrow((go_testvectors / "all_types.golden.arrow").read_bytes())
    assert Frame.from_json((go_testvectors / "all_types.golden.json").read_text()) == from_arrow


def test_entities_for_nan_and_infinities() -> None:
    frame = Frame("", [Field("v", [1.5, math.nan, math.inf, None, -math.inf])])
    data = orjson.loads(frame.to_json(FrameInclude.DATA_ONLY))["data"]
    assert data == {"values": [[1.5, None, None, None, None]], "entities": [{"NaN": [1], "Inf": [2], "NegInf": [4]}]}
    decoded = Frame.from_json(frame.to_json()).fields[0].to_pylist()
    assert math.isnan(decoded[1]) and decoded[2:] == [math.inf, None, -math.inf]


def test_no_entities_or_nanos_keys_when_not_needed() -> None:
    frame = Frame("", [Field("t", [1_000_000, None], type=FieldType.TIME), Field("v", [1.0, 2.0])])
    assert orjson.loads(frame.to_json())["data"] == {"values": [[1, None], [1.0, 2.0]]}


def test_nanos_for_sub_millisecond_times() -> None:
    frame = Frame("", [Field("a", ["x", "y"]), Field("t", [1_000_000_123, -1], type=FieldType.TIME)])
    data = orjson.loads(frame.to_json())["data"]
    # floor division, as Go's UnixMilli: -1 ns is 1 ms before the epoch plus 999999 ns
    assert data["values"][1] == [1000, -1] and data["nanos"] == [None, [123, 999_999]]
    assert Frame.from_json(frame.to_json()) == frame


def test_int64_and_uint64_extremes_are_exact_numbers() -> None:
    frame = Frame("", [Field("i", [-(2**63), 2**63 - 1]), Field("u", [0, 2**64 - 1], type=FieldType.UINT64)])
    text = frame.to_json(FrameInclude.DATA_ONLY)
    assert text == b'{"data":{"values":[[-9223372036854775808,9223372036854775807],[0,18446744073709551615]]}}'


def test_schema_layout() -> None:
    frame = Frame("n", [Field("", [True, None], labels={"b": "2", "a": "1"})], ref_id="A")
    assert orjson.loads(frame.to_json(FrameInclude.SCHEMA_ONLY)) == {
        "schema": {
            "name": "n",
            "refId": "A",
            "fields": [
                {"type": "boolean", "typeInfo": {"frame": "bool", "nullable": True}, "labels": {"a": "1", "b": "2"}}
            ],
        }
    }


def test_json_values_are_embedded_raw() -> None:
    frame = Frame("", [Field("j", [{"a": [1, 2]}, None, "s"], type=FieldType.JSON)])
    assert orjson.loads(frame.to_json())["data"]["values"] == [[{"a": [1, 2]}, None, "s"]]


def test_reader_accepts_pointer_spellings_and_numeric_strings() -> None:
    doc = {
        "schema": {
            "fields": [
                {"name": "u", "type": "number", "typeInfo": {"frame": "*uint64"}},
                {"name": "f", "type": "number", "typeInfo": {"frame": "float32"}},
            ]
        },
        "data": {"values": [["18446744073709551615", None], ["1.5", 2]]},
    }
    frame = Frame.from_json(orjson.dumps(doc))
    assert frame.fields[0].nullable and frame.fields[0].to_pylist() == [2**64 - 1, None]
    assert frame.fields[1].to_pylist() == [1.5, 2.0]


def test_reader_accepts_integral_floats_and_negative_zero_as_go_writes_them() -> None:
    doc = (
        b'{"schema":{"fields":[{"name":"d","typeInfo":{"frame":"float64"}},{"name":"s","typeInfo":{"frame":"float32"}}]},'
        b'"data":{"values":[[3204210040567999500,-0,500000000000000000000],[4768511000,-0,1]]}}'
    )
    d, s = Frame.from_json(doc).fields
    assert d.to_pylist() == [3.2042100405679995e18, 0.0, 5e20]
    assert s.to_pylist() == [float(np.float32(4768511000)), 0.0, 1.0]
    assert [math.copysign(1, v) for v in (d.to_pylist()[1], s.to_pylist()[1])] == [-1, -1]


def test_negative_zero_reader_keeps_json_strictness() -> None:
    with pytest.raises(FrameError, match="not valid JSON"):
        Frame.from_json(b'{"schema":{"fields":[{"typeInfo":{"frame":"float64"}}]},"data":{"values":[[-0,NaN]]}}')


def test_reader_without_type_info_uses_simple_type() -> None:
    frame = Frame.from_json('{"schema":{"fields":[{"name":"t","type":"time"}]},"data":{"values":[[5]]}}')
    assert frame.fields[0].type is FieldType.TIME and frame.fields[0].values.view(pa.int64()).to_pylist() == [5_000_000]


def test_schema_only_document_gives_empty_fields() -> None:
    frame = Frame.from_json(Frame("x", [Field("v", [1, 2])]).to_json(FrameInclude.SCHEMA_ONLY))
    assert frame.rows == 0 and frame.fields[0].type is FieldType.INT64


@pytest.mark.parametrize(
    ("doc", "message"),
    [
        (b"{", "not valid JSON"),
        (b"[]", "must be an object"),
        (b'{"data":{"values":[]}}', "no schema"),
        (b'{"schema":{"fields":[{"typeInfo":{"frame":"int128"}}]}}', "unsupported type 'int128'"),
        (b'{"schema":{"fields":[{"typeInfo":{"frame":"int8"}}]},"data":{"values":[]}}', "1 fields in schema but 0"),
        (
            b'{"schema":{"fields":[{"name":"x","typeInfo":{"frame":"int8"}}]},"data":{"values":[[300]]}}',
            "'x': values do not fit int8",
        ),
        (
            b'{"schema":{"fields":[{"name":"x","typeInfo":{"frame":"int8"}}]},"data":{"values":[[null]]}}',
            "'x' is not nullable",
        ),
        (b'{"schema":{"fields":[{"name":"x","typeInfo":{"frame":"int8"}}]},"data":{"values":[[1.5]]}}', "truncated"),
        (
            b'{"schema":{"fields":[{"name":"x","typeInfo":{"frame":"string"}}]},"data":{"values":[[1]]}}',
            "'x': values do not fit string",
        ),
        (
            b'{"schema":{"fields":[{"typeInfo":{"frame":"time.Time"}}]},"data":{"values":[[9223372036855]]}}',
            "out of range",
        ),
    ],
)
def test_decode_errors(doc: bytes, message: str) -> None:
    with pytest.raises(FrameError, match=message):
        Frame.from_json(doc)
