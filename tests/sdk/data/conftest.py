"""Hypothesis strategies for frames of every field type, nullable and not."""

from __future__ import annotations

from typing import Any

import orjson
import pytest
from hypothesis import strategies as st

from grafana_plugin_sdk.data import Field, FieldConfig, FieldType, Frame, FrameMeta, Notice

_INT_RANGES = {
    FieldType.INT8: (-(2**7), 2**7 - 1),
    FieldType.INT16: (-(2**15), 2**15 - 1),
    FieldType.INT32: (-(2**31), 2**31 - 1),
    FieldType.INT64: (-(2**63), 2**63 - 1),
    FieldType.UINT8: (0, 2**8 - 1),
    FieldType.UINT16: (0, 2**16 - 1),
    FieldType.UINT32: (0, 2**32 - 1),
    FieldType.UINT64: (0, 2**64 - 1),
    FieldType.ENUM: (0, 2**16 - 1),
    # times as ns since the epoch; the lowest millisecond of int64 cannot be written as epoch ms + nanos
    FieldType.TIME: (-(2**63) + 10**6, 2**63 - 1),
}

_json_values = st.recursive(
    st.none()
    | st.booleans()
    | st.integers(-(2**63), 2**63 - 1)
    | st.floats(allow_nan=False, allow_infinity=False)
    | st.text(),
    lambda inner: st.lists(inner, max_size=3) | st.dictionaries(st.text(max_size=5), inner, max_size=3),
    max_leaves=6,
)


def element_strategy(ftype: FieldType) -> st.SearchStrategy[Any]:
    """Values of one field type, as ``Field(..., type=ftype)`` accepts them (extremes, NaN and ±Inf included)."""
    if ftype in _INT_RANGES:
        low, high = _INT_RANGES[ftype]
        return st.integers(low, high) | st.sampled_from([low, high])
    if ftype is FieldType.FLOAT32:
        return st.floats(width=32)
    if ftype is FieldType.FLOAT64:
        return st.floats() | st.sampled_from([float("nan"), float("inf"), float("-inf"), 5e-324, -0.0])
    if ftype is FieldType.STRING:
        return st.text()
    if ftype is FieldType.BOOL:
        return st.booleans()
    # a top-level JSON null reads back as a null row of a nullable field (as in Go), so it is left out here
    return _json_values.filter(lambda v: v is not None).map(orjson.dumps)


@st.composite
def fields(draw: st.DrawFn, rows: int) -> Field:
    """A field of any type, nullable or not, with ``rows`` values and maybe labels and config."""
    ftype = draw(st.sampled_from(list(FieldType)))
    nullable = draw(st.booleans())
    element = element_strategy(ftype)
    if nullable:
        element = st.none() | element
    values = draw(st.lists(element, min_size=rows, max_size=rows))
    labels = draw(st.none() | st.dictionaries(st.text(max_size=5), st.text(max_size=5), max_size=2))
    config = draw(
        st.none()
        | st.builds(
            FieldConfig,
            display_name=st.text(max_size=5),
            unit=st.sampled_from(["", "ms", "percent"]),
            decimals=st.none() | st.integers(0, 10),
            min=st.none() | st.floats(allow_nan=False, allow_infinity=False),
        )
    )
    return Field(draw(st.text(max_size=8)), values, type=ftype, nullable=nullable, labels=labels, config=config)


@st.composite
def frames(draw: st.DrawFn) -> Frame:
    """A frame of 0-6 fields of equal length, maybe with meta."""
    rows = draw(st.integers(0, 8))
    meta = draw(
        st.none()
        | st.builds(
            FrameMeta,
            executed_query_string=st.text(max_size=10),
            custom=st.none() | st.dictionaries(st.text(max_size=3), st.integers(-(2**63), 2**63 - 1), max_size=2),
            notices=st.lists(st.builds(Notice, text=st.text(max_size=10)), max_size=2),
        )
    )
    return Frame(
        draw(st.text(max_size=8)),
        draw(st.lists(fields(rows), max_size=6)),
        ref_id=draw(st.text(max_size=3)),
        meta=meta,
    )


@pytest.fixture(scope="session")
def frame_strategy() -> st.SearchStrategy[Frame]:
    """The ``frames()`` strategy, for tests that draw with ``st.data()``."""
    return frames()
