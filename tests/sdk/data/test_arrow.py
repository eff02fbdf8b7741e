"""Arrow IPC codec: the Go SDK's golden file, our encoding of it, reader tolerance and errors."""

from __future__ import annotations

import math
from pathlib import Path

import pyarrow as pa
import pytest

from grafana_plugin_sdk.data import Field, FieldConfig, FieldType, Frame, FrameError, FrameMeta


@pytest.fixture
def golden_arrow(go_testvectors: Path) -> bytes:
    return (go_testvectors / "all_types.golden.arrow").read_bytes()


def test_golden_frame_decodes(golden_arrow: bytes) -> None:
    frame = Frame.from_arrow(golden_arrow)
    assert (frame.name, frame.ref_id, frame.rows, len(frame.fields)) == ("many_types", "A", 5, 35)
    assert frame.meta is not None and frame.meta.custom == {"Hi": "there"}
    assert frame.meta.stats[0].config.display_name == "sample" and frame.meta.stats[0].value == 1.234
    int64 = frame.field("int64_values")
    assert (int64.type, int64.nullable) == (FieldType.INT64, False)
    assert int64.to_pylist()[0] == -(2**63) and int64.to_pylist()[-1] == 2**63 - 1
    assert frame.field("nullable_uint64_values").to_pylist() == [0, 0, None, 9007199254740991, 2**64 - 1]
    nans = frame.field("float64_nans").to_pylist()
    assert math.isnan(nans[1]) and math.isnan(nans[3]) and nans[4] == math.inf and nans[0] == -math.inf
    enum = frame.field("enum")
    assert enum.type is FieldType.ENUM and enum.config is not None
    assert enum.config.enum_text == ["", "ONE", "TWO", "THREE"]
    config = frame.field("nullable_string_values").config
    assert config is not None and config.decimals == 2 and config.filterable is False and math.isnan(config.min or 0)
    assert frame.field("string_values").labels == {"aLabelKey": "aLabelValue"}
    assert [f.name for f in frame.fields].count("timestamps") == 2
    times = frame.field("nullable_timestamps").values.view(pa.int64()).to_pylist()
    assert times == [0, 1568039445000000000, None, 9007199254740991, 2**63 - 1]
    assert frame.field("json").to_pylist()[0] == {"a": 1}


def test_golden_decode_is_zero_copy(golden_arrow: bytes) -> None:
    buffer = pa.py_buffer(golden_arrow)
    frame = Frame.from_arrow(buffer)
    start, end = buffer.address, buffer.address + buffer.size
    data_buffer = frame.field("float64_values").values.buffers()[1]
    assert start <= data_buffer.address < end


def test_our_encoding_of_golden_frame(golden_arrow: bytes) -> None:
    """Ours decodes to the same frame; schema and all metadata equal Go's (the flatbuffer bytes do not)."""
    frame = Frame.from_arrow(golden_arrow)
    ours = frame.to_arrow()
    assert Frame.from_arrow(ours) == frame
    ours_schema = pa.ipc.open_file(ours).schema
    go_schema = pa.ipc.open_file(golden_arrow).schema
    assert ours_schema.equals(go_schema, check_metadata=True)
    assert ours_schema.metadata == go_schema.metadata
    for ours_field, go_field in zip(ours_schema, go_schema, strict=True):
        assert list(ours_field.metadata.items()) == list(go_field.metadata.items())
    assert ours[:6] == golden_arrow[:6] == b"ARROW1" and ours[-6:] == b"ARROW1"
    assert pa.ipc.open_file(ours).num_record_batches == 1


def test_writes_go_types_and_nullability() -> None:
    frame = Frame(
        "f",
        [
            Field("t", [0, 1], type=FieldType.TIME),
            Field("j", [b"{}", None], type=FieldType.JSON),
            Field("e", [1, 2], type=FieldType.ENUM, config=FieldConfig.for_enum(["a", "b", "c"])),
        ],
        ref_id="A",
        meta=FrameMeta(executed_query_string="q"),
    )
    schema = pa.ipc.open_file(frame.to_arrow()).schema
    assert [(f.type, f.nullable) for f in schema] == [
        (pa.timestamp("ns"), False),
        (pa.binary(), True),
        (pa.uint16(), False),
    ]
    assert [f.metadata[b"tstype"] for f in schema] == [b"time", b"other", b"enum"]
    assert schema.metadata == {
        b"meta": b'{"typeVersion":[0,0],"executedQueryString":"q"}',
        b"name": b"f",
        b"refId": b"A",
    }


