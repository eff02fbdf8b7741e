"""Assertions for tests: frames equal (with a readable diff) and responses equal to golden files."""

from __future__ import annotations

import inspect
import math
from collections.abc import Sequence
from datetime import datetime
from pathlib import Path
from typing import Any

import pyarrow as pa

from grafana_plugin_sdk.backend import DataResponse, QueryDataResponse
from grafana_plugin_sdk.data import Field, FieldType, Frame

from . import _options
from .golden import check_golden, first_difference

_SHOWN_VALUE = 60


def _describe_fields(frame: Frame) -> str:
    return "[" + ", ".join(f"{f.name!r}: {f.type.value}{'?' if f.nullable else ''}" for f in frame.fields) + "]"


def _comparable(field: Field) -> list[Any]:
    """Values compared exactly as stored: times as epoch nanoseconds, JSON decoded."""
    if field.type is FieldType.TIME:
        return field.values.view(pa.int64()).to_pylist()  # type: ignore[no-any-return]
    return field.to_pylist()


def _close(a: Any, b: Any, rtol: float, atol: float) -> bool:
    if isinstance(a, float) and isinstance(b, float):
        if math.isnan(a) or math.isnan(b):
            return math.isnan(a) and math.isnan(b)
        return a == b or math.isclose(a, b, rel_tol=rtol, abs_tol=atol)
    return bool(a == b and type(a) is type(b))


def _shown(value: Any) -> str:
    text = value.isoformat() if isinstance(value, datetime) else repr(value)
    return text if len(text) <= _SHOWN_VALUE else text[: _SHOWN_VALUE - 3] + "..."


def _value(field: Field, index: int) -> Any:
    if field.type in (FieldType.TIME, FieldType.JSON):
        return field.to_pylist()[index]
    return field.values[index].as_py()


def _row(frame: Frame, index: int) -> str:
    return ", ".join(f"{f.name}={_shown(_value(f, index))}" for f in frame.fields)


def _schema_difference(actual: Frame, expected: Frame, check_ref_id: bool) -> str | None:
    if actual.name != expected.name:
        return f"name: actual {actual.name!r}, expected {expected.name!r}"
    if check_ref_id and actual.ref_id != expected.ref_id:
        return f"refId: actual {actual.ref_id!r}, expected {expected.ref_id!r}"
    fields = (_describe_fields(actual), _describe_fields(expected))
    if fields[0] != fields[1]:
        return f"fields differ (name: type, ? = nullable)\n  actual:   {fields[0]}\n  expected: {fields[1]}"
    for a, b in zip(actual.fields, expected.fields, strict=True):
        if a.labels != b.labels:
            return f"field {a.name!r} labels: actual {a.labels}, expected {b.labels}"
        if a.config != b.config:
            a_config = a.config.to_dict() if a.config else {}
            b_config = b.config.to_dict() if b.config else {}
            where = first_difference(b_config, a_config, "config") or "config"
            return f"field {a.name!r} {where}"
    if actual.meta != expected.meta:
        a_meta = actual.meta.to_dict() if actual.meta else {}
        b_meta = expected.meta.to_dict() if expected.meta else {}
        return f"meta: {first_difference(b_meta, a_meta, 'meta') or 'differs'}"
    if actual.rows != expected.rows:
        return f"row count: actual {actual.rows}, expected {expected.rows}"
    return None


