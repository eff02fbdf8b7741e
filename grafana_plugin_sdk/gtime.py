"""Grafana's time-range parsing for ``from``/``to`` (the Go SDK's ``gtime``), as pure functions.

Each value is tried, in order, as epoch milliseconds, as a bare Go duration meaning "that long ago" (``5m``), and
as date math (``now``, ``now-5m``, ``now/d``, ``2024-01-02T03:04:05Z||+1d``). ``to`` rounds *up* (``now/d`` is the
last millisecond of today). Grafana turns an unparseable value into epoch 0; we raise :class:`TimeParseError`.
"""

from __future__ import annotations

import re
from datetime import UTC, datetime, timedelta

from grafana_plugin_sdk.backend import datetime_from_epoch_ms, epoch_ms

# Go's time.ParseDuration grammar (units ns, us, µs, ms, s, m, h), sign excluded: Grafana prefixes "-".
_GO_DURATION_PART = re.compile(r"(\d+\.?\d*|\.\d+)(ns|us|µs|μs|ms|s|m|h)")
_GO_UNIT_SECONDS = {
    "ns": 1e-9,
    "us": 1e-6,
    "µs": 1e-6,
    "μs": 1e-6,
    "ms": 1e-3,
    "s": 1.0,
    "m": 60.0,
    "h": 3600.0,
}
_FIXED_STEPS = {
    "w": timedelta(weeks=1),
    "d": timedelta(days=1),
    "h": timedelta(hours=1),
    "H": timedelta(hours=1),
    "m": timedelta(minutes=1),
    "s": timedelta(seconds=1),
}
_MONTHS_PER_UNIT = {"y": 12, "Q": 3, "M": 1}
_MATH_OP = re.compile(r"([+-])(\d*)([yQMwdhHms])|/([yQMwdhHms])")


class TimeParseError(ValueError):
    """A ``from``/``to`` value is neither epoch milliseconds, a duration, nor date math; the message names it."""


def parse_go_duration(text: str) -> timedelta | None:
    """A Go duration string without sign (``1h30m``, ``250ms``), or None when ``text`` is not one."""
    if text == "0":
        return timedelta(0)
    position, seconds = 0, 0.0
    while position < len(text):
        match = _GO_DURATION_PART.match(text, position)
        if match is None:
            return None
        seconds += float(match[1]) * _GO_UNIT_SECONDS[match[2]]
        position = match.end()
    return timedelta(seconds=seconds) if text else None


def _add_months(moment: datetime, months: int) -> datetime:
    """Go's ``AddDate(0, months, 0)``: the day overflows into the next month (Jan 31 + 1 month = Mar 3)."""
    index = moment.year * 12 + (moment.month - 1) + months
    year, month = divmod(index, 12)
    first = moment.replace(year=year, month=month + 1, day=1)
    return first + timedelta(days=moment.day - 1)


def _add(moment: datetime, amount: int, unit: str) -> datetime:
    if unit in _MONTHS_PER_UNIT:
        return _add_months(moment, _MONTHS_PER_UNIT[unit] * amount)
    return moment + amount * _FIXED_STEPS[unit]


