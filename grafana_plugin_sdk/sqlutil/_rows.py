"""DB-API 2 rows to a frame: one nullable field per column, typed from the driver's type code or the values."""

from __future__ import annotations

import datetime as dt
import decimal
from collections.abc import Sequence
from typing import Any

from grafana_plugin_sdk.data import Field, FieldType, Frame, FrameMeta, Notice, NoticeSeverity

from ._dialect import Dialect

Description = Sequence[Sequence[Any]]
"""``cursor.description``: per column a sequence starting with its name and type code."""


def frame_from_rows(
    description: Description, rows: Sequence[Sequence[Any]], dialect: Dialect, *, row_limit: int | None = None
) -> Frame:
    """A frame of the rows; more rows than ``row_limit`` are cut with a warning notice, as Grafana does."""
    notices = []
    if row_limit is not None and len(rows) > row_limit:
        rows = rows[:row_limit]
        notices.append(
            Notice(
                severity=NoticeSeverity.WARNING,
                text=f"Results have been limited to {row_limit} because the SQL row limit was reached",
            )
        )
    columns: list[Sequence[Any]] = list(zip(*rows, strict=True)) if rows else [() for _ in description]
    fields = []
    for column, values in zip(description, columns, strict=True):
        name, type_code = str(column[0]), column[1] if len(column) > 1 else None
        ftype = dialect.field_type(type_code) or infer_type(values)
        fields.append(Field(name, [convert(v, ftype) for v in values], type=ftype, nullable=True))
    return Frame("", fields, meta=FrameMeta(notices=notices))


def infer_type(values: Sequence[Any]) -> FieldType:
    """The field type for a column of Python values from a driver without type codes (SQLite...)."""
    kinds = {type(v) for v in values if v is not None}
    if not kinds:
        return FieldType.STRING
    if kinds == {bool}:
        return FieldType.BOOL
    if kinds == {int}:
        return FieldType.INT64
    if kinds <= {int, float, decimal.Decimal}:
        return FieldType.FLOAT64
    if all(issubclass(k, dt.date) for k in kinds):
        return FieldType.TIME
    if all(issubclass(k, dict | list) for k in kinds):
        return FieldType.JSON
    return FieldType.STRING


def convert(value: Any, ftype: FieldType) -> Any:
    """A driver's value as the field type holds it (None stays None)."""
    if value is None or ftype is FieldType.JSON:
        return value
    if ftype is FieldType.TIME:
        if isinstance(value, dt.datetime):
            return value if value.tzinfo is not None else value.replace(tzinfo=dt.UTC)
        if isinstance(value, dt.date):
            return dt.datetime(value.year, value.month, value.day, tzinfo=dt.UTC)
        return value
    if ftype.is_float:
        return float(value)
    if ftype is FieldType.STRING:
        if isinstance(value, bytes | bytearray | memoryview):
            return bytes(value).decode("utf-8", "replace")
        return value if isinstance(value, str) else str(value)
    return value
