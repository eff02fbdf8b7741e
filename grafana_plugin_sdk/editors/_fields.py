"""Field declarations: what one editor field is, and helpers that attach one to a dataclass attribute."""

from __future__ import annotations

import dataclasses
import enum
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any

METADATA_KEY = "grafana_plugin_sdk.editors"


class Kind(enum.StrEnum):
    """How a field is edited (and which JSON type its value has)."""

    TEXT = "text"
    NUMBER = "number"
    BOOLEAN = "boolean"
    SELECT = "select"
    MULTILINE = "multiline"
    CODE = "code"
    SECRET = "secret"


@dataclass(frozen=True)
class Option:
    """One choice of a select."""

    value: str
    label: str = ""
    description: str = ""


@dataclass(frozen=True)
class ResourceOptions:
    """A select's options fetched from the plugin's resource ``path`` (``GET``, a JSON array).

    Items are strings, or objects whose ``value_key`` (and ``label_key``, default the same) give the option.
    """

    path: str
    value_key: str = "value"
    label_key: str = ""


@dataclass(frozen=True)
class FieldSpec:
    """An editor field: its JSON key, how it is shown and edited, and its rules."""

    key: str
    kind: Kind
    label: str = ""
    description: str = ""
    default: Any = None
    required: bool = False
    secure: bool = False
    placeholder: str = ""
    options: tuple[Option, ...] = ()
    options_resource: ResourceOptions | None = None
    language: str = ""
    show_when: Mapping[str, tuple[str, ...]] = dataclasses.field(default_factory=dict)


def _options(options: Sequence[Option | str | tuple[str, str]]) -> tuple[Option, ...]:
    converted = []
    for option in options:
        if isinstance(option, Option):
            converted.append(option)
        elif isinstance(option, str):
            converted.append(Option(option))
        else:
            converted.append(Option(*option))
    return tuple(converted)


def _show_when(show_when: Mapping[str, str | Sequence[str]] | None) -> dict[str, tuple[str, ...]]:
    return {k: (v,) if isinstance(v, str) else tuple(v) for k, v in (show_when or {}).items()}


def _field(spec_kind: Kind, label: str, default: Any, **spec: Any) -> Any:
    """A ``dataclasses.field`` carrying the spec; the key is filled in from the attribute name later."""
    show_when = _show_when(spec.pop("show_when", None))
    metadata = {METADATA_KEY: dict(spec, kind=spec_kind, label=label, default=default, show_when=show_when)}
    return dataclasses.field(default=default, metadata=metadata)


def text(
    label: str = "",
    *,
    key: str = "",
    description: str = "",
    default: str = "",
    required: bool = False,
    placeholder: str = "",
    secure: bool = False,
    show_when: Mapping[str, str | Sequence[str]] | None = None,
) -> Any:
    """A one-line text field (a ``str``; template variables are interpolated in queries)."""
    return _field(
        Kind.TEXT,
        label,
        default,
        key=key,
        description=description,
        required=required,
        placeholder=placeholder,
        secure=secure,
        show_when=show_when,
    )


def multiline(
    label: str = "",
    *,
    key: str = "",
    description: str = "",
    default: str = "",
    required: bool = False,
    placeholder: str = "",
    show_when: Mapping[str, str | Sequence[str]] | None = None,
) -> Any:
    """A multi-line text field (a ``str``)."""
    return _field(
        Kind.MULTILINE,
        label,
        default,
        key=key,
        description=description,
        required=required,
        placeholder=placeholder,
        show_when=show_when,
    )


def code(
    label: str = "",
    *,
    language: str,
    key: str = "",
    description: str = "",
    default: str = "",
    required: bool = False,
    show_when: Mapping[str, str | Sequence[str]] | None = None,
) -> Any:
    """Source code in ``language`` (such as ``"sql"``), edited in a monospace editor (a ``str``)."""
    return _field(
        Kind.CODE,
        label,
        default,
        key=key,
        description=description,
        required=required,
        language=language,
        show_when=show_when,
    )


def number(
    label: str = "",
    *,
    key: str = "",
    description: str = "",
    default: float | None = None,
    required: bool = False,
    placeholder: str = "",
    show_when: Mapping[str, str | Sequence[str]] | None = None,
) -> Any:
    """A number (``int`` when the attribute is annotated ``int``, else ``float``; ``None`` when unset)."""
    return _field(
        Kind.NUMBER,
        label,
        default,
        key=key,
        description=description,
        required=required,
        placeholder=placeholder,
        show_when=show_when,
    )


def boolean(
    label: str = "",
    *,
    key: str = "",
    description: str = "",
    default: bool = False,
    show_when: Mapping[str, str | Sequence[str]] | None = None,
) -> Any:
    """A switch (a ``bool``)."""
    return _field(Kind.BOOLEAN, label, default, key=key, description=description, show_when=show_when)


def select(
    label: str = "",
    *,
    options: Sequence[Option | str | tuple[str, str]] = (),
    options_resource: ResourceOptions | str | None = None,
    key: str = "",
    description: str = "",
    default: str = "",
    required: bool = False,
    show_when: Mapping[str, str | Sequence[str]] | None = None,
) -> Any:
    """One value out of ``options`` (fixed) or out of ``options_resource`` (fetched; then any string is valid)."""
    if not options and options_resource is None:
        raise ValueError("a select needs options or options_resource")
    resource = ResourceOptions(options_resource) if isinstance(options_resource, str) else options_resource
    return _field(
        Kind.SELECT,
        label,
        default,
        key=key,
        description=description,
        required=required,
        options=_options(options),
        options_resource=resource,
        show_when=show_when,
    )


def secret(label: str = "", *, key: str = "", description: str = "", required: bool = False) -> Any:
    """A secret kept in ``secureJsonData``: write-only from the browser, shown as configured or not (a ``str``)."""
    return _field(Kind.SECRET, label, "", key=key, description=description, required=required, secure=True)