def _start_of(moment: datetime, unit: str) -> datetime:
    if unit == "y":
        return moment.replace(month=1, day=1, hour=0, minute=0, second=0, microsecond=0)
    if unit == "Q":
        return moment.replace(month=(moment.month - 1) // 3 * 3 + 1, day=1, hour=0, minute=0, second=0, microsecond=0)
    if unit == "M":
        return moment.replace(day=1, hour=0, minute=0, second=0, microsecond=0)
    if unit == "w":  # weeks start on Monday, as in go-datemath
        day = moment.replace(hour=0, minute=0, second=0, microsecond=0)
        return day - timedelta(days=day.weekday())
    if unit == "d":
        return moment.replace(hour=0, minute=0, second=0, microsecond=0)
    if unit in ("h", "H"):
        return moment.replace(minute=0, second=0, microsecond=0)
    if unit == "m":
        return moment.replace(second=0, microsecond=0)
    return moment.replace(microsecond=0)


def _round(moment: datetime, unit: str, up: bool) -> datetime:
    start = _start_of(moment, unit)
    if not up:
        return start
    return _add(start, 1, unit) - timedelta(milliseconds=1)


def _parse_absolute(text: str) -> datetime | None:
    try:
        moment = datetime.fromisoformat(text)
    except ValueError:
        return None
    return moment.replace(tzinfo=UTC) if moment.tzinfo is None else moment.astimezone(UTC)


def _parse_date_math(text: str, now: datetime, round_up: bool) -> datetime | None:
    if text.startswith("now"):
        anchor, math = now, text[3:]
    else:
        absolute, separator, math = text.partition("||")
        parsed = _parse_absolute(absolute)
        if parsed is None or (not separator and math):
            return None
        anchor = parsed
    moment, position = anchor, 0
    while position < len(math):
        match = _MATH_OP.match(math, position)
        if match is None:
            return None
        if match[4]:
            moment = _round(moment, match[4], round_up)
        else:
            amount = int(match[2] or "1")
            moment = _add(moment, amount if match[1] == "+" else -amount, match[3])
        position = match.end()
    return moment


def parse_time(value: str, now: datetime, *, round_up: bool = False) -> datetime:
    """One ``from``/``to`` value as an aware UTC datetime; ``round_up`` for ``to``. Raises TimeParseError."""
    text = value.strip()
    if re.fullmatch(r"-?\d+", text):
        return datetime_from_epoch_ms(int(text))
    ago = parse_go_duration(text)
    if ago is not None:
        return now - ago
    moment = _parse_date_math(text, now, round_up)
    if moment is None:
        raise TimeParseError(f"invalid time value {value!r}: expected epoch milliseconds, a duration or date math")
    return moment


def parse_time_range(from_: str, to: str, now: datetime | None = None) -> tuple[datetime, datetime]:
    """Grafana's time range from a request's ``from`` and ``to`` (``to`` rounded up), UTC, millisecond precision."""
    now = datetime.now(UTC) if now is None else now
    start = parse_time(from_, now)
    end = parse_time(to, now, round_up=True)
    return datetime_from_epoch_ms(epoch_ms(start)), datetime_from_epoch_ms(epoch_ms(end))


_DATE_UNIT = re.compile(r"(\d+)([dwMy])")


def parse_interval(text: str, now: datetime | None = None) -> timedelta:
    """An interval as Grafana's SQL macros read it (Go's ``gtime.ParseInterval``): a Go duration (``5m``,
    ``1h30m``, ``20ms``) or a whole number of days, weeks, months or years (``2d``, ``1w``, ``1M``, ``1y``; months
    and years counted from ``now``). Raises TimeParseError."""
    match = _DATE_UNIT.fullmatch(text)
    if match is None:
        duration = parse_go_duration(text)
        if duration is None:
            raise TimeParseError(f"invalid interval {text!r}")
        return duration
    amount, unit = int(match[1]), match[2]
    if unit in ("d", "w"):
        return amount * _FIXED_STEPS[unit]
    start = datetime.now(UTC) if now is None else now
    return _add(start, amount, unit) - start


_FORMAT_UNITS = (
    ("y", timedelta(days=365)),
    ("d", timedelta(days=1)),
    ("h", timedelta(hours=1)),
    ("m", timedelta(minutes=1)),
    ("s", timedelta(seconds=1)),
    ("ms", timedelta(milliseconds=1)),
)


def format_interval(interval: timedelta) -> str:
    """An interval in Grafana's short form, truncated to its largest unit (``90s`` is ``1m``; Go's
    ``gtime.FormatInterval``, which ``$__interval`` expands to); below a millisecond ``1ms``."""
    for unit, size in _FORMAT_UNITS:
        if interval >= size:
            return f"{interval // size}{unit}"
    return "1ms"
