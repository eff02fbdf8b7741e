"""Checks every JSON request body passes before a route sees it: nesting depth, number ranges, NUL characters.

Routes store and forward what they receive; a number no 64-bit column or duration can hold, a NUL that
PostgreSQL text refuses, or nesting deep enough to exhaust recursion elsewhere are refused here: the caller
answers 400 with its route's usual "bad request" message.
"""

from __future__ import annotations

import math
from typing import Any


class UnsafeJSON(ValueError):
    """The parsed body breaks one of the rules (the message says which)."""


#: Integers must fit a signed 64-bit column; floats must be finite and no larger in magnitude.
INT64_MIN, INT64_MAX = -(1 << 63), (1 << 63) - 1


def check_json(value: Any, max_depth: int) -> None:
    """Raise UnsafeJSON naming the problem if ``value`` (parsed JSON) breaks one of the rules."""
    stack: list[tuple[Any, int]] = [(value, 1)]
    while stack:
        item, depth = stack.pop()
        if isinstance(item, dict | list):
            if depth > max_depth:
                raise UnsafeJSON(f"JSON nested deeper than {max_depth} levels")
            if isinstance(item, dict):
                for key in item:
                    _check_text(key)
                stack.extend((child, depth + 1) for child in item.values())
            else:
                stack.extend((child, depth + 1) for child in item)
        elif isinstance(item, str):
            _check_text(item)
        elif isinstance(item, bool) or item is None:
            continue
        elif isinstance(item, int):
            if not INT64_MIN <= item <= INT64_MAX:
                raise UnsafeJSON("JSON number out of range")
        elif isinstance(item, float) and (not math.isfinite(item) or abs(item) > INT64_MAX):
            raise UnsafeJSON("JSON number out of range")


def _check_text(text: str) -> None:
    if "\x00" in text:
        raise UnsafeJSON("NUL character in JSON text")
