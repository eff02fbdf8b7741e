"""A readable text table of a frame, in the layout of the Go SDK's ``Frame.StringTable``."""

from __future__ import annotations

import datetime as dt
import math
from typing import TYPE_CHECKING, Any

import pyarrow as pa

from ._types import FieldType

if TYPE_CHECKING:
    from ._field import Field
    from ._frame import Frame


def string_table(frame: Frame, max_fields: int = 10, max_rows: int = 10) -> str:
    """``Name:``, ``Dimensions:`` and a boxed table of the first fields and rows (negative: no limit)."""
    rows = frame.rows
    if max_fields < 0:
        max_fields = len(frame.fields)
    if max_rows < 0:
        max_rows = rows
    shown = frame.fields[:max_fields]
    columns: list[list[str]] = []
    for f in shown:
        labels = ", ".join(f"{k}={v}" for k, v in sorted((f.labels or {}).items()))
        columns.append([f"Name: {f.name}", f"Labels: {labels}", f"Type: {go_type_name(f)}", *_cells(f, max_rows)])
    if len(frame.fields) > max_fields:
        columns.append(["...", "", "", *(["..."] * (len(columns[0]) - 3))])
    out = [f"Name: {frame.name}", f"Dimensions: {len(frame.fields)} Fields by {rows} Rows"]
    if columns:
        widths = [max(len(c) for c in col) for col in columns]
        line = "+" + "+".join("-" * (w + 2) for w in widths) + "+"
        out.append(line)
        for r in range(len(columns[0])):
            out.append("| " + " | ".join(col[r].ljust(w) for col, w in zip(columns, widths, strict=True)) + " |")
            if r == 2:
                out.append(line)
        out.append(line)
    return "\n".join(out) + "\n"


def go_type_name(field: Field) -> str:
    """The Go slice type of a field, e.g. ``[]float64`` or ``[]*time.Time``."""
    return "[]" + ("*" if field.nullable else "") + field.type.value


def _cells(field: Field, max_rows: int) -> list[str]:
    n = len(field)
    if n <= max_rows:
        return [_format(field, i) for i in range(n)]
    head = [_format(field, i) for i in range(max_rows - 1)]
    return [*head, "...", _format(field, n - 1)]


def _format(field: Field, i: int) -> str:
    """One value as Go's ``%v`` prints it."""
    scalar = field.values[i]
    if not scalar.is_valid:
        return "null"
    if field.type is FieldType.TIME:
        return _time(scalar.cast(pa.int64()).as_py())
    value: Any = scalar.as_py()
    if field.type is FieldType.JSON:
        return bytes(value).decode()
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, float):
        return _float(value)
    return str(value)


def _float(value: float) -> str:
    if math.isnan(value):
        return "NaN"
    if math.isinf(value):
        return "+Inf" if value > 0 else "-Inf"
    text = repr(value)
    return text[:-2] if text.endswith(".0") else text


def _time(ns: int) -> str:
    seconds, frac = divmod(ns, 1_000_000_000)
    stamp = (dt.datetime(1970, 1, 1) + dt.timedelta(seconds=seconds)).strftime("%Y-%m-%d %H:%M:%S")
    fraction = f".{frac:09d}".rstrip("0") if frac else ""
    return f"{stamp}{fraction} +0000 UTC"
