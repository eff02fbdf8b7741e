"""Turning user values (lists, numpy, pyarrow, pandas) into the Arrow array a field of a given type holds."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable
from typing import Any

import numpy as np
import orjson
import pyarrow as pa
import pyarrow.compute as pc

from ._errors import FrameError
from ._types import FieldType

_CONVERSION_ERRORS = (
    pa.ArrowInvalid,
    pa.ArrowTypeError,
    pa.ArrowNotImplementedError,
    TypeError,
    ValueError,
    OverflowError,
)
_INT64_MAX = 2**63 - 1


def to_array(name: str, values: Any, ftype: FieldType | None) -> tuple[pa.Array, FieldType]:
    """The values as one Arrow array of the field type (inferred when ``ftype`` is None), zero-copy if possible."""
    try:
        src = _as_arrow(values)
        if ftype is None:
            ftype = _infer_list(src) if isinstance(src, list) else _infer_arrow(src)
        if ftype is FieldType.JSON:
            return _json_array(src), ftype
        return _cast(src, ftype), ftype
    except FrameError as exc:
        raise FrameError(f"field {name!r}: {exc}") from None
    except _CONVERSION_ERRORS as exc:
        target = ftype.value if ftype is not None else "an inferred type"
        raise FrameError(f"field {name!r}: values do not fit {target}: {exc}") from None


def _as_arrow(values: Any) -> Any:
    """An Arrow array for array-likes; Python sequences are returned as a list."""
    if values is None:
        return []
    if isinstance(values, pa.ChunkedArray):
        return values.combine_chunks() if values.num_chunks != 1 else values.chunk(0)
    if isinstance(values, pa.Array):
        return values
    if isinstance(values, np.ma.MaskedArray):
        return pa.array(np.asarray(values.data), mask=np.ma.getmaskarray(values))
    if isinstance(values, np.ndarray):
        if values.dtype == object:
            return list(values)
        return _from_numpy(values)
    if type(values).__module__.startswith("pandas"):
        return pa.array(values, from_pandas=False)
    if isinstance(values, list):
        return values
    if isinstance(values, Iterable) and not isinstance(values, str | bytes | dict):
        return list(values)
    raise FrameError(f"values must be a sequence or array, got {type(values).__name__}")


#: Numpy dtypes (native byte order) whose buffer an Arrow array of this type can use as it is.
_NUMPY_ARROW: dict[np.dtype[Any], pa.DataType] = {
    np.dtype(name): arrow
    for name, arrow in (
        ("int8", pa.int8()),
        ("int16", pa.int16()),
        ("int32", pa.int32()),
        ("int64", pa.int64()),
        ("uint8", pa.uint8()),
        ("uint16", pa.uint16()),
        ("uint32", pa.uint32()),
        ("uint64", pa.uint64()),
        ("float32", pa.float32()),
        ("float64", pa.float64()),
    )
}
_NAT = np.iinfo(np.int64).min


def _from_numpy(values: np.ndarray[Any, Any]) -> pa.Array:
    """A 1-d numeric or datetime64 array as Arrow over the same memory (``pa.array`` would give the same array but
    first imports pandas when it is installed: a quarter of a second and tens of MB on a plugin's first query)."""
    if values.ndim == 1:
        arrow = _NUMPY_ARROW.get(values.dtype)
        if arrow is not None:
            data = np.ascontiguousarray(values)
            return pa.Array.from_buffers(arrow, len(data), [None, pa.py_buffer(data)])
        unit = np.datetime_data(values.dtype)[0] if values.dtype.kind == "M" else ""
        if unit in ("s", "ms", "us", "ns"):
            ints = np.ascontiguousarray(values).view(np.int64)
            missing = ints == _NAT  # NaT is null, as pa.array reads it
            count = int(missing.sum())
            validity = pa.py_buffer(np.packbits(~missing, bitorder="little")) if count else None
            buffers = [validity, pa.py_buffer(ints)]
            return pa.Array.from_buffers(pa.timestamp(unit), len(ints), buffers, null_count=count)
    return pa.array(values)


def _infer_list(values: list[Any]) -> FieldType:
    """The field type for a list of Python values (None for null)."""
    kinds = {type(v) for v in values} - {type(None)}
    if not kinds:
        raise FrameError("cannot infer a type from no (or only null) values; pass type=")
    if any(issubclass(k, dict | list | tuple) for k in kinds):
        return FieldType.JSON
    if all(issubclass(k, bool | np.bool_) for k in kinds):
        return FieldType.BOOL
    if all(issubclass(k, int | np.integer) and not issubclass(k, bool) for k in kinds):
        return FieldType.UINT64 if max(v for v in values if v is not None) > _INT64_MAX else FieldType.INT64
    if all(issubclass(k, int | float | np.integer | np.floating) and not issubclass(k, bool) for k in kinds):
        return FieldType.FLOAT64
    if all(issubclass(k, str) for k in kinds):
        return FieldType.STRING
    if all(issubclass(k, dt.datetime | np.datetime64) for k in kinds):
        return FieldType.TIME
    names = ", ".join(sorted(k.__name__ for k in kinds))
    raise FrameError(f"unsupported or mixed value types: {names}")


def _infer_arrow(arr: pa.Array) -> FieldType:
    """The field type for an Arrow array built from an array-like."""
    t = arr.type
    if pa.types.is_large_string(t):
        return FieldType.STRING
    if pa.types.is_large_binary(t):
        return FieldType.JSON
    if pa.types.is_null(t):
        raise FrameError("cannot infer a type from only null values; pass type=")
    return FieldType.from_arrow(t)


def _cast(values: Any, ftype: FieldType) -> pa.Array:
    """``values`` (a list or Arrow array) as an array of ``ftype``'s Arrow type; raises if values do not fit."""
    target = ftype.arrow_type
    if isinstance(values, list):
        if ftype is FieldType.TIME:
            values = [_time_value(v) for v in values]
        arr = list_to_array(values, target)
    else:
        arr = values
        if ftype is FieldType.TIME:
            arr = _time_array(arr)
    if arr.type != target:
        arr = pc.cast(arr, target, safe=True)
    return arr


def list_to_array(values: list[Any], target: pa.DataType) -> pa.Array:
    """A list of Python values as an array of ``target``; floats into integers only when integral."""
    if pa.types.is_integer(target) and any(issubclass(k, float | np.floating) for k in {type(v) for v in values}):
        return pc.cast(pa.array(values, type=pa.float64()), target, safe=True)
    return pa.array(values, type=target)


def _time_value(value: Any) -> Any:
    """A time element: datetimes (naive = UTC) stay, numpy datetimes become ns, ints are ns since the epoch."""
    if isinstance(value, np.datetime64):
        return int(value.astype("datetime64[ns]").astype(np.int64))
    if isinstance(value, float):
        raise FrameError(f"time values must be datetimes or integer nanoseconds, got float {value!r}")
    return value


def _time_array(arr: pa.Array) -> pa.Array:
    """A timestamp array in ns without zone; integer arrays are read as ns since the epoch."""
    t = arr.type
    if pa.types.is_timestamp(t):
        if t.unit != "ns":
            arr = pc.cast(arr, pa.timestamp("ns", tz=t.tz), safe=True)
        return arr.view(pa.timestamp("ns")) if t.tz is not None else arr
    if pa.types.is_integer(t):
        return pc.cast(arr, pa.int64(), safe=True).view(pa.timestamp("ns"))
    if pa.types.is_date(t):
        return pc.cast(pc.cast(arr, pa.timestamp("s")), pa.timestamp("ns"))
    raise FrameError(f"cannot use {t} values as times")


def _json_array(values: Any) -> pa.Array:
    """JSON values as Binary: bytes are raw JSON text (validated), anything else is serialised."""
    if isinstance(values, pa.Array):
        t = values.type
        if pa.types.is_binary(t):
            return values
        if pa.types.is_large_binary(t) or pa.types.is_string(t) or pa.types.is_large_string(t):
            return pc.cast(values, pa.binary())
        values = values.to_pylist()
    return pa.array([_json_bytes(v) for v in values], type=pa.binary())


def _json_bytes(value: Any) -> bytes | None:
    if value is None:
        return None
    if isinstance(value, bytes | bytearray | memoryview):
        raw = bytes(value)
        try:
            orjson.loads(raw)
        except orjson.JSONDecodeError as exc:
            raise FrameError(f"invalid JSON value {raw[:40]!r}: {exc}") from None
        return raw
    return orjson.dumps(value, option=orjson.OPT_SERIALIZE_NUMPY)
