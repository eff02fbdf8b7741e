"""Grafana's SQL time macros for SQLite, where times are stored as epoch seconds. Pure text rewriting."""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import datetime, timedelta

_VARIABLE = re.compile(r"\$__(interval_ms|interval)\b(\()?")
_MACRO = re.compile(r"\$__(timeFilter|timeGroup|timeFrom|timeTo)\b(?:\(([^)]*)\))?")
_DURATION = re.compile(r"^(\d+(?:\.\d+)?)(ms|s|m|h|d)?$")
_UNIT_SECONDS = {"ms": 0.001, "s": 1, "m": 60, "h": 3600, "d": 86400, None: 1}


class MacroError(ValueError):
    """A macro is used with wrong arguments."""


@dataclass(frozen=True)
class MacroContext:
    """What the macros expand from: the query's time range and interval."""

    start: datetime
    end: datetime
    interval: timedelta


def _seconds(text: str) -> float:
    match = _DURATION.match(text.strip())
    if match is None:
        raise MacroError(f"expected an interval like 30, 30s, 5m or 1h, got {text.strip()!r}")
    return float(match[1]) * _UNIT_SECONDS[match[2]]


def _args(name: str, raw: str | None, count: int) -> list[str]:
    args = [a.strip() for a in (raw or "").split(",")] if raw and raw.strip() else []
    if len(args) != count:
        raise MacroError(f"$__{name} takes {count} argument(s), got {len(args)}")
    return args


def expand(sql: str, ctx: MacroContext) -> str:
    """Replace every macro: ``$__timeFilter(col)``, ``$__timeGroup(col, interval)``, ``$__timeFrom()``,
    ``$__timeTo()``, ``$__interval`` (seconds) and ``$__interval_ms``."""
    start, end = int(ctx.start.timestamp()), int(ctx.end.timestamp())
    interval = max(ctx.interval.total_seconds(), 0.001)

    def replace(match: re.Match[str]) -> str:
        name, raw = match[1], match[2]
        if name == "timeFilter":
            (column,) = _args(name, raw, 1)
            return f"{column} BETWEEN {start} AND {end}"
        if name == "timeGroup":
            column, step = _args(name, raw, 2)
            seconds = _seconds(step)
            return f"(CAST({column} / {seconds:g} AS INTEGER) * {seconds:g})"
        _args(name, raw, 0)
        return str(start if name == "timeFrom" else end)

    def replace_variable(match: re.Match[str]) -> str:
        if match[2]:
            raise MacroError(f"$__{match[1]} takes no arguments")
        return f"{interval * 1000:g}" if match[1] == "interval_ms" else f"{interval:g}"

    return _MACRO.sub(replace, _VARIABLE.sub(replace_variable, sql))
