"""Schemas: a dataclass of editor fields, parsed from settings or queries and serialised for the frontend."""

from __future__ import annotations

import dataclasses
import math
import typing
from collections.abc import Awaitable, Callable, Mapping
from dataclasses import dataclass
from typing import Any, Generic, TypeVar

from grafana_plugin_sdk._invoke import call_maybe_async
from grafana_plugin_sdk.backend import (
    DataQuery,
    DataResponse,
    DataSourceInstanceSettings,
    DownstreamError,
    ErrorSource,
    QueryDataRequest,
)

from ._fields import METADATA_KEY, FieldSpec, Kind

T = TypeVar("T")

_STRING_KINDS = frozenset({Kind.TEXT, Kind.MULTILINE, Kind.CODE, Kind.SECRET, Kind.SELECT})


class InvalidSettings(ValueError):
    """A data source's settings do not match its declaration; the message lists every problem."""


class InvalidQuery(DownstreamError):
    """A query does not match its declaration: answered as a 400 for its refId."""

    def __init__(self, message: str) -> None:
        super().__init__(message, 400)

    def response(self) -> DataResponse:
        """The 400 error response for the query's refId."""
        return DataResponse.error_response(str(self), 400, ErrorSource.DOWNSTREAM)


@dataclass(frozen=True)
class Streaming:
    """Queries matching ``when`` (key → accepted values; empty: every query) run as a live stream.

    The frontend subscribes to the channel ``ds/<data source uid>/<path>``, where ``{key}`` in ``path`` is replaced
    by the query's value for ``key``; the query's declared values are the subscription's data (``RunStream``'s
    ``request.data``).
    """

    path: str
    when: Mapping[str, tuple[str, ...]] = dataclasses.field(default_factory=dict)


def _specs(cls: type[Any]) -> tuple[tuple[str, FieldSpec, type[Any]], ...]:
    if not dataclasses.is_dataclass(cls):
        raise TypeError(f"{cls.__name__} is not a dataclass")
    hints = typing.get_type_hints(cls)
    specs = []
    for f in dataclasses.fields(cls):
        meta = f.metadata.get(METADATA_KEY)
        if meta is None:
            raise TypeError(f"{cls.__name__}.{f.name} is not an editor field (use editors.text(), number(), ...)")
        spec = FieldSpec(**dict(meta, key=meta.get("key") or f.name))
        specs.append((f.name, spec, hints[f.name]))
    keys = [spec.key for _, spec, _ in specs]
    if len(set(keys)) != len(keys):
        raise TypeError(f"{cls.__name__} declares a JSON key twice")
    for _, spec, _ in specs:
        unknown = set(spec.show_when) - set(keys)
        if unknown:
            raise TypeError(f"{spec.key}: show_when names undeclared fields {sorted(unknown)}")
    return tuple(specs)


def _shown(value: Any, limit: int = 40) -> str:
    """``repr(value)`` cut to ``limit`` characters, so a huge hostile value cannot flood an error message."""
    text = repr(value)
    return text if len(text) <= limit else text[: limit - 3] + "..."


def _is_int(annotation: type[Any]) -> bool:
    return annotation is int or set(typing.get_args(annotation)) == {int, type(None)}


def _convert(spec: FieldSpec, annotation: type[Any], value: Any) -> Any:
    """The typed value of one present, non-empty JSON value; ValueError with a readable reason otherwise."""
    if spec.kind in _STRING_KINDS:
        if not isinstance(value, str):
            raise ValueError(f"must be a string, got {type(value).__name__}")
        allowed = [o.value for o in spec.options]
        if spec.kind is Kind.SELECT and spec.options_resource is None and value not in allowed:
            raise ValueError(f"must be one of {', '.join(allowed)}, got {_shown(value)}")
        return value
    if spec.kind is Kind.BOOLEAN:
        if not isinstance(value, bool):
            raise ValueError(f"must be true or false, got {_shown(value)}")
        return value
    number = _number(value)
    if _is_int(annotation):
        if number != int(number):
            raise ValueError(f"must be a whole number, got {_shown(value)}")
        return int(number)
    return number


def _number(value: Any) -> float:
    if isinstance(value, bool):
        raise ValueError(f"must be a number, got {_shown(value)}")
    try:
        number = float(value)
    except (TypeError, ValueError):
        raise ValueError(f"must be a number, got {_shown(value)}") from None
    if not math.isfinite(number):
        raise ValueError(f"must be a finite number, got {_shown(value)}")
    return number


def _visible(spec: FieldSpec, values: Mapping[str, Any], defaults: Mapping[str, Any]) -> bool:
    return all(str(values.get(k, defaults[k])) in accepted for k, accepted in spec.show_when.items())


