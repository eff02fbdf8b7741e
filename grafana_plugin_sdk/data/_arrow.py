"""Frame <-> Arrow IPC file, as the Go SDK's ``MarshalArrow``/``UnmarshalArrowFrame``."""

from __future__ import annotations

import functools
from typing import TYPE_CHECKING, Any

import orjson
import pyarrow as pa
import pyarrow.compute as pc

from ._errors import FrameError
from ._field import Field, fill_nulls
from ._meta import FieldConfig, FrameMeta
from ._types import FieldType

if TYPE_CHECKING:
    from ._frame import Frame

#: The IPC format the Go SDK writes (given explicitly: pyarrow would read two environment variables per file).
_WRITE_OPTIONS = pa.ipc.IpcWriteOptions(metadata_version=pa.ipc.MetadataVersion.V5)


@functools.lru_cache(maxsize=1024)
def _schema_field(name: str, ftype: FieldType, nullable: bool, config: bytes | None, labels: bytes | None) -> pa.Field:
    """One Arrow schema field with the Go SDK's metadata (frames of one shape share them: made once)."""
    md: dict[str, bytes] = {}
    if config is not None:
        md["config"] = config
    if labels is not None:
        md["labels"] = labels
    md["tstype"] = ftype.simple_type.encode()
    return pa.field(name, ftype.arrow_type, nullable=nullable, metadata=md)


def frame_schema(frame: Frame) -> pa.Schema:
    """The Arrow schema of a frame with the Go SDK's metadata keys (sorted, as Go writes them)."""
    fields = [
        _schema_field(
            f.name,
            f.type,
            f.nullable,
            orjson.dumps(f.config.to_dict()) if f.config is not None else None,
            orjson.dumps(f.labels, option=orjson.OPT_SORT_KEYS) if f.labels is not None else None,
        )
        for f in frame.fields
    ]
    meta: dict[str, bytes] = {}
    if frame.meta is not None:
        meta["meta"] = orjson.dumps(frame.meta.to_dict())
    meta["name"] = frame.name.encode()
    meta["refId"] = frame.ref_id.encode()
    return pa.schema(fields, metadata=meta)


def frame_to_arrow(frame: Frame) -> bytes:
    """One Arrow IPC file holding the frame as a single record batch."""
    frame.check_lengths()
    schema = frame_schema(frame)
    batch = pa.RecordBatch.from_arrays([f.values for f in frame.fields], schema=schema)
    sink = pa.BufferOutputStream()
    with pa.ipc.new_file(sink, schema, options=_WRITE_OPTIONS) as writer:
        writer.write_batch(batch)
    return sink.getvalue().to_pybytes()  # type: ignore[no-any-return]


def frame_from_arrow(data: bytes | bytearray | memoryview | pa.Buffer) -> Frame:
    """A frame from an Arrow IPC file; column buffers are views of ``data`` (one record batch: no copy)."""
    from ._frame import Frame

    try:
        reader = pa.ipc.open_file(data if isinstance(data, pa.Buffer) else pa.py_buffer(data))
        batches = [reader.get_batch(i) for i in range(reader.num_record_batches)]
    except (pa.ArrowInvalid, pa.ArrowNotImplementedError, OSError) as exc:
        raise FrameError(f"not a readable Arrow IPC file: {exc}") from None
    schema = reader.schema
    md = schema.metadata or {}
    fields = [_field(schema.field(i), [b.column(i) for b in batches]) for i in range(len(schema))]
    meta_json = _json_key(md, b"meta", "frame meta")
    return Frame(
        md.get(b"name", b"").decode(),
        fields,
        ref_id=md.get(b"refId", b"").decode(),
        meta=FrameMeta.from_dict(meta_json) if meta_json is not None else None,
    )


def _field(af: pa.Field, chunks: list[pa.Array]) -> Field:
    """One field from its Arrow schema field and its column in every record batch."""
    md = af.metadata or {}
    try:
        ftype = FieldType.from_arrow(af.type, md.get(b"tstype", b"").decode())
    except FrameError as exc:
        raise FrameError(f"field {af.name!r}: {exc}") from None
    if not chunks:
        array = pa.array([], type=ftype.arrow_type)
    else:
        array = chunks[0] if len(chunks) == 1 else pa.concat_arrays(chunks)
        array = _normalise(array, ftype)
    if not af.nullable:
        array = fill_nulls(array, ftype)
    labels = _json_key(md, b"labels", f"labels of field {af.name!r}")
    if labels is not None and not (isinstance(labels, dict) and all(isinstance(v, str) for v in labels.values())):
        raise FrameError(f"labels of field {af.name!r} must be a JSON object of strings")
    config = _json_key(md, b"config", f"config of field {af.name!r}")
    return Field.from_arrow(
        af.name,
        array,
        ftype,
        af.nullable,
        labels=labels,
        config=FieldConfig.from_dict(config) if config is not None else None,
    )


def _normalise(array: pa.Array, ftype: FieldType) -> pa.Array:
    """Tolerated variants as the field type's own Arrow type (string_view, other time units or zones)."""
    target = ftype.arrow_type
    if array.type == target:
        return array
    if ftype is FieldType.TIME:
        unit, tz = array.type.unit, array.type.tz
        if unit != "ns":
            array = pc.cast(array, pa.timestamp("ns", tz=tz))
        return array.view(target)
    return pc.cast(array, target)


def _json_key(md: dict[bytes, bytes], key: bytes, what: str) -> Any:
    """The JSON value stored under a metadata key, None if absent; FrameError if it is not valid JSON."""
    raw = md.get(key)
    if raw is None:
        return None
    try:
        return orjson.loads(raw)
    except orjson.JSONDecodeError as exc:
        raise FrameError(f"{what} is not valid JSON: {exc}") from None
