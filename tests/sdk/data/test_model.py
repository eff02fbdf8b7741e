"""Building fields and frames: inference, overrides, zero-copy inputs and outputs, clear errors."""

from __future__ import annotations

import datetime as dt
import math
import subprocess
import sys
from pathlib import Path

import numpy as np
import pandas as pd
import pyarrow as pa
import pytest

from grafana_plugin_sdk.data import Field, FieldConfig, FieldType, Frame, FrameError, FrameMeta, FrameType, Notice
from tests.python_without import python_without


@pytest.mark.parametrize(
    ("values", "ftype", "nullable"),
    [
        ([1, 2], FieldType.INT64, False),
        ([1, None], FieldType.INT64, True),
        ([2**64 - 1, 1], FieldType.UINT64, False),
        ([1, 2.5], FieldType.FLOAT64, False),
        (["a", None], FieldType.STRING, True),
        ([True, False], FieldType.BOOL, False),
        ([dt.datetime(2020, 1, 1, tzinfo=dt.UTC)], FieldType.TIME, False),
        ([{"a": 1}, [1]], FieldType.JSON, False),
        (np.array([1, 2], dtype=np.int16), FieldType.INT16, False),
        (np.array([1.0], dtype=np.float32), FieldType.FLOAT32, False),
        (np.array(["2020-01-01"], dtype="datetime64[s]"), FieldType.TIME, False),
        (np.ma.MaskedArray([1, 2], mask=[False, True]), FieldType.INT64, True),
        (pa.array([1, 2], type=pa.uint8()), FieldType.UINT8, False),
        (pa.chunked_array([[1.0], [2.0]]), FieldType.FLOAT64, False),
        (pa.array(["x"], type=pa.large_string()), FieldType.STRING, False),
        (pd.Series([1.5, math.nan]), FieldType.FLOAT64, False),
        (pd.Series([1, None], dtype="Int32"), FieldType.INT32, True),
    ],
)
def test_type_and_nullability_inference(values: object, ftype: FieldType, nullable: bool) -> None:
    field = Field("f", values)
    assert (field.type, field.nullable) == (ftype, nullable)


def test_explicit_type_and_nullable_override() -> None:
    field = Field("f", [1, 2], type="uint8", nullable=True)
    assert (field.type, field.nullable, field.values.type) == (FieldType.UINT8, True, pa.uint8())


def test_numpy_input_and_output_are_zero_copy() -> None:
    data = np.arange(1000, dtype=np.float64)
    field = Field("f", data)
    assert field.values.buffers()[1].address == data.ctypes.data
    assert np.shares_memory(field.to_numpy(), data)


@pytest.mark.parametrize(
    "values",
    [
        np.array([1.5, np.nan, -0.0]),
        np.arange(7, dtype=np.uint16)[::3],  # strided: copied to one buffer
        np.array([-(2**63), 2**63 - 1], dtype=np.int64),
        np.array(["NaT", "2020-01-01T00:00:01.5", "NaT"], dtype="datetime64[ms]"),
        np.array(["2020-01-01T00:00:00.000000001"], dtype="datetime64[ns]"),
        np.array([True, False]),
        np.zeros(0),
    ],
)
def test_numpy_arrays_become_the_arrow_arrays_pyarrow_makes(values: np.ndarray) -> None:
    field = Field("f", values)
    expected = pa.array(values)
    assert field.values.type == (pa.timestamp("ns") if values.dtype.kind == "M" else expected.type)
    assert field.values.null_count == expected.null_count and field.nullable == bool(expected.null_count)
    assert str(field.values.cast(expected.type)) == str(expected)


def test_frames_from_numpy_do_not_import_pandas() -> None:
    code = (
        "import sys, numpy as np\n"
        "from grafana_plugin_sdk.data import Field, Frame\n"
        "t = np.array(['2020-01-01', 'NaT'], dtype='datetime64[ms]')\n"
        "Frame('x', [Field('time', t), Field('v', np.array([1.0, 2.0])), Field('n', np.arange(2))]).to_arrow()\n"
        "print('pandas' in sys.modules)\n"
    )
    ran = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, check=True, cwd=Path(__file__).parents[3]
    )
    assert ran.stdout.strip() == "False"  # pyarrow's pa.array imports pandas (installed here) on first use


def test_nan_is_a_value_not_a_null() -> None:
    field = Field("f", np.array([1.0, np.nan]))
    assert not field.nullable and field.values.null_count == 0


def test_times_from_datetimes_ints_and_zones() -> None:
    paris = dt.timezone(dt.timedelta(hours=1))
    field = Field("t", [dt.datetime(1970, 1, 1, 1, tzinfo=paris), dt.datetime(1970, 1, 1), 5], type=FieldType.TIME)
    assert field.values.view(pa.int64()).to_pylist() == [0, 0, 5]
    assert field.to_pylist()[0] == dt.datetime(1970, 1, 1, tzinfo=dt.UTC)


def test_to_numpy_masks_nulls() -> None:
    result = Field("f", [1, None, 3]).to_numpy()
    assert isinstance(result, np.ma.MaskedArray) and result.mask.tolist() == [False, True, False]


