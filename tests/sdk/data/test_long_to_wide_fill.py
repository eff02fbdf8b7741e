"""``long_to_wide(fill_missing=...)``: Grafana's fill modes fill missing points only; real nulls stay null."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest

from grafana_plugin_sdk.data import Field, FillMissing, FillMode, Frame, long_to_wide

TIMES = [datetime(2024, 1, 1, 0, m, tzinfo=UTC) for m in (0, 0, 1, 2, 2, 3)]
LONG = Frame(
    "",
    [
        Field("time", TIMES),
        Field("host", ["a", "b", "a", "b", "a", "a"]),
        Field("v", [1.0, None, 2.0, 5.0, 3.0, 4.0], nullable=True),
    ],
)


@pytest.mark.parametrize(
    ("fill", "b"),
    [
        (None, [None, None, 5.0, None]),
        (FillMissing(FillMode.NULL), [None, None, 5.0, None]),
        (FillMissing(FillMode.PREVIOUS), [None, None, 5.0, 5.0]),  # the real null at 00:00 is repeated at 00:01
        (FillMissing(FillMode.VALUE, 9), [None, 9.0, 5.0, 9.0]),
    ],
)
def test_fill_modes(fill: FillMissing | None, b: list[float | None]) -> None:
    wide = long_to_wide(LONG, fill_missing=fill)
    assert [f.labels for f in wide.fields[1:]] == [{"host": "a"}, {"host": "b"}]
    assert wide.fields[1].to_pylist() == [1.0, 2.0, 3.0, 4.0]
    assert wide.fields[2].to_pylist() == b


def test_previous_before_the_first_point_is_null() -> None:
    late = Frame("", [Field("time", TIMES[2:]), Field("host", ["a", "b", "b", "a"]), Field("v", [1, 2, 3, 4])])
    wide = long_to_wide(late, fill_missing=FillMissing(FillMode.PREVIOUS))
    assert [f.to_pylist() for f in wide.fields[1:]] == [[1, 1, 4], [None, 3, 3]]
