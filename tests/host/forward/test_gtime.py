"""Grafana time parsing: epoch ms, bare durations, date math with rounding, absolute dates, errors."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest
from hypothesis import given
from hypothesis import strategies as st

from grafana_plugin_sdk.gtime import TimeParseError, parse_go_duration, parse_time, parse_time_range

NOW = datetime(2024, 3, 14, 15, 9, 26, 535_897, tzinfo=UTC)  # a Thursday


def test_epoch_milliseconds() -> None:
    assert parse_time("1420066800000", NOW) == datetime(2014, 12, 31, 23, 0, tzinfo=UTC)
    assert parse_time("0", NOW) == datetime(1970, 1, 1, tzinfo=UTC)


@pytest.mark.parametrize(
    ("text", "ago"),
    [
        ("5m", timedelta(minutes=5)),
        ("1h30m", timedelta(hours=1, minutes=30)),
        ("250ms", timedelta(milliseconds=250)),
        ("1.5h", timedelta(hours=1, minutes=30)),
    ],
)
def test_bare_duration_means_that_long_ago(text: str, ago: timedelta) -> None:
    assert parse_time(text, NOW) == NOW - ago


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("now", NOW),
        ("now-5m", NOW - timedelta(minutes=5)),
        ("now+2h", NOW + timedelta(hours=2)),
        ("now-1d/d", datetime(2024, 3, 13, tzinfo=UTC)),
        ("now/d", datetime(2024, 3, 14, tzinfo=UTC)),
        ("now/w", datetime(2024, 3, 11, tzinfo=UTC)),
        ("now/M", datetime(2024, 3, 1, tzinfo=UTC)),
        ("now/y", datetime(2024, 1, 1, tzinfo=UTC)),
        ("now/h", datetime(2024, 3, 14, 15, tzinfo=UTC)),
        ("now-1M", datetime(2024, 2, 14, 15, 9, 26, 535_897, tzinfo=UTC)),
        ("now-w", NOW - timedelta(weeks=1)),
    ],
)
def test_date_math(text: str, expected: datetime) -> None:
    assert parse_time(text, NOW) == expected


def test_to_rounds_up_to_the_last_millisecond_of_the_unit() -> None:
    assert parse_time("now/d", NOW, round_up=True) == datetime(2024, 3, 14, 23, 59, 59, 999_000, tzinfo=UTC)
    assert parse_time("now-1M/M", NOW, round_up=True) == datetime(2024, 2, 29, 23, 59, 59, 999_000, tzinfo=UTC)


def test_month_arithmetic_overflows_like_go() -> None:
    jan31 = datetime(2023, 1, 31, tzinfo=UTC)
    assert parse_time("now+1M", jan31) == datetime(2023, 3, 3, tzinfo=UTC)


def test_absolute_dates_with_optional_math() -> None:
    assert parse_time("2024-01-02T03:04:05Z", NOW) == datetime(2024, 1, 2, 3, 4, 5, tzinfo=UTC)
    assert parse_time("2024-01-02", NOW) == datetime(2024, 1, 2, tzinfo=UTC)
    assert parse_time("2024-01-02||+1d/d", NOW) == datetime(2024, 1, 3, tzinfo=UTC)
    assert parse_time("2024-01-02T05:00:00+02:00", NOW) == datetime(2024, 1, 2, 3, tzinfo=UTC)


@pytest.mark.parametrize("text", ["", "yesterday", "now-5x", "now--5m", "5 minutes", "2024-13-01", "now/"])
def test_unparseable_values_raise_naming_the_value(text: str) -> None:
    with pytest.raises(TimeParseError, match=repr(text).replace("(", r"\(")):
        parse_time(text, NOW)


def test_range_is_millisecond_precision_and_to_rounds_up() -> None:
    start, end = parse_time_range("now-5m", "now", NOW)
    assert start == datetime(2024, 3, 14, 15, 4, 26, 535_000, tzinfo=UTC)
    assert end == datetime(2024, 3, 14, 15, 9, 26, 535_000, tzinfo=UTC)
    start, end = parse_time_range("now/d", "now/d", NOW)
    assert end - start == timedelta(days=1) - timedelta(milliseconds=1)


def test_go_duration_rejects_non_durations() -> None:
    assert parse_go_duration("") is None
    assert parse_go_duration("5") is None
    assert parse_go_duration("m") is None
    assert parse_go_duration("0") == timedelta(0)


@given(st.integers(min_value=-(10**12), max_value=10**13))
def test_any_epoch_ms_round_trips(ms: int) -> None:
    start, _ = parse_time_range(str(ms), "now", NOW)
    assert int((start - datetime(1970, 1, 1, tzinfo=UTC)) / timedelta(milliseconds=1)) == ms