def frame_difference(
    actual: Frame, expected: Frame, *, rtol: float = 0.0, atol: float = 0.0, check_ref_id: bool = False
) -> str | None:
    """What differs between two frames (schema first, then the first differing row), or None when equal.

    Floats compare with ``math.isclose(rel_tol=rtol, abs_tol=atol)``; NaN equals NaN; times to the nanosecond.
    The refId (set on every frame a response carries) is compared only with ``check_ref_id``.
    """
    found = _schema_difference(actual, expected, check_ref_id)
    if found is not None:
        return found
    first: int | None = None
    for a, b in zip(actual.fields, expected.fields, strict=True):
        if a == b:
            continue
        a_values, b_values = _comparable(a), _comparable(b)
        for i, (x, y) in enumerate(zip(a_values, b_values, strict=True)):
            if first is not None and i >= first:
                break
            if not _close(x, y, rtol, atol):
                first = i
                break
    if first is None:
        return None
    differing = [
        f.name
        for f, g in zip(actual.fields, expected.fields, strict=True)
        if not _close(_comparable(f)[first], _comparable(g)[first], rtol, atol)
    ]
    return (
        f"first differing row {first} (fields {', '.join(map(repr, differing))})\n"
        f"  actual:   {_row(actual, first)}\n"
        f"  expected: {_row(expected, first)}"
    )


def frames_difference(
    actual: Sequence[Frame],
    expected: Sequence[Frame],
    *,
    rtol: float = 0.0,
    atol: float = 0.0,
    check_ref_id: bool = False,
) -> str | None:
    """What differs between two lists of frames (count, then frame by frame), or None when equal."""
    if len(actual) != len(expected):
        names = ([f.name for f in actual], [f.name for f in expected])
        return f"frame count: actual {len(actual)} {names[0]}, expected {len(expected)} {names[1]}"
    for i, (a, b) in enumerate(zip(actual, expected, strict=True)):
        found = frame_difference(a, b, rtol=rtol, atol=atol, check_ref_id=check_ref_id)
        if found is not None:
            return f"frame {i} ({a.name!r}): {found}"
    return None


def assert_frames_equal(
    actual: Frame | Sequence[Frame],
    expected: Frame | Sequence[Frame],
    *,
    rtol: float = 0.0,
    atol: float = 0.0,
    check_ref_id: bool = False,
) -> None:
    """Fail with a readable diff (field names and types, the first differing row) unless the frames are equal.

    See :func:`frame_difference` for the tolerances and ``check_ref_id``.
    """
    a_list = [actual] if isinstance(actual, Frame) else list(actual)
    b_list = [expected] if isinstance(expected, Frame) else list(expected)
    found = frames_difference(a_list, b_list, rtol=rtol, atol=atol, check_ref_id=check_ref_id)
    if found is not None:
        raise AssertionError(f"frames differ: {found}")


def golden_files(
    response: DataResponse | QueryDataResponse, name: str, directory: Path
) -> list[tuple[Path, DataResponse]]:
    """The golden file of each DataResponse: ``name.jsonc``, or ``name.<refId>.jsonc`` for several refIds."""
    if isinstance(response, DataResponse):
        return [(directory / f"{name}.jsonc", response)]
    if len(response) == 1:
        (only,) = response.responses.values()
        return [(directory / f"{name}.jsonc", only)]
    return [(directory / f"{name}.{ref}.jsonc", resp) for ref, resp in response.responses.items()]


def assert_golden(
    response: DataResponse | QueryDataResponse,
    name: str,
    *,
    directory: str | Path | None = None,
    update: bool | None = None,
) -> None:
    """Compare ``response`` with ``testdata/<name>.jsonc`` next to the calling test file (Go SDK format).

    ``update`` (default: pytest's ``--update-golden``) rewrites the files instead. A QueryDataResponse with
    several refIds is kept as one file per refId, ``<name>.<refId>.jsonc``.
    """
    if directory is None:
        caller = inspect.stack(context=0)[1].filename
        directory = Path(caller).resolve().parent / "testdata"
    directory = Path(directory)
    update = _options.update_golden() if update is None else update
    if update:
        directory.mkdir(parents=True, exist_ok=True)
    problems = [
        problem
        for path, resp in golden_files(response, name, directory)
        if (problem := check_golden(path, resp, update=update)) is not None
    ]
    if problems:
        hint = "\n(run pytest with --update-golden to accept the new output)"
        raise AssertionError("\n".join(problems) + hint)