class _Schema(Generic[T]):
    """Fields declared by the dataclass ``cls``, with parsing into ``cls`` and the frontend's JSON form."""

    def __init__(self, cls: type[T]) -> None:
        self.cls = cls
        self.fields = _specs(cls)

    def _parse(self, values: Mapping[str, Any]) -> tuple[T, list[str]]:
        defaults = {spec.key: spec.default for _, spec, _ in self.fields}
        kwargs: dict[str, Any] = {}
        problems = []
        for attr, spec, annotation in self.fields:
            value = values.get(spec.key)
            if value is None or value == "":
                if spec.required and _visible(spec, values, defaults):
                    problems.append(f"{spec.key} is required")
                continue
            try:
                kwargs[attr] = _convert(spec, annotation, value)
            except ValueError as exc:
                problems.append(f"{spec.key} {exc}")
        return self.cls(**kwargs), problems

    def to_json(self) -> list[dict[str, Any]]:
        """The fields as the frontend reads them."""
        return [_spec_json(spec) for _, spec, _ in self.fields]


def _spec_json(spec: FieldSpec) -> dict[str, Any]:
    out: dict[str, Any] = {"key": spec.key, "kind": str(spec.kind), "label": spec.label or spec.key}
    optional = {
        "description": spec.description,
        "placeholder": spec.placeholder,
        "language": spec.language,
        "required": spec.required,
        "secure": spec.secure,
        "showWhen": {k: list(v) for k, v in spec.show_when.items()},
        "options": [
            {"value": o.value, "label": o.label or o.value, "description": o.description} for o in spec.options
        ],
    }
    out.update({k: v for k, v in optional.items() if v})
    if spec.default not in (None, "") and spec.kind is not Kind.SECRET:
        out["default"] = spec.default
    if spec.options_resource is not None:
        r = spec.options_resource
        out["optionsResource"] = {"path": r.path, "valueKey": r.value_key, "labelKey": r.label_key or r.value_key}
    return out


class SettingsSchema(_Schema[T]):
    """A data source's settings: plain fields in ``jsonData``, ``secure`` ones in ``secureJsonData``."""

    def __init__(self, cls: type[T]) -> None:
        super().__init__(cls)
        resourced = [spec.key for _, spec, _ in self.fields if spec.options_resource is not None]
        if resourced:
            raise TypeError(f"settings cannot fetch options from resources (no data source exists yet): {resourced}")

    def parse(self, settings: DataSourceInstanceSettings) -> T:
        """The typed settings; :class:`InvalidSettings` lists every field that does not match."""
        json_data, secure = settings.json_data, settings.decrypted_secure_json_data
        values = {s.key: (secure if s.secure else json_data).get(s.key) for _, s, _ in self.fields}
        parsed, problems = self._parse(values)
        if problems:
            raise InvalidSettings("invalid data source settings: " + "; ".join(problems))
        return parsed


QueryHandler = Callable[[QueryDataRequest, DataQuery, T], DataResponse | Awaitable[DataResponse]]
"""Answers one query given its parsed model: ``fn(request, query, parsed)``, plain or ``async``."""


class QuerySchema(_Schema[T]):
    """A query's fields (keys of ``DataQuery.model``), and which queries stream."""

    def __init__(self, cls: type[T], streaming: Streaming | None = None) -> None:
        super().__init__(cls)
        self.streaming = streaming
        secure = [spec.key for _, spec, _ in self.fields if spec.secure]
        if secure:
            raise TypeError(f"queries are stored in dashboards and cannot hold secrets: {secure}")
        if streaming is not None:
            keys = {spec.key for _, spec, _ in self.fields}
            unknown = set(streaming.when) - keys
            if unknown:
                raise TypeError(f"streaming.when names undeclared fields {sorted(unknown)}")

    def parse(self, query: DataQuery) -> T:
        """The typed query; :class:`InvalidQuery` (a 400 for this refId) lists every field that does not match."""
        parsed, problems = self._parse(query.model)
        if problems:
            raise InvalidQuery(f"invalid query {query.ref_id}: " + "; ".join(problems))
        return parsed

    def handler(self, fn: QueryHandler[T]) -> Callable[[QueryDataRequest, DataQuery], Awaitable[DataResponse]]:
        """Wrap a query function taking the parsed query (plain or ``async``) into a ``QueryTypeMux`` function.

        A query that does not parse is answered with its 400 response without calling ``fn``.
        """

        async def answer(request: QueryDataRequest, query: DataQuery) -> DataResponse:
            try:
                parsed = self.parse(query)
            except InvalidQuery as exc:
                return exc.response()
            return typing.cast(DataResponse, await call_maybe_async(fn, request, query, parsed))

        return answer

    def streaming_json(self) -> dict[str, Any] | None:
        """The streaming rule as the frontend reads it."""
        if self.streaming is None:
            return None
        return {"path": self.streaming.path, "when": {k: list(v) for k, v in self.streaming.when.items()}}
