"""A frame's column: a name, typed values (a pyarrow array), labels and display config."""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping
from typing import Any

import numpy as np
import orjson
import pyarrow as pa

from ._errors import FrameError
from ._meta import FieldConfig
from ._types import FieldType
from ._values import to_array


class Field:
    """A named column of one type; values live in a pyarrow array (no copy in or out where possible)."""

    __slots__ = ("_array", "_nullable", "_type", "config", "labels", "name")

    def __init__(
        self,
        name: str = "",
        values: Any = None,
        *,
        type: FieldType | str | None = None,
        nullable: bool | None = None,
        labels: Mapping[str, str] | None = None,
        config: FieldConfig | None = None,
    ) -> None:
        """Build from a list, numpy array, pyarrow array or pandas Series.

        ``type`` is inferred when omitted; ``nullable`` defaults to whether any value is null.
        """
        ftype = FieldType(type) if type is not None else None
        array, ftype = to_array(name, values, ftype)
        if nullable is None:
            nullable = array.null_count > 0
        elif not nullable and array.null_count:
            raise FrameError(f"field {name!r} is not nullable but has {array.null_count} null value(s)")
        self.name = name
        self.labels: dict[str, str] | None = dict(labels) if labels is not None else None
        self.config = config
        self._array: pa.Array = array
        self._type = ftype
        self._nullable = nullable

    @classmethod
    def from_arrow(
        cls,
        name: str,
        array: pa.Array,
        type: FieldType,
        nullable: bool,
        *,
        labels: dict[str, str] | None = None,
        config: FieldConfig | None = None,
    ) -> Field:
        """A field over an array already of ``type``'s Arrow type (no checks, no copy); used by the decoders."""
        field = cls.__new__(cls)
        field.name = name
        field.labels = labels
        field.config = config
        field._array = array
        field._type = type
        field._nullable = nullable
        return field

    @property
    def type(self) -> FieldType:
        """The values' type."""
        return self._type

    @property
    def nullable(self) -> bool:
        """Whether the field may hold nulls (Go's pointer field types)."""
        return self._nullable

    @property
    def values(self) -> pa.Array:
        """The values as a pyarrow array (the field's own buffer, not a copy)."""
        return self._array

    def __len__(self) -> int:
        return len(self._array)

    def to_numpy(self) -> np.ndarray[Any, Any]:
        """The values as numpy: zero-copy for numbers, bools copy; nulls give a masked array."""
        arr = self._array
        if self._type is FieldType.JSON:
            return np.array(self.to_pylist(), dtype=object)
        if arr.null_count:
            filled = arr.fill_null(_zero(self._type))
            mask = arr.is_null().to_numpy(zero_copy_only=False)
            return np.ma.MaskedArray(filled.to_numpy(zero_copy_only=False), mask=mask)
        result: np.ndarray[Any, Any] = arr.to_numpy(zero_copy_only=False)
        return result

    def to_pylist(self) -> list[Any]:
        """The values as Python objects: JSON decoded, times as UTC datetimes (microsecond precision)."""
        if self._type is FieldType.JSON:
            return [None if v is None else orjson.loads(v) for v in self._array.to_pylist()]
        if self._type is FieldType.TIME:
            ns = self._array.view(pa.int64()).to_pylist()
            return [None if v is None else _EPOCH + dt.timedelta(microseconds=v // 1000) for v in ns]
        return self._array.to_pylist()  # type: ignore[no-any-return]

    def __eq__(self, other: object) -> bool:
        if not isinstance(other, Field):
            return NotImplemented
        return (
            self.name == other.name
            and self._type is other._type
            and self._nullable == other._nullable
            and self.labels == other.labels
            and self.config == other.config
            and values_equal(self._array, other._array)
        )

    __hash__ = None  # type: ignore[assignment]

    def __repr__(self) -> str:
        null = ", nullable" if self._nullable else ""
        return f"Field({self.name!r}, {self._type.value}{null}, {len(self)} values)"


_EPOCH = dt.datetime(1970, 1, 1, tzinfo=dt.UTC)


def _zero(ftype: FieldType) -> Any:
    """The value a null stands for in numpy and in a non-nullable field (Go's zero value)."""
    if ftype is FieldType.STRING:
        return ""
    if ftype is FieldType.BOOL:
        return False
    if ftype is FieldType.JSON:
        return b"null"
    return 0


def fill_nulls(array: pa.Array, ftype: FieldType) -> pa.Array:
    """The array with nulls replaced by Go's zero value (how Go reads nulls of a non-nullable field)."""
    if not array.null_count:
        return array
    if ftype is FieldType.TIME:
        return array.view(pa.int64()).fill_null(0).view(array.type)
    return array.fill_null(pa.scalar(_zero(ftype), type=array.type))


def values_equal(a: pa.Array, b: pa.Array) -> bool:
    """Equal values and nulls; NaN equals NaN (whatever its payload)."""
    if len(a) != len(b) or a.type != b.type or a.null_count != b.null_count:
        return False
    if a.null_count and not a.is_null().equals(b.is_null()):
        return False
    if pa.types.is_floating(a.type):
        return bool(np.array_equal(_floats(a), _floats(b), equal_nan=True))
    return bool(a.equals(b))


def _floats(arr: pa.Array) -> np.ndarray[Any, Any]:
    result: np.ndarray[Any, Any] = (arr.fill_null(0) if arr.null_count else arr).to_numpy(zero_copy_only=False)
    return result
