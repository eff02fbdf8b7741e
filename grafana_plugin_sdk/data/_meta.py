"""Typed frame metadata (``FrameMeta``) and field configuration (``FieldConfig``) with their JSON forms.

Keys are written in the Go SDK's struct order and with its ``omitempty`` rules; unknown keys are kept in
``extra`` and written back after the known ones.
"""

from __future__ import annotations

import dataclasses
import enum
import functools
import math
from dataclasses import dataclass, field
from typing import Any, TypeVar

from ._errors import FrameError

_T = TypeVar("_T")


_SPECIAL_KEYS = {"display_name_from_ds": "displayNameFromDS"}


def _json_key(name: str) -> str:
    """The JSON key of an attribute: camelCase, as the Go SDK's struct tags."""
    special = _SPECIAL_KEYS.get(name)
    if special is not None:
        return special
    head, *rest = name.split("_")
    return head + "".join(part.capitalize() for part in rest)


def _json_fields(obj: Any) -> tuple[tuple[str, str], ...]:
    """(attribute, JSON key) of a metadata dataclass (or instance), in declaration order; ``extra`` excluded."""
    return _class_json_fields(obj if isinstance(obj, type) else type(obj))


@functools.cache
def _class_json_fields(cls: type) -> tuple[tuple[str, str], ...]:
    return tuple((f.name, _json_key(f.name)) for f in dataclasses.fields(cls) if f.name != "extra")


def _to_dict(obj: Any) -> dict[str, Any]:
    """The JSON object of a metadata dataclass: known keys in order, empty ones omitted, then ``extra``."""
    out: dict[str, Any] = {}
    for name, key in _json_fields(obj):
        value = getattr(obj, name)
        if value is None or (isinstance(value, str | list) and not value and key not in obj._always):
            continue
        out[key] = _jsonable(value)
    out.update(obj.extra)
    return out


def _jsonable(value: Any) -> Any:
    """Nested metadata as JSON-ready values (NaN, which Go writes for unset min/max, as null)."""
    if dataclasses.is_dataclass(value) and not isinstance(value, type):
        return value.to_dict()  # type: ignore[attr-defined]
    if isinstance(value, list):
        return [_jsonable(v) for v in value]
    if isinstance(value, tuple):
        return list(value)
    if isinstance(value, float) and math.isnan(value):
        return None
    return value


def _from_dict(cls: type[_T], data: Any, convert: dict[str, Any] | None = None) -> _T:
    """A metadata dataclass from its JSON object; unknown keys go to ``extra``."""
    if not isinstance(data, dict):
        raise FrameError(f"{cls.__name__} must be a JSON object, got {type(data).__name__}")
    known = {key: name for name, key in _json_fields(cls)}
    kwargs: dict[str, Any] = {}
    extra: dict[str, Any] = {}
    for key, value in data.items():
        name = known.get(key)
        if name is None:
            extra[key] = value
            continue
        conv = (convert or {}).get(name)
        kwargs[name] = conv(value) if conv is not None else value
    return cls(**kwargs, extra=extra)  # type: ignore[call-arg]


def _nan_if_null(value: Any) -> Any:
    return math.nan if value is None else value


def _opt(convert: Any) -> Any:
    """``convert`` that passes JSON null through."""
    return lambda value: None if value is None else convert(value)


@dataclass
class FieldConfig:
    """How Grafana displays a field (Go's ``data.FieldConfig``); nested objects are plain JSON values."""

    display_name: str = ""
    display_name_from_ds: str = ""
    path: str = ""
    description: str = ""
    filterable: bool | None = None
    writeable: bool | None = None
    unit: str = ""
    decimals: int | None = None
    min: float | None = None
    max: float | None = None
    interval: float | None = None
    mappings: list[Any] | None = None
    thresholds: dict[str, Any] | None = None
    color: dict[str, Any] | None = None
    links: list[dict[str, Any]] | None = None
    no_value: str = ""
    type: dict[str, Any] | None = None
    custom: dict[str, Any] | None = None
    extra: dict[str, Any] = field(default_factory=dict)

    _always = frozenset[str]()

    @property
    def enum_text(self) -> list[str] | None:
        """The enum labels (``type.enum.text``), if any."""
        enum_cfg = (self.type or {}).get("enum") or {}
        text = enum_cfg.get("text")
        return list(text) if text is not None else None

    @classmethod
    def for_enum(cls, text: list[str], **kwargs: Any) -> FieldConfig:
        """A config naming the labels of an enum field's values 0, 1, 2...."""
        return cls(type={"enum": {"text": list(text)}}, **kwargs)

    def to_dict(self) -> dict[str, Any]:
        """The JSON object, as the Go SDK writes it."""
        return _to_dict(self)

    @classmethod
    def from_dict(cls, data: Any) -> FieldConfig:
        """From a JSON object; ``min``/``max`` ``null`` read as NaN as in Go."""
        return _from_dict(cls, data, {"min": _nan_if_null, "max": _nan_if_null})

    def __eq__(self, other: object) -> bool:
        if not isinstance(other, FieldConfig):
            return NotImplemented
        return self.to_dict() == other.to_dict()

    __hash__ = None  # type: ignore[assignment]


