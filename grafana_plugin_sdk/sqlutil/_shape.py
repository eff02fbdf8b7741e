"""A result frame shaped as Grafana's SQL data sources do: time columns, time series long to wide, fill."""

from __future__ import annotations

import dataclasses
import decimal
import math
from datetime import timedelta
from typing import Any

import numpy as np
import pyarrow as pa
import pyarrow.compute as pc

from grafana_plugin_sdk.data import (
    Field,
    FieldType,
    FillMissing,
    FillMode,
    Frame,
    FrameMeta,
    Notice,
    NoticeSeverity,
    long_to_wide,
)

from ._dialect import Dialect, epoch_nanos, epoch_seconds
from ._macros import Interpolated
from ._query import Format, Query, QueryError

TIME_FIELD_NAME = "Time"
"""The time field of a time series result is renamed to this, as Grafana does since v8."""


def shape(frame: Frame, query: Query, interpolated: Interpolated, dialect: Dialect, *, row_limit: int) -> Frame:
    """Convert time columns, and for time series make the result wide and fill it as ``$__timeGroup`` asked."""
    meta = dataclasses.replace(frame.meta or FrameMeta(), executed_query_string=interpolated.sql)
    if frame.rows == 0:
        return Frame("", [], meta=meta)
    names = [f.name for f in frame.fields]
    time_index = max((i for i, n in enumerate(names) if n in dialect.time_columns), default=-1)
    for index, name in enumerate(names):
        if index == time_index or (query.format is Format.TABLE and name.lower() == "timeend"):
            frame.fields[index] = _to_time(frame.fields[index])
    frame.meta = meta
    if query.format is Format.TABLE:
        return frame
    if time_index < 0:
        raise QueryError(
            "time column is missing; make sure your data includes a time column for time series format "
            "or switch to a table format that doesn't require it"
        )
    frame.fields[time_index].name = TIME_FIELD_NAME
    for index, field in enumerate(frame.fields):
        if index != time_index and field.name != "metric" and field.type is not FieldType.STRING:
            frame.fields[index] = _to_float(field)
    if any(f.type is FieldType.STRING for f in frame.fields):
        frame = _long_to_wide(frame, interpolated.fill)
    if interpolated.fill is not None:
        frame = resample(frame, interpolated.fill, query, interpolated.fill_interval, row_limit=row_limit)
    return frame


def _long_to_wide(frame: Frame, fill: FillMissing | None) -> Frame:
    """Long to wide; a single ``metric`` label names its series, as before Grafana 8."""
    wide = long_to_wide(frame, fill_missing=fill)
    if len(frame.fields) == 3:
        for field in wide.fields:
            if field.labels is not None and list(field.labels) == ["metric"]:
                field.name, field.labels = field.labels["metric"], None
    return wide


def _epoch_ms(value: float) -> int:
    """Epoch seconds (10 digits) or nanoseconds (19 digits) as milliseconds; others are milliseconds already."""
    if value and math.isfinite(value):
        exponent = decimal.Decimal(repr(value)).adjusted()
        if exponent == 9:
            value *= 1e3
        elif exponent == 18:
            value /= 1e6
    return int(value)


def _to_time(field: Field) -> Field:
    """A time field from a column of times or epoch numbers; QueryError for anything else."""
    if field.type is FieldType.TIME:
        return field
    if not field.type.is_numeric:
        raise QueryError(f"failed to convert time column: column {field.name!r} of type {field.type.value}")
    ns = [None if v is None else _epoch_ms(float(v)) * 1_000_000 for v in field.values.to_pylist()]
    array = pa.array(ns, type=pa.int64()).view(pa.timestamp("ns"))
    return Field.from_arrow(field.name, array, FieldType.TIME, True, labels=field.labels)


def _to_float(field: Field) -> Field:
    """A time series value column as nullable float64."""
    if field.type is FieldType.FLOAT64:
        return field
    if not (field.type.is_numeric or field.type is FieldType.BOOL):
        raise QueryError(f"convert value to float failed: column {field.name!r} of type {field.type.value}")
    array = field.values.cast(pa.float64())
    return Field.from_arrow(field.name, array, FieldType.FLOAT64, True, labels=field.labels, config=field.config)


def resample(frame: Frame, fill: FillMissing, query: Query, interval: timedelta, *, row_limit: int) -> Frame:
    """A wide frame on the grid of ``interval`` steps from the range start (rounded down) to its end.

    Each step takes the last row in (step - interval, step]; steps without one are filled as ``fill`` says.
    More steps than ``row_limit`` leave the frame as is, with a warning notice.
    """
    step = interval // timedelta(microseconds=1) * 1000
    whole_seconds = int(interval.total_seconds())
    start = epoch_seconds(query.time_from)
    start = (start // whole_seconds * whole_seconds if whole_seconds else start) * 1_000_000_000
    count = max((epoch_nanos(query.time_to) - start) // step + 1, 0)
    if count > row_limit:
        text = "Fill operation skipped: time range and interval would require more points than the row limit"
        meta = frame.meta or FrameMeta()
        notice = Notice(severity=NoticeSeverity.WARNING, text=text)
        frame.meta = dataclasses.replace(meta, notices=[*meta.notices, notice])
        return frame
    time_index = next(i for i, f in enumerate(frame.fields) if f.type is FieldType.TIME)
    time = frame.fields[time_index]
    if time.values.null_count:
        raise QueryError("cannot fill missing points: the time column has null values")
    times = time.values.view(pa.int64()).to_numpy(zero_copy_only=False)
    order = np.argsort(times, kind="stable")
    times = times[order]
    grid = start + step * np.arange(count, dtype=np.int64)
    last = np.searchsorted(times, grid, side="right") - 1
    inside = (last >= 0) & (times[np.maximum(last, 0)] > grid - step)
    keep = inside | (last >= 0) if fill.mode is FillMode.PREVIOUS else inside
    take = pa.array(order[np.maximum(last, 0)]) if len(times) else pa.array([], type=pa.int64())
    fields = []
    for index, field in enumerate(frame.fields):
        if index == time_index:
            array = pa.array(grid, type=pa.int64()).view(pa.timestamp("ns"))
            fields.append(Field.from_arrow(field.name, array, FieldType.TIME, field.nullable, labels=field.labels))
        else:
            fields.append(_resampled(field, take, keep, fill))
    return Frame(frame.name, fields, ref_id=frame.ref_id, meta=frame.meta)


def _resampled(field: Field, take: pa.Array, keep: np.ndarray[Any, Any], fill: FillMissing) -> Field:
    """The field's value at each grid step (``take``), or the fill where ``keep`` is false."""
    arrow_type = field.type.arrow_type
    picked = field.values.take(take) if len(take) == len(keep) else pa.nulls(len(keep), type=arrow_type)
    if fill.mode is FillMode.VALUE:
        filler = pa.array(np.full(len(keep), fill.value)).cast(arrow_type)
    else:
        filler = pa.nulls(len(keep), type=arrow_type)
    array = pc.if_else(pa.array(keep), picked, filler)
    return Field.from_arrow(field.name, array, field.type, True, labels=field.labels, config=field.config)
