"""Field types: the Go SDK's type names, their Arrow types and Grafana's simple (``tstype``) types."""

from __future__ import annotations

import enum

import pyarrow as pa


class FieldType(enum.StrEnum):
    """The type of a field's values; the value is the Go SDK's name (``typeInfo.frame`` in frame JSON)."""

    INT8 = "int8"
    INT16 = "int16"
    INT32 = "int32"
    INT64 = "int64"
    UINT8 = "uint8"
    UINT16 = "uint16"
    UINT32 = "uint32"
    UINT64 = "uint64"
    FLOAT32 = "float32"
    FLOAT64 = "float64"
    STRING = "string"
    BOOL = "bool"
    TIME = "time.Time"
    JSON = "json.RawMessage"
    ENUM = "enum"

    @property
    def arrow_type(self) -> pa.DataType:
        """The Arrow type the Go SDK writes for this field type."""
        return _ARROW[self]

    @property
    def simple_type(self) -> str:
        """Grafana's simple type: ``number``, ``string``, ``boolean``, ``time``, ``other`` or ``enum``."""
        return _SIMPLE.get(self, "number")

    @property
    def is_numeric(self) -> bool:
        """Whether the values are integers or floats (enum excluded)."""
        return self.simple_type == "number"

    @property
    def is_float(self) -> bool:
        """Whether the values are floats (NaN and ±Inf possible)."""
        return self in (FieldType.FLOAT32, FieldType.FLOAT64)

    @classmethod
    def from_arrow(cls, arrow_type: pa.DataType, tstype: str = "") -> FieldType:
        """The field type an Arrow type decodes to, as the Go reader decides; FrameError if unsupported."""
        from ._errors import FrameError

        if pa.types.is_timestamp(arrow_type):
            return cls.TIME
        if pa.types.is_string(arrow_type) or pa.types.is_string_view(arrow_type):
            return cls.STRING
        if pa.types.is_uint16(arrow_type) and tstype == "enum":
            return cls.ENUM
        found = _FROM_ARROW.get(arrow_type)
        if found is None:
            raise FrameError(f"unsupported conversion from arrow to sdk type for arrow type {arrow_type}")
        return found


_ARROW: dict[FieldType, pa.DataType] = {
    FieldType.INT8: pa.int8(),
    FieldType.INT16: pa.int16(),
    FieldType.INT32: pa.int32(),
    FieldType.INT64: pa.int64(),
    FieldType.UINT8: pa.uint8(),
    FieldType.UINT16: pa.uint16(),
    FieldType.UINT32: pa.uint32(),
    FieldType.UINT64: pa.uint64(),
    FieldType.FLOAT32: pa.float32(),
    FieldType.FLOAT64: pa.float64(),
    FieldType.STRING: pa.string(),
    FieldType.BOOL: pa.bool_(),
    FieldType.TIME: pa.timestamp("ns"),
    FieldType.JSON: pa.binary(),
    FieldType.ENUM: pa.uint16(),
}

_FROM_ARROW: dict[pa.DataType, FieldType] = {t: ft for ft, t in _ARROW.items() if ft is not FieldType.ENUM}

_SIMPLE: dict[FieldType, str] = {
    FieldType.STRING: "string",
    FieldType.BOOL: "boolean",
    FieldType.TIME: "time",
    FieldType.JSON: "other",
    FieldType.ENUM: "enum",
}
