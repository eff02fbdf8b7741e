"""Grafana's SQL macros (``$__timeFilter(col)``, ``$__interval``...) expanded as text, through a dialect."""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass
from datetime import timedelta

from grafana_plugin_sdk.data import FillMissing, FillMode
from grafana_plugin_sdk.gtime import TimeParseError, format_interval, parse_interval

from ._dialect import Dialect, epoch_nanos, epoch_seconds
from ._query import Query

_VARIABLE = re.compile(r"\$__(interval_ms|interval|unixEpochFrom\(\)|unixEpochTo\(\)|table|column)(?![\w(])")
_MACRO = re.compile(r"\$__(\w+)")


class MacroError(ValueError):
    """A macro is unknown or used with wrong arguments; the message names it."""


@dataclass(frozen=True)
class Interpolated:
    """The SQL with every macro expanded, and the fill ``$__timeGroup(col, interval, fill)`` asked for."""

    sql: str
    fill: FillMissing | None = None
    fill_interval: timedelta = timedelta(0)


def interpolate(query: Query, dialect: Dialect) -> Interpolated:
    """Expand the macros in ``query.raw_sql``: first ``$__interval``, ``$__interval_ms``, ``$__unixEpochFrom()``,
    ``$__unixEpochTo()``, ``$__table`` and ``$__column``, then the macros with arguments. Raises MacroError."""
    sql = _VARIABLE.sub(lambda m: _variable(m[1], query), query.raw_sql)
    expander = _Expander(query, dialect)
    return Interpolated(expander.expand(sql), expander.fill, expander.fill_interval)


def _variable(name: str, query: Query) -> str:
    if name == "interval_ms":
        return str(query.interval // timedelta(milliseconds=1))
    if name == "interval":
        return format_interval(query.interval)
    if name == "table":
        return query.table
    if name == "column":
        return query.column
    return str(epoch_seconds(query.time_from if name == "unixEpochFrom()" else query.time_to))


def _split_args(text: str) -> list[str]:
    """Arguments split at top-level commas, spaces trimmed; no argument for empty parentheses."""
    args, depth, start = [], 0, 0
    for index, char in enumerate(text):
        depth += (char == "(") - (char == ")")
        if char == "," and depth == 0:
            args.append(text[start:index].strip())
            start = index + 1
    args.append(text[start:].strip())
    return [] if args == [""] else args


class _Expander:
    def __init__(self, query: Query, dialect: Dialect) -> None:
        self.query, self.dialect = query, dialect
        self.fill: FillMissing | None = None
        self.fill_interval = timedelta(0)
        d, start, end = dialect, query.time_from, query.time_to
        self.macros: dict[str, Callable[[list[str]], str]] = {
            "time": lambda a: d.alias(self._column(a)),
            "timeEpoch": lambda a: d.time_epoch(self._column(a)),
            "timeFilter": lambda a: d.time_filter(self._column(a), start, end),
            "timeFrom": lambda a: d.time_literal(start),
            "timeTo": lambda a: d.time_literal(end),
            "timeGroup": lambda a: d.time_group(*self._group(a)),
            "timeGroupAlias": lambda a: d.alias(d.time_group(*self._group(a))),
            "unixEpochFilter": lambda a: self._between(a, epoch_seconds(start), epoch_seconds(end)),
            "unixEpochNanoFilter": lambda a: self._between(a, epoch_nanos(start), epoch_nanos(end)),
            "unixEpochNanoFrom": lambda a: str(epoch_nanos(start)),
            "unixEpochNanoTo": lambda a: str(epoch_nanos(end)),
            "unixEpochGroup": lambda a: d.unix_epoch_group(*self._group(a)),
            "unixEpochGroupAlias": lambda a: d.alias(d.unix_epoch_group(*self._group(a))),
        }
        self.name = ""

    def expand(self, sql: str) -> str:
        out, position = [], 0
        while (match := _MACRO.search(sql, position)) is not None:
            end = self._closing(sql, match.end(), match[1]) if sql.startswith("(", match.end()) else -1
            if end < 0:  # no arguments: not one of ours (template variables are Grafana's business)
                out.append(sql[position : match.end()])
                position = match.end()
                continue
            self.name = name = match[1]
            # Before Grafana 5.3 $__timeGroup named its column; a comma right after it still means that.
            if name == "timeGroup" and sql.startswith(",", end):
                name = "timeGroupAlias"
            macro = self.macros.get(name)
            if macro is None:
                raise MacroError(f"unknown macro $__{name}")
            out.append(sql[position : match.start()])
            out.append(macro(_split_args(sql[match.end() + 1 : end - 1])))
            position = end
        out.append(sql[position:])
        return "".join(out)

    @staticmethod
    def _closing(sql: str, open_at: int, name: str) -> int:
        """The index after the parenthesis closing the one at ``open_at``."""
        depth = 0
        for index in range(open_at, len(sql)):
            depth += (sql[index] == "(") - (sql[index] == ")")
            if depth == 0:
                return index + 1
        raise MacroError(f"macro $__{name} has no closing parenthesis")

    def _column(self, args: list[str]) -> str:
        if not args or not args[0]:
            raise MacroError(f"missing time column argument for macro $__{self.name}")
        return args[0]

    def _between(self, args: list[str], low: int, high: int) -> str:
        column = self._column(args)
        return f"{column} >= {low} AND {column} <= {high}"

    def _group(self, args: list[str]) -> tuple[str, timedelta]:
        if len(args) not in (2, 3):
            raise MacroError(f"macro $__{self.name} needs time column and interval and optional fill value")
        try:
            interval = parse_interval(args[1].strip("'"))
        except TimeParseError:
            raise MacroError(f"error parsing interval {args[1]}") from None
        if interval <= timedelta(0):
            raise MacroError(f"macro $__{self.name} needs a positive interval, got {args[1]}")
        if len(args) == 3:
            self.fill, self.fill_interval = _fill_mode(args[2]), interval
        return self._column(args), interval


def _fill_mode(text: str) -> FillMissing:
    """``NULL``, ``previous`` or a number, as Grafana reads the third argument of ``$__timeGroup``."""
    if text == "NULL":
        return FillMissing(FillMode.NULL)
    if text == "previous":
        return FillMissing(FillMode.PREVIOUS)
    try:
        return FillMissing(FillMode.VALUE, float(text))
    except ValueError:
        raise MacroError(f"error parsing fill value {text}") from None
