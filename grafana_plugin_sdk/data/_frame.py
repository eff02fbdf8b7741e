"""The data frame: a name, a refId, metadata and fields of equal length."""

from __future__ import annotations

import enum
from collections.abc import Iterable, Mapping, Sequence
from typing import Any

import pyarrow as pa

from ._errors import FrameError
from ._field import Field
from ._meta import FrameMeta


class FrameInclude(enum.StrEnum):
    """Which parts of the frame JSON to write (Go's ``IncludeAll``/``IncludeSchemaOnly``/``IncludeDataOnly``)."""

    ALL = "all"
    SCHEMA_ONLY = "schema"
    DATA_ONLY = "data"


class Frame:
    """A table of typed fields (Go's ``data.Frame``); encodes to Arrow IPC and to Grafana's frame JSON."""

    __slots__ = ("fields", "meta", "name", "ref_id")

    def __init__(
        self,
        name: str = "",
        fields: Iterable[Field] | None = None,
        *,
        ref_id: str = "",
        meta: FrameMeta | None = None,
    ) -> None:
        """A frame of ``fields``; FrameError if they differ in length."""
        self.name = name
        self.fields: list[Field] = list(fields) if fields is not None else []
        self.ref_id = ref_id
        self.meta = meta
        self.check_lengths()

    # --- shape -----------------------------------------------------------------------------------

    @property
    def rows(self) -> int:
        """The number of rows (0 without fields); FrameError if the fields differ in length."""
        return self.check_lengths()

    def check_lengths(self) -> int:
        """The common length of all fields; FrameError naming the first field that differs."""
        if not self.fields:
            return 0
        n = len(self.fields[0])
        for i, f in enumerate(self.fields[1:], 1):
            if len(f) != n:
                raise FrameError(
                    f"frame {self.name!r}: field {i} ({f.name!r}) has {len(f)} rows, "
                    f"field 0 ({self.fields[0].name!r}) has {n}"
                )
        return n

    def field(self, key: str | int) -> Field:
        """The field at an index, or the first field with a name; KeyError if there is none."""
        if isinstance(key, int):
            return self.fields[key]
        for f in self.fields:
            if f.name == key:
                return f
        raise KeyError(key)

    # --- codecs ----------------------------------------------------------------------------------

    def to_arrow(self) -> bytes:
        """The frame as one Arrow IPC file, as the Go SDK writes into ``DataResponse.frames``."""
        from ._arrow import frame_to_arrow

        return frame_to_arrow(self)

    @classmethod
    def from_arrow(cls, data: bytes | bytearray | memoryview | pa.Buffer) -> Frame:
        """A frame from an Arrow IPC file; columns are zero-copy views of ``data`` when it has one batch."""
        from ._arrow import frame_from_arrow

        return frame_from_arrow(data)

    def to_json(self, include: FrameInclude | str = FrameInclude.ALL) -> bytes:
        """Grafana's frame JSON (``schema`` and/or ``data``), as ``/api/ds/query`` returns it."""
        from ._json import frame_to_json

        return frame_to_json(self, FrameInclude(include))

    @classmethod
    def from_json(cls, data: bytes | str, *, schema: Frame | None = None) -> Frame:
        """A frame from frame JSON; a data-only document takes its fields' types from ``schema``."""
        from ._json import frame_from_json

        return frame_from_json(data, schema)

    @classmethod
    def from_dict(cls, doc: Any, *, schema: Frame | None = None) -> Frame:
        """A frame from frame JSON already parsed into Python objects (see :meth:`from_json`)."""
        from ._json import frame_from_dict

        return frame_from_dict(doc, schema)

    # --- interop ---------------------------------------------------------------------------------

    def to_table(self) -> pa.Table:
        """The fields as a pyarrow Table (zero-copy), with the Go SDK's schema metadata."""
        from ._arrow import frame_schema

        self.check_lengths()
        return pa.Table.from_arrays([f.values for f in self.fields], schema=frame_schema(self))

    @classmethod
    def from_table(cls, table: pa.Table | pa.RecordBatch, name: str = "", **kwargs: Any) -> Frame:
        """A frame from a pyarrow Table or RecordBatch (types inferred from the Arrow types)."""
        return cls(name, [Field(n, table.column(i)) for i, n in enumerate(table.column_names)], **kwargs)

    @classmethod
    def from_records(
        cls,
        records: Sequence[Mapping[str, Any]],
        name: str = "",
        *,
        types: Mapping[str, Any] | None = None,
        **kwargs: Any,
    ) -> Frame:
        """A frame from row dicts; columns in first-seen key order, missing keys are null."""
        names: dict[str, None] = {}
        for record in records:
            names.update(dict.fromkeys(record))
        types = types or {}
        fields = [Field(n, [r.get(n) for r in records], type=types.get(n)) for n in names]
        return cls(name, fields, **kwargs)

    @classmethod
    def from_pandas(cls, df: Any, name: str = "", **kwargs: Any) -> Frame:
        """A frame from a pandas DataFrame (needs pandas; numeric columns without nulls are not copied)."""
        return cls(name, [Field(str(c), df[c]) for c in df.columns], **kwargs)

    def to_pandas(self) -> Any:
        """The fields as a pandas DataFrame (needs pandas: ``pip install pandas``)."""
        try:
            import pandas as pd
        except ModuleNotFoundError as exc:
            raise ModuleNotFoundError("Frame.to_pandas needs pandas: pip install pandas", name=exc.name) from None

        return pd.DataFrame({f.name: f.to_numpy() for f in self.fields})

    # --- display ---------------------------------------------------------------------------------

    def string_table(self, max_fields: int = 10, max_rows: int = 10) -> str:
        """A readable table of the frame as the Go SDK's ``StringTable`` prints it."""
        from ._table import string_table

        return string_table(self, max_fields, max_rows)

    def __str__(self) -> str:
        return self.string_table()

    def __repr__(self) -> str:
        return f"Frame({self.name!r}, {len(self.fields)} fields, {self.rows if self._lengths_ok() else '?'} rows)"

    def _lengths_ok(self) -> bool:
        return len({len(f) for f in self.fields}) <= 1

    def __eq__(self, other: object) -> bool:
        if not isinstance(other, Frame):
            return NotImplemented
        return (
            self.name == other.name
            and self.ref_id == other.ref_id
            and self.meta == other.meta
            and self.fields == other.fields
        )

    __hash__ = None  # type: ignore[assignment]
