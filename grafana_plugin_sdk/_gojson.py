"""JSON as Go writes it: parsed with orjson, except that Go's ``-0`` (the float -0.0) stays a float."""

from __future__ import annotations

import json
import re
from typing import Any

import orjson

_NEGATIVE_ZERO = re.compile(rb"-0(?![.\deE])")


def load_json(data: bytes | str) -> Any:
    """Parsed JSON. Go writes the float -0.0 as ``-0``, which orjson reads as the integer 0: a document with
    such a token is read by the standard library instead, keeping it -0.0."""
    raw = data if isinstance(data, bytes) else data.encode("utf-8", "surrogatepass")
    if _NEGATIVE_ZERO.search(raw) is None:
        return orjson.loads(raw)
    return json.loads(raw, parse_int=_int_or_negative_zero, parse_constant=_reject_constant)


def _int_or_negative_zero(text: str) -> int | float:
    return -0.0 if text == "-0" else int(text)


def _reject_constant(text: str) -> Any:
    raise ValueError(f"{text} is not valid JSON")
