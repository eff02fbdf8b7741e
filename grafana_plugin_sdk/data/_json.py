"""Frame <-> Grafana's frame JSON (``schema`` + ``data``), as the Go SDK's ``frame_json.go`` writes it.

Encoding is vectorised: numeric, bool and time columns go to orjson as numpy arrays (NaN/±Inf become
``null`` with their rows listed in ``entities``; times become epoch ms with the sub-ms rest in ``nanos``).
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

import numpy as np
import orjson
import pyarrow as pa

from grafana_plugin_sdk._gojson import load_json

from ._errors import FrameError
from ._field import Field
from ._meta import FieldConfig, FrameMeta
from ._types import FieldType
from ._values import list_to_array

if TYPE_CHECKING:
    from ._frame import Frame, FrameInclude

_NS_PER_MS = 1_000_000
_MAX_MS = (2**63 - 1) // _NS_PER_MS
_MIN_MS = -(2**63) // _NS_PER_MS
_SIMPLE_DEFAULTS = {
    "number": FieldType.FLOAT64,
    "string": FieldType.STRING,
    "boolean": FieldType.BOOL,
    "time": FieldType.TIME,
    "other": FieldType.JSON,
    "enum": FieldType.ENUM,
}
_ENTITY_VALUES = {"Inf": np.inf, "NegInf": -np.inf}


# --- encode -------------------------------------------------------------------------------------


def frame_to_json(frame: Frame, include: FrameInclude) -> bytes:
    """The frame JSON document (``schema``, ``data`` or both)."""
    return orjson.dumps(frame_to_dict(frame, include), option=orjson.OPT_SERIALIZE_NUMPY)


def frame_to_dict(frame: Frame, include: FrameInclude) -> dict[str, Any]:
    """The frame JSON as a dict orjson can write (numpy arrays and ``orjson.Fragment`` inside)."""
    frame.check_lengths()
    doc: dict[str, Any] = {}
    if include != "data":
        doc["schema"] = _schema(frame)
    if include != "schema":
        doc["data"] = _data(frame)
    return doc


def _schema(frame: Frame) -> dict[str, Any]:
    schema: dict[str, Any] = {}
    if frame.name:
        schema["name"] = frame.name
    if frame.ref_id:
        schema["refId"] = frame.ref_id
    if frame.meta is not None:
        schema["meta"] = frame.meta.to_dict()
    schema["fields"] = [_field_schema(f) for f in frame.fields]
    return schema


def _field_schema(field: Field) -> dict[str, Any]:
    out: dict[str, Any] = {}
    if field.name:
        out["name"] = field.name
    out["type"] = field.type.simple_type
    out["typeInfo"] = {"frame": field.type.value, "nullable": True} if field.nullable else {"frame": field.type.value}
    if field.labels is not None:
        out["labels"] = dict(sorted(field.labels.items()))
    if field.config is not None:
        out["config"] = field.config.to_dict()
    return out


def _data(frame: Frame) -> dict[str, Any]:
    values: list[Any] = []
    entities: list[Any] = []
    nanos: list[Any] = []
    for f in frame.fields:
        column, entity, nano = _encode_column(f.values, f.type)
        values.append(column)
        entities.append(entity)
        nanos.append(nano)
    data: dict[str, Any] = {"values": values}
    if any(e is not None for e in entities):
        data["entities"] = entities
    if any(n is not None for n in nanos):
        data["nanos"] = nanos
    return data


def _encode_column(arr: pa.Array, ftype: FieldType) -> tuple[Any, Any, Any]:
    """(values, entities or None, nanos or None) of one column, without a Python loop for numbers and times."""
    if ftype.is_float:
        return _encode_floats(arr)
    if ftype is FieldType.TIME:
        return _encode_times(arr)
    if ftype is FieldType.JSON:
        raw = arr.to_numpy(zero_copy_only=False)
        return [None if v is None else orjson.Fragment(v) for v in raw], None, None
    if ftype is FieldType.STRING or arr.null_count:
        return arr.to_numpy(zero_copy_only=False).tolist() if ftype is FieldType.STRING else arr.to_pylist(), None, None
    return arr.to_numpy(zero_copy_only=False), None, None


def _encode_floats(arr: pa.Array) -> tuple[Any, Any, Any]:
    """Floats with nulls and NaN/±Inf as JSON null; the non-finite rows listed by kind."""
    values = arr.to_numpy(zero_copy_only=False)  # nulls read as NaN: written as null either way
    nonfinite = ~np.isfinite(values)
    if not nonfinite.any():
        return values, None, None
    if arr.null_count:
        nonfinite &= ~arr.is_null().to_numpy(zero_copy_only=False)
    entity: dict[str, Any] = {}
    for key, rows in (
        ("NaN", nonfinite & np.isnan(values)),
        ("Inf", nonfinite & (values == np.inf)),
        ("NegInf", nonfinite & (values == -np.inf)),
    ):
        index = np.flatnonzero(rows)
        if len(index):
            entity[key] = index
    return values, entity or None, None


def _encode_times(arr: pa.Array) -> tuple[Any, Any, Any]:
    """Times as epoch ms (floored, as Go's ``UnixMilli``) with the ns rest in ``nanos`` when any."""
    ints = arr.view(pa.int64())
    ns = (ints.fill_null(0) if arr.null_count else ints).to_numpy()
    ms = ns // _NS_PER_MS
    rest = ns - ms * _NS_PER_MS
    nanos = rest if rest.any() else None
    if not arr.null_count:
        return ms, None, nanos
    column = ms.astype(object)
    column[arr.is_null().to_numpy(zero_copy_only=False)] = None
    return column.tolist(), None, nanos


# --- decode -------------------------------------------------------------------------------------


def frame_from_json(data: bytes | str, schema: Frame | None = None) -> Frame:
    """A frame from frame JSON; a data-only document needs ``schema`` (a frame with the same fields)."""
    try:
        doc = load_json(data)
    except (ValueError, RecursionError) as exc:  # orjson's and json's decode errors are ValueErrors
        raise FrameError(f"frame JSON is not valid JSON: {exc}") from None
    return frame_from_dict(doc, schema)


def frame_from_dict(doc: Any, schema: Frame | None = None) -> Frame:
    """A frame from parsed frame JSON."""
    from ._frame import Frame

    if not isinstance(doc, dict):
        raise FrameError(f"frame JSON must be an object, got {type(doc).__name__}")
    if doc.get("schema") is not None:
        name, ref_id, meta, specs = _parse_schema(doc["schema"])
    elif schema is not None:
        name, ref_id, meta = schema.name, schema.ref_id, schema.meta
        specs = [
            Field.from_arrow(f.name, f.values[:0], f.type, f.nullable, labels=f.labels, config=f.config)
            for f in schema.fields
        ]
    else:
        raise FrameError("frame JSON has no schema (a data-only frame needs schema=)")
    data = doc.get("data")
    if data is None:
        return Frame(name, specs, ref_id=ref_id, meta=meta)
    if not isinstance(data, dict) or not isinstance(data.get("values"), list):
        raise FrameError("frame JSON data must be an object with a values array")
    values = data["values"]
    if len(values) != len(specs):
        raise FrameError(f"frame JSON has {len(specs)} fields in schema but {len(values)} value arrays")
    entities = _per_field(data, "entities", len(specs))
    nanos = _per_field(data, "nanos", len(specs))
    fields = [
        Field.from_arrow(
            spec.name,
            _decode_column(spec, values[i], entities[i], nanos[i]),
            spec.type,
            spec.nullable,
            labels=spec.labels,
            config=spec.config,
        )
        for i, spec in enumerate(specs)
    ]
    return Frame(name, fields, ref_id=ref_id, meta=meta)


def _per_field(data: dict[str, Any], key: str, n: int) -> list[Any]:
    found = data.get(key)
    if found is None:
        return [None] * n
    if not isinstance(found, list) or len(found) != n:
        raise FrameError(f"frame JSON data.{key} must be an array with one entry per field")
    return found


def _parse_schema(schema: Any) -> tuple[str, str, FrameMeta | None, list[Field]]:
    if not isinstance(schema, dict) or not isinstance(schema.get("fields", []), list):
        raise FrameError("frame JSON schema must be an object with a fields array")
    meta = schema.get("meta")
    specs = [_parse_field(f) for f in schema.get("fields", [])]
    return (
        str(schema.get("name") or ""),
        str(schema.get("refId") or ""),
        FrameMeta.from_dict(meta) if meta is not None else None,
        specs,
    )


def _parse_field(spec: Any) -> Field:
    """An empty field carrying the schema of one field object."""
    if not isinstance(spec, dict):
        raise FrameError("frame JSON schema fields must be objects")
    name = str(spec.get("name") or "")
    info = spec.get("typeInfo") or {}
    frame_type = str(info.get("frame") or "").removeprefix("[]")
    nullable = bool(info.get("nullable")) or frame_type.startswith("*")
    try:
        ftype = FieldType(frame_type.lstrip("*")) if frame_type else _SIMPLE_DEFAULTS[spec.get("type", "")]
    except (ValueError, KeyError):
        raise FrameError(f"field {name!r}: unsupported type {frame_type or spec.get('type')!r}") from None
    nullable = nullable or not frame_type
    labels = spec.get("labels")
    if labels is not None and not (isinstance(labels, dict) and all(isinstance(v, str) for v in labels.values())):
        raise FrameError(f"labels of field {name!r} must be an object of strings")
    config = spec.get("config")
    return Field.from_arrow(
        name,
        pa.array([], type=ftype.arrow_type),
        ftype,
        nullable,
        labels=labels,
        config=FieldConfig.from_dict(config) if config is not None else None,
    )


def _decode_column(spec: Field, values: Any, entity: Any, nanos: Any) -> pa.Array:
    """One column of ``data.values`` (with its entities/nanos) as an array of the field's Arrow type."""
    if not isinstance(values, list):
        raise FrameError(f"field {spec.name!r}: values must be an array")
    ftype = spec.type
    try:
        if ftype is FieldType.JSON:
            null = None if spec.nullable else b"null"
            arr = pa.array([null if v is None else orjson.dumps(v) for v in values], type=pa.binary())
        elif ftype is FieldType.TIME:
            arr = _decode_times(values, nanos)
        else:
            arr = _numbers(values, ftype)
            if entity is not None:
                arr = _apply_entities(arr, entity)
    except (pa.ArrowInvalid, pa.ArrowTypeError, TypeError, ValueError, OverflowError) as exc:
        raise FrameError(f"field {spec.name!r}: values do not fit {ftype.value}: {exc}") from None
    if arr.null_count and not spec.nullable:
        raise FrameError(f"field {spec.name!r} is not nullable but has null values")
    return arr


def _numbers(values: list[Any], ftype: FieldType) -> pa.Array:
    """Values of a non-time type; numeric types also accept numeric strings (as Go's reader).

    Float fields accept integers of any size: Go and JavaScript write integral floats without a fraction
    (3.2042100405679995e18 as ``3204210040567999500``), which Arrow refuses when not exactly representable.
    """
    try:
        return list_to_array(values, ftype.arrow_type)
    except (pa.ArrowInvalid, pa.ArrowTypeError):
        if ftype.is_float:
            parsed = [float(v) if isinstance(v, int | str) and not isinstance(v, bool) else v for v in values]
            return list_to_array(parsed, ftype.arrow_type)
        if not (ftype.is_numeric or ftype is FieldType.ENUM) or not any(isinstance(v, str) for v in values):
            raise
    return list_to_array([int(v) if isinstance(v, str) else v for v in values], ftype.arrow_type)


def _apply_entities(arr: pa.Array, entity: Any) -> pa.Array:
    """Put NaN/+Inf/-Inf back at the rows ``entities`` lists (any key but Inf/NegInf means NaN)."""
    if not isinstance(entity, dict):
        raise FrameError("entities entries must be objects or null")
    values = arr.fill_null(0).to_numpy(zero_copy_only=False).copy()
    nulls = arr.is_null().to_numpy(zero_copy_only=False).copy()
    for key, rows in entity.items():
        index = np.asarray(rows, dtype=np.int64)
        values[index] = _ENTITY_VALUES.get(key, np.nan)
        nulls[index] = False
    return pa.array(values, mask=nulls if nulls.any() else None, type=arr.type)


def _decode_times(values: list[Any], nanos: Any) -> pa.Array:
    """Epoch ms (plus optional per-row ns rest) as timestamp[ns]."""
    ms_arr = pa.array(values, type=pa.int64())
    ms = ms_arr.fill_null(0).to_numpy(zero_copy_only=False)
    if len(ms) and (ms.max() > _MAX_MS or ms.min() < _MIN_MS):
        raise FrameError(f"time values out of range: {ms.min()}..{ms.max()} ms")
    ns = ms * _NS_PER_MS
    if nanos is not None:
        rest = np.asarray(nanos, dtype=np.int64)
        if rest.shape != ns.shape:
            raise FrameError("nanos must have one entry per row")
        ns = ns + rest
    mask = ms_arr.is_null().to_numpy(zero_copy_only=False) if ms_arr.null_count else None
    return pa.array(ns, mask=mask).view(pa.timestamp("ns"))
