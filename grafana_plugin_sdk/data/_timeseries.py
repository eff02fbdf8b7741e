"""Long <-> wide time series (the Go SDK's ``data.LongToWide`` / ``data.WideToLong``), vectorised with numpy."""

from __future__ import annotations

import dataclasses
from typing import Any

import numpy as np
import pyarrow as pa
import pyarrow.compute as pc

from ._errors import FrameError
from ._field import Field, fill_nulls
from ._fill import FillMissing, FillMode, previous_rows
from ._frame import Frame
from ._meta import FrameMeta, FrameType
from ._types import FieldType


def long_to_wide(frame: Frame, fill_value: Any = None, *, fill_missing: FillMissing | None = None) -> Frame:
    """A long frame (time, string dimensions, values) as wide: one nullable field per value and label set.

    Times are sorted and de-duplicated; string fields become labels; each value field gives one field per
    label combination (in sorted label order). Missing points are null, or ``fill_value`` when given, or as
    ``fill_missing`` says (``PREVIOUS``: the series' value at the time before, null before its first point).
    """
    time, others = _split_time(frame)
    dims = [f for f in others if f.type is FieldType.STRING]
    values = [f for f in others if f.type is not FieldType.STRING]
    for f in values:
        if not (f.type.is_numeric or f.type is FieldType.BOOL):
            raise FrameError(f"long_to_wide: field {f.name!r} of type {f.type.value} is neither a number nor a label")
    ns = fill_nulls(time.values, FieldType.TIME).view(pa.int64()).to_numpy()
    times, row_time = np.unique(ns, return_inverse=True)
    combos, row_combo = _label_combos(dims, len(ns))
    fields = [Field.from_arrow(time.name, pa.array(times).view(pa.timestamp("ns")), FieldType.TIME, False)]
    for v in values:
        data = fill_nulls(v.values, v.type).to_numpy(zero_copy_only=False)
        nulls = v.values.is_null().to_numpy(zero_copy_only=False)
        for c, labels in enumerate(combos):
            rows = np.flatnonzero(row_combo == c)
            out = np.zeros(len(times), dtype=data.dtype)
            missing = np.ones(len(times), dtype=bool)
            out[row_time[rows]] = data[rows]
            missing[row_time[rows]] = nulls[rows]
            if fill_missing is not None:
                out, missing = _fill(out, missing, row_time[rows], fill_missing)
            array = pa.array(out, mask=missing, type=v.type.arrow_type)
            if fill_value is not None:
                array = array.fill_null(pa.scalar(fill_value, type=v.type.arrow_type))
            fields.append(Field.from_arrow(v.name, array, v.type, True, labels=labels or None, config=v.config))
    return Frame(frame.name, fields, ref_id=frame.ref_id, meta=_with_type(frame.meta, FrameType.TIMESERIES_WIDE))


def _fill(
    out: np.ndarray[Any, Any], missing: np.ndarray[Any, Any], set_rows: np.ndarray[Any, Any], fill: FillMissing
) -> tuple[np.ndarray[Any, Any], np.ndarray[Any, Any]]:
    """Fill the rows not in ``set_rows`` (no point in the long frame) as ``fill`` says; real nulls stay null."""
    present = np.zeros(len(out), dtype=bool)
    present[set_rows] = True
    if fill.mode is FillMode.VALUE:
        out, missing = out.copy(), missing & present
        out[~present] = fill.value
    elif fill.mode is FillMode.PREVIOUS:
        source = previous_rows(present)
        out, missing = out[np.maximum(source, 0)], missing[np.maximum(source, 0)] | (source < 0)
    return out, missing


def _label_combos(dims: list[Field], rows: int) -> tuple[list[dict[str, str]], np.ndarray[Any, Any]]:
    """The distinct label sets (sorted) and, per row, the index of its set."""
    if not dims:
        return [{}], np.zeros(rows, dtype=np.int64)
    key = np.zeros(rows, dtype=np.int64)
    dictionaries = []
    for d in dims:
        encoded = pc.dictionary_encode(d.values.fill_null(""))
        dictionaries.append(encoded.dictionary.to_pylist())
        key = key * len(encoded.dictionary) + encoded.indices.to_numpy(zero_copy_only=False)
    unique, first, inverse = np.unique(key, return_index=True, return_inverse=True)
    labels = [{d.name: d.values[int(i)].as_py() or "" for d in dims} for i in first]
    order = sorted(range(len(unique)), key=lambda i: sorted(labels[i].items()))
    rank = np.empty(len(order), dtype=np.int64)
    rank[order] = np.arange(len(order))
    return [labels[i] for i in order], rank[inverse]


def wide_to_long(frame: Frame) -> Frame:
    """A wide frame (time, value fields with labels) as long: one row per time and label set.

    Rows are ordered by time, then label set; label keys become string fields after the value fields.
    """
    time, values = _split_time(frame)
    sets: list[tuple[tuple[str, str], ...]] = []
    names: dict[str, FieldType] = {}
    by_key: dict[tuple[str, tuple[tuple[str, str], ...]], Field] = {}
    for v in values:
        labels = tuple(sorted((v.labels or {}).items()))
        if labels not in sets:
            sets.append(labels)
        if names.setdefault(v.name, v.type) is not v.type:
            raise FrameError(f"wide_to_long: fields named {v.name!r} have different types")
        by_key[(v.name, labels)] = v
    sets.sort()
    n_times, n_sets = len(time), len(sets)
    ns = time.values.view(pa.int64()).to_numpy(zero_copy_only=False)
    fields = [
        Field.from_arrow(time.name, pa.array(np.repeat(ns, n_sets)).view(pa.timestamp("ns")), FieldType.TIME, False)
    ]
    for name, ftype in names.items():
        out = np.zeros(n_times * n_sets, dtype=ftype.arrow_type.to_pandas_dtype())
        missing = np.ones(n_times * n_sets, dtype=bool)
        for s, labels in enumerate(sets):
            src = by_key.get((name, labels))
            if src is not None:
                out[s::n_sets] = fill_nulls(src.values, ftype).to_numpy(zero_copy_only=False)
                missing[s::n_sets] = src.values.is_null().to_numpy(zero_copy_only=False)
        array = pa.array(out, mask=missing, type=ftype.arrow_type)
        fields.append(Field.from_arrow(name, array, ftype, bool(missing.any())))
    keys = sorted({k for labels in sets for k, _ in labels})
    for key in keys:
        column = [dict(labels).get(key, "") for labels in sets]
        fields.append(Field.from_arrow(key, pa.array(column * n_times, type=pa.string()), FieldType.STRING, False))
    return Frame(frame.name, fields, ref_id=frame.ref_id, meta=_with_type(frame.meta, FrameType.TIMESERIES_LONG))


def _split_time(frame: Frame) -> tuple[Field, list[Field]]:
    """The first time field and the other fields; FrameError without a time field."""
    frame.check_lengths()
    for i, f in enumerate(frame.fields):
        if f.type is FieldType.TIME:
            return f, frame.fields[:i] + frame.fields[i + 1 :]
    raise FrameError(f"frame {frame.name!r} has no time field")


def _with_type(meta: FrameMeta | None, frame_type: FrameType) -> FrameMeta:
    return dataclasses.replace(meta, type=frame_type) if meta is not None else FrameMeta(type=frame_type)
