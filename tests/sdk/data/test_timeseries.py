"""Long <-> wide time series conversion."""

from __future__ import annotations

import pytest

from grafana_plugin_sdk.data import Field, FieldType, Frame, FrameError, FrameType, long_to_wide, wide_to_long

S = 1_000_000_000


def _long() -> Frame:
    return Frame(
        "cpu",
        [
            Field("time", [2 * S, 1 * S, 1 * S, 2 * S, 3 * S], type=FieldType.TIME),
            Field("host", ["b", "a", "b", "a", "a"]),
            Field("value", [4.0, 1.0, 2.0, 3.0, None]),
        ],
        ref_id="A",
    )


def test_long_to_wide() -> None:
    wide = long_to_wide(_long())
    assert wide.meta is not None and wide.meta.type is FrameType.TIMESERIES_WIDE and wide.ref_id == "A"
    assert wide.fields[0].values.cast("int64").to_pylist() == [S, 2 * S, 3 * S]
    assert [(f.name, f.labels, f.to_pylist()) for f in wide.fields[1:]] == [
        ("value", {"host": "a"}, [1.0, 3.0, None]),
        ("value", {"host": "b"}, [2.0, 4.0, None]),
    ]
    filled = long_to_wide(_long(), fill_value=0.0)
    assert filled.fields[2].to_pylist() == [2.0, 4.0, 0.0]


def test_wide_to_long_inverts_long_to_wide() -> None:
    back = wide_to_long(long_to_wide(_long()))
    assert back.meta is not None and back.meta.type is FrameType.TIMESERIES_LONG
    rows = list(zip(*(f.to_pylist() for f in back.fields), strict=True))
    times = [r[0].timestamp() for r in rows]
    assert [(t, v, h) for t, (_, v, h) in zip(times, rows, strict=True)] == [
        (1.0, 1.0, "a"),
        (1.0, 2.0, "b"),
        (2.0, 3.0, "a"),
        (2.0, 4.0, "b"),
        (3.0, None, "a"),
        (3.0, None, "b"),
    ]


def test_without_labels_and_errors() -> None:
    frame = Frame("", [Field("t", [S], type=FieldType.TIME), Field("v", [1])])
    wide = long_to_wide(frame)
    assert [f.labels for f in wide.fields] == [None, None]
    with pytest.raises(FrameError, match="no time field"):
        long_to_wide(Frame("", [Field("v", [1])]))
    with pytest.raises(FrameError, match="neither a number nor a label"):
        long_to_wide(Frame("", [Field("t", [S], type=FieldType.TIME), Field("j", [{}])]))