def _file(table: pa.Table, batch_rows: int | None = None) -> bytes:
    sink = pa.BufferOutputStream()
    with pa.ipc.new_file(sink, table.schema) as writer:
        writer.write_table(table, max_chunksize=batch_rows)
    return sink.getvalue().to_pybytes()  # type: ignore[no-any-return]


def test_reader_tolerance() -> None:
    """string_view, several record batches, missing metadata, other time units and zones are read."""
    table = pa.table(
        {
            "s": pa.array(["a", "b", "c"], type=pa.string_view()),
            "t": pa.array([1, 2, 3], type=pa.timestamp("ms", tz="Europe/Paris")),
            "v": pa.array([1.0, None, 3.0]),
        }
    )
    frame = Frame.from_arrow(_file(table, batch_rows=2))
    assert (frame.name, frame.ref_id, frame.meta) == ("", "", None)
    assert [f.type for f in frame.fields] == [FieldType.STRING, FieldType.TIME, FieldType.FLOAT64]
    assert frame.field("s").to_pylist() == ["a", "b", "c"]
    assert frame.field("t").values.view(pa.int64()).to_pylist() == [1_000_000, 2_000_000, 3_000_000]
    assert frame.field("v").nullable and frame.field("v").to_pylist() == [1.0, None, 3.0]


def test_uint16_without_enum_tstype_is_a_number() -> None:
    frame = Frame.from_arrow(_file(pa.table({"u": pa.array([1], type=pa.uint16())})))
    assert frame.fields[0].type is FieldType.UINT16


def test_non_nullable_field_ignores_validity_bitmap() -> None:
    schema = pa.schema([pa.field("x", pa.int32(), nullable=False)])
    frame = Frame.from_arrow(_file(pa.Table.from_arrays([pa.array([1, None, 3], pa.int32())], schema=schema)))
    assert frame.fields[0].to_pylist() == [1, 0, 3] and not frame.fields[0].nullable


@pytest.mark.parametrize("arrow_type", [pa.large_string(), pa.date32(), pa.list_(pa.int8()), pa.decimal128(5, 2)])
def test_unsupported_arrow_type(arrow_type: pa.DataType) -> None:
    data = _file(pa.table({"bad": pa.array([None], type=arrow_type)}))
    with pytest.raises(FrameError, match=r"field 'bad': unsupported conversion from arrow to sdk type"):
        Frame.from_arrow(data)


def test_invalid_metadata_json() -> None:
    schema = pa.schema([pa.field("x", pa.int8(), metadata={"labels": "{"})])
    with pytest.raises(FrameError, match="labels of field 'x' is not valid JSON"):
        Frame.from_arrow(_file(pa.Table.from_arrays([pa.array([1], pa.int8())], schema=schema)))


@pytest.mark.parametrize("data", [b"", b"not arrow", b"ARROW1\x00\x00garbage"])
def test_not_an_arrow_file(data: bytes) -> None:
    with pytest.raises(FrameError, match="not a readable Arrow IPC file"):
        Frame.from_arrow(data)


def test_stream_format_is_refused() -> None:
    sink = pa.BufferOutputStream()
    table = pa.table({"x": [1]})
    with pa.ipc.new_stream(sink, table.schema) as writer:
        writer.write_table(table)
    with pytest.raises(FrameError):
        Frame.from_arrow(sink.getvalue().to_pybytes())


def test_empty_frame_round_trips() -> None:
    frame = Frame("empty", [Field("x", [], type=FieldType.INT8)])
    assert Frame.from_arrow(frame.to_arrow()) == frame
    assert Frame.from_arrow(Frame().to_arrow()) == Frame()
