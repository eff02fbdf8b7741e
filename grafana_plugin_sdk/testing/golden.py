"""Golden DataResponse files in the Go SDK's ``.jsonc`` format (``experimental.CheckGoldenJSONResponse``).

A file is a ``//``-commented readable table of the frames between two marker lines, then the indented JSON
of the DataResponse. Files are compared by JSON equality, never by text.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import orjson

from grafana_plugin_sdk.backend import DataResponse, data_response_from_dict, data_response_to_json

__all__ = ["check_golden", "golden_matches", "golden_text", "read_golden", "write_golden"]

MARKER = "🌟 This was machine generated.  Do not edit. 🌟"


def golden_text(resp: DataResponse) -> str:
    """The whole golden file for a response: commented table header, then the indented JSON."""
    lines = [MARKER, ""]
    if resp.error:
        lines.append(f"Error: {resp.error}")
    for i, frame in enumerate(resp.frames):
        meta = json.dumps(frame.meta.to_dict(), indent=4, ensure_ascii=False) if frame.meta is not None else ""
        block = f"Frame[{i}] {meta}\n{frame.string_table(-1, -1)}\n"
        lines.extend(block.split("\n"))
        if i < len(resp.frames) - 1:
            lines.append("")
    lines.append(MARKER)
    header = "\n".join(f"//  {line}" for line in lines)
    body = orjson.dumps(orjson.loads(data_response_to_json(resp)), option=orjson.OPT_INDENT_2).decode()
    return f"{header}\n{body}"


def write_golden(path: str | Path, resp: DataResponse) -> None:
    """Write (or overwrite) the golden file for ``resp``."""
    Path(path).write_text(golden_text(resp), encoding="utf-8")


def _golden_json(path: str | Path) -> Any:
    """The JSON part of a golden file (every ``//`` comment line dropped)."""
    text = Path(path).read_text(encoding="utf-8")
    return orjson.loads("\n".join(line for line in text.splitlines() if not line.lstrip().startswith("//")))


def read_golden(path: str | Path) -> DataResponse:
    """The DataResponse a golden file holds."""
    return data_response_from_dict(_golden_json(path))


def golden_matches(path: str | Path, resp: DataResponse) -> bool:
    """Whether the file exists and holds JSON equal to ``resp``'s."""
    return check_golden(path, resp) is None


def check_golden(path: str | Path, resp: DataResponse, *, update: bool = False) -> str | None:
    """None when the file matches ``resp`` (or was just written with ``update``), else what differs."""
    path = Path(path)
    if update:
        write_golden(path, resp)
        return None
    if not path.exists():
        return f"golden file {path} does not exist (write it with the update flag)"
    expected = _golden_json(path)
    actual = orjson.loads(data_response_to_json(resp))
    where = first_difference(expected, actual, "$")
    return None if where is None else f"{path}: response differs from the golden file at {where}"


def first_difference(a: Any, b: Any, where: str) -> str | None:
    """The JSON path of the first difference between two parsed JSON values, None if equal."""
    if isinstance(a, dict) and isinstance(b, dict):
        for key in sorted(a.keys() | b.keys()):
            if key not in a or key not in b:
                return f"{where}.{key} (only in {'golden' if key in a else 'response'})"
            found = first_difference(a[key], b[key], f"{where}.{key}")
            if found:
                return found
        return None
    if isinstance(a, list) and isinstance(b, list):
        if len(a) != len(b):
            return f"{where} (length {len(a)} in golden, {len(b)} in response)"
        for i, (x, y) in enumerate(zip(a, b, strict=True)):
            found = first_difference(x, y, f"{where}[{i}]")
            if found:
                return found
        return None
    return (
        None
        if (a == b and type(a) is type(b)) or (_is_number(a) and _is_number(b) and a == b)
        else f"{where}: {a!r} != {b!r}"
    )


def _is_number(value: Any) -> bool:
    return isinstance(value, int | float) and not isinstance(value, bool)