@pytest.mark.parametrize(
    ("kwargs", "message"),
    [
        ({"values": [300], "type": FieldType.INT8}, "field 'f': values do not fit int8"),
        ({"values": [-1], "type": FieldType.UINT64}, "values do not fit uint64"),
        ({"values": [1.5], "type": FieldType.INT32}, "values do not fit int32"),
        ({"values": [70000], "type": FieldType.ENUM}, "values do not fit enum"),
        ({"values": np.array([300]), "type": FieldType.INT8}, "values do not fit int8"),
        ({"values": ["x"], "type": FieldType.TIME}, "values do not fit time.Time"),
        ({"values": [1.5], "type": FieldType.TIME}, "integer nanoseconds"),
        ({"values": [b"{"], "type": FieldType.JSON}, "invalid JSON value"),
        ({"values": [1, None], "nullable": False}, "not nullable but has 1 null"),
        ({"values": [None, None]}, "cannot infer a type"),
        ({"values": [1, "a"]}, "mixed value types: int, str"),
        ({"values": [object()]}, "unsupported or mixed value types: object"),
        ({"values": "abc"}, "must be a sequence or array"),
        ({"values": pa.array([[1]])}, "unsupported conversion from arrow"),
        ({"values": [1], "type": "int128"}, "int128"),
    ],
)
def test_bad_values_are_clear_errors(kwargs: dict[str, object], message: str) -> None:
    with pytest.raises(ValueError, match=message):
        Field("f", **kwargs)  # type: ignore[arg-type]


def test_unequal_field_lengths() -> None:
    with pytest.raises(FrameError, match=r"field 1 \('b'\) has 1 rows, field 0 \('a'\) has 2"):
        Frame("x", [Field("a", [1, 2]), Field("b", [1])])
    frame = Frame("x", [Field("a", [1, 2])])
    frame.fields.append(Field("b", [1]))
    with pytest.raises(FrameError):
        frame.to_arrow()
    with pytest.raises(FrameError):
        frame.to_json()


def test_frame_attributes_are_settable_and_compared() -> None:
    frame = Frame("a", [Field("x", [1])])
    other = Frame("a", [Field("x", [1])])
    assert frame == other
    frame.ref_id = "B"
    assert frame != other and frame.field("x") is frame.fields[0] and frame.field(0) is frame.fields[0]
    with pytest.raises(KeyError):
        frame.field("missing")


def test_from_records_table_and_pandas() -> None:
    records: list[dict[str, object]] = [{"a": 1, "b": "x"}, {"a": 2, "c": 1.5}]
    frame = Frame.from_records(records, "r", types={"a": FieldType.INT8})
    assert [(f.name, f.type, f.nullable) for f in frame.fields] == [
        ("a", FieldType.INT8, False),
        ("b", FieldType.STRING, True),
        ("c", FieldType.FLOAT64, True),
    ]
    table = frame.to_table()
    assert Frame.from_table(table, "r") == Frame(
        "r", [Field(f.name, f.values, nullable=f.nullable) for f in frame.fields]
    )
    df = pd.DataFrame({"v": [1.0, 2.0], "s": ["a", "b"]})
    from_pandas = Frame.from_pandas(df, "p")
    assert [f.type for f in from_pandas.fields] == [FieldType.FLOAT64, FieldType.STRING]
    assert from_pandas.to_pandas()["v"].tolist() == [1.0, 2.0]


def test_meta_and_config_keep_unknown_keys_and_go_order() -> None:
    meta = FrameMeta.from_dict(
        {
            "futureKey": 1,
            "notices": [{"severity": "warning", "text": "t"}],
            "type": "timeseries-wide",
            "typeVersion": [0, 1],
        }
    )
    assert meta.type is FrameType.TIMESERIES_WIDE and meta.notices == [Notice("warning", "t")]
    assert list(meta.to_dict()) == ["type", "typeVersion", "notices", "futureKey"]
    config = FieldConfig.from_dict({"unit": "ms", "min": None, "displayNameFromDS": "d", "x-custom": [1]})
    assert config.display_name_from_ds == "d" and math.isnan(config.min or 0)
    assert config.to_dict() == {"displayNameFromDS": "d", "unit": "ms", "min": None, "x-custom": [1]}
    assert FrameMeta().to_dict() == {"typeVersion": [0, 0]}


def test_bad_meta_is_a_clear_error() -> None:
    with pytest.raises(FrameError, match="typeVersion"):
        FrameMeta.from_dict({"typeVersion": "1.0"})
    with pytest.raises(FrameError, match="FieldConfig must be a JSON object"):
        FieldConfig.from_dict([1])


def test_string_table_printout() -> None:
    frame = Frame("One", [Field("v", [8.26, None, 1.0]), Field("s", ["a", "b", "c"], labels={"a": "b"})])
    assert frame.string_table() == (
        "Name: One\n"
        "Dimensions: 2 Fields by 3 Rows\n"
        "+------------------+----------------+\n"
        "| Name: v          | Name: s        |\n"
        "| Labels:          | Labels: a=b    |\n"
        "| Type: []*float64 | Type: []string |\n"
        "+------------------+----------------+\n"
        "| 8.26             | a              |\n"
        "| null             | b              |\n"
        "| 1                | c              |\n"
        "+------------------+----------------+\n"
    )
    cut = Frame("", [Field("n", list(range(20)))]).string_table(max_rows=5)
    assert "| 3             |\n| ...           |\n| 19            |" in cut and "| 4 " not in cut


def test_to_pandas_without_pandas_names_the_install_command(tmp_path: Path) -> None:
    script = "from grafana_plugin_sdk.data import Field, Frame\nFrame('', [Field('a', [1])]).to_pandas()"
    result = subprocess.run(
        [python_without(tmp_path, "pandas"), "-c", script], capture_output=True, text=True, timeout=60, check=False
    )
    assert "ModuleNotFoundError: Frame.to_pandas needs pandas: pip install pandas" in result.stderr