class FrameType(enum.StrEnum):
    """Known frame shapes (``meta.type``); see Grafana's dataplane contract."""

    TIMESERIES_WIDE = "timeseries-wide"
    TIMESERIES_LONG = "timeseries-long"
    TIMESERIES_MANY = "timeseries-many"
    TIMESERIES_MULTI = "timeseries-multi"
    DIRECTORY_LISTING = "directory-listing"
    TABLE = "table"
    NUMERIC_WIDE = "numeric-wide"
    NUMERIC_MULTI = "numeric-multi"
    NUMERIC_LONG = "numeric-long"
    LOG_LINES = "log-lines"
    HEATMAP_ROWS = "heatmap-rows"
    HEATMAP_CELLS = "heatmap-cells"
    HISTOGRAM = "histogram"


class NoticeSeverity(enum.StrEnum):
    """How serious a notice is."""

    INFO = "info"
    WARNING = "warning"
    ERROR = "error"


@dataclass
class Notice:
    """A message shown with the data (``meta.notices``)."""

    severity: NoticeSeverity | str = NoticeSeverity.INFO
    text: str = ""
    link: str = ""
    inspect: Any = None
    extra: dict[str, Any] = field(default_factory=dict)

    _always = frozenset({"severity", "text"})

    def to_dict(self) -> dict[str, Any]:
        """The JSON object."""
        out = _to_dict(self)
        out["severity"] = str(self.severity)
        return out

    @classmethod
    def from_dict(cls, data: Any) -> Notice:
        """From a JSON object."""
        return _from_dict(cls, data, {"severity": _opt(_severity)})


def _severity(value: Any) -> NoticeSeverity | str:
    try:
        return NoticeSeverity(value)
    except ValueError:
        return str(value)


@dataclass
class QueryStat:
    """A statistic about the query (``meta.stats``): a value with a display config."""

    value: float = 0.0
    config: FieldConfig = field(default_factory=FieldConfig)

    def to_dict(self) -> dict[str, Any]:
        """The JSON object: the config's keys, then ``value``."""
        return {**self.config.to_dict(), "value": self.value}

    @classmethod
    def from_dict(cls, data: Any) -> QueryStat:
        """From a JSON object."""
        if not isinstance(data, dict):
            raise FrameError(f"QueryStat must be a JSON object, got {type(data).__name__}")
        rest = dict(data)
        value = rest.pop("value", 0.0)
        return cls(value, FieldConfig.from_dict(rest))


@dataclass
class FrameMeta:
    """Metadata about a frame (Go's ``data.FrameMeta``)."""

    type: FrameType | str | None = None
    type_version: tuple[int, int] = (0, 0)
    path: str = ""
    path_separator: str = ""
    custom: Any = None
    stats: list[QueryStat] = field(default_factory=list)
    notices: list[Notice] = field(default_factory=list)
    channel: str = ""
    preferred_visualisation_type: str = ""
    preferred_visualisation_plugin_id: str = ""
    executed_query_string: str = ""
    data_topic: str = ""
    unique_row_id_fields: list[int] = field(default_factory=list)
    extra: dict[str, Any] = field(default_factory=dict)

    _always = frozenset[str]()

    def to_dict(self) -> dict[str, Any]:
        """The JSON object, as the Go SDK writes it (``typeVersion`` always present)."""
        out = _to_dict(self)
        if self.type is not None:
            out["type"] = str(self.type)
        return out

    @classmethod
    def from_dict(cls, data: Any) -> FrameMeta:
        """From a JSON object; unknown keys are kept in ``extra``."""
        return _from_dict(
            cls,
            data,
            {
                "type": _opt(_frame_type),
                "type_version": _type_version,
                "stats": lambda v: [QueryStat.from_dict(s) for s in v or []],
                "notices": lambda v: [Notice.from_dict(n) for n in v or []],
                "unique_row_id_fields": lambda v: list(v or []),
            },
        )


def _frame_type(value: Any) -> FrameType | str:
    try:
        return FrameType(value)
    except ValueError:
        return str(value)


def _type_version(value: Any) -> tuple[int, int]:
    if not (isinstance(value, list) and len(value) == 2 and all(isinstance(v, int) for v in value)):
        raise FrameError(f"meta.typeVersion must be [major, minor], got {value!r}")
    return (value[0], value[1])
