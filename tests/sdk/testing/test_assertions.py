"""Frame assertions with readable diffs, and assert_golden with --update-golden."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import pytest

from grafana_plugin_sdk.backend import DataResponse, QueryDataResponse
from grafana_plugin_sdk.data import Field, FieldConfig, Frame, FrameMeta
from grafana_plugin_sdk.testing import assert_frames_equal, assert_golden, frame_difference
from grafana_plugin_sdk.testing.golden import read_golden
from tests.sdk.testing.conftest import RunPytest

T0 = datetime(2024, 1, 1, tzinfo=UTC)


def _frame(values: list[float | None], *, name: str = "series", host: str = "a") -> Frame:
    times = [T0 + timedelta(seconds=i) for i in range(len(values))]
    return Frame(name, [Field("time", times), Field("value", values, type="float64", labels={"host": host})])


def _message(actual: Frame | list[Frame], expected: Frame | list[Frame], **kwargs: Any) -> str:
    with pytest.raises(AssertionError) as info:
        assert_frames_equal(actual, expected, **kwargs)
    return str(info.value)


def test_equal_frames_pass() -> None:
    assert_frames_equal(_frame([1.0, None, float("nan")]), _frame([1.0, None, float("nan")]))
    assert frame_difference(_frame([1.0]), _frame([1.0])) is None


def test_first_differing_row_is_shown_with_the_whole_row() -> None:
    message = _message(_frame([1.0, 2.0, 3.0, 9.0]), _frame([1.0, 2.0, 3.5, 4.0]))
    assert "frame 0 ('series'): first differing row 2 (fields 'value')" in message
    assert "actual:   time=2024-01-01T00:00:02+00:00, value=3.0" in message
    assert "expected: time=2024-01-01T00:00:02+00:00, value=3.5" in message


def test_field_names_and_types_are_listed() -> None:
    other = Frame("series", [Field("time", [T0]), Field("value", [1], type="int64", labels={"host": "a"})])
    message = _message(other, _frame([1.0]))
    assert "actual:   ['time': time.Time, 'value': int64]" in message
    assert "expected: ['time': time.Time, 'value': float64]" in message


def test_labels_meta_config_counts_and_names() -> None:
    assert "labels: actual {'host': 'b'}, expected {'host': 'a'}" in _message(_frame([1.0], host="b"), _frame([1.0]))
    assert "row count: actual 1, expected 2" in _message(_frame([1.0]), _frame([1.0, 2.0]))
    assert "name: actual 'x', expected 'series'" in _message(_frame([1.0], name="x"), _frame([1.0]))
    assert "frame count: actual 1" in _message([_frame([1.0])], [_frame([1.0]), _frame([2.0])])
    with_meta = _frame([1.0])
    with_meta.meta = FrameMeta(executed_query_string="SELECT 1")
    assert "meta: meta.executedQueryString (only in response)" in _message(with_meta, _frame([1.0]))
    with_config = _frame([1.0])
    with_config.fields[1].config = FieldConfig(unit="ms")
    assert "field 'value' config.unit (only in response)" in _message(with_config, _frame([1.0]))


def test_tolerance_and_times_to_the_nanosecond() -> None:
    assert_frames_equal(_frame([1.0, 2.0]), _frame([1.0, 2.0 + 1e-12]), rtol=1e-9)
    assert "first differing row 1" in _message(_frame([1.0, 2.0]), _frame([1.0, 2.0 + 1e-12]))
    nanos = Frame("t", [Field("time", [1_000_000_001], type="time.Time")])
    assert "first differing row 0" in _message(nanos, Frame("t", [Field("time", [1_000_000_002], type="time.Time")]))


def test_ref_id_is_compared_only_when_asked() -> None:
    tagged = _frame([1.0])
    tagged.ref_id = "A"
    assert_frames_equal(tagged, _frame([1.0]))
    assert "refId: actual 'A', expected ''" in _message(tagged, _frame([1.0]), check_ref_id=True)


def test_assert_golden_writes_then_compares(tmp_path: Path) -> None:
    response = DataResponse([_frame([1.0, 2.0])])
    with pytest.raises(AssertionError, match="does not exist"):
        assert_golden(response, "series", directory=tmp_path)
    assert_golden(response, "series", directory=tmp_path / "new", update=True)
    assert read_golden(tmp_path / "new" / "series.jsonc").frames == response.frames
    assert_golden(response, "series", directory=tmp_path / "new")
    with pytest.raises(
        AssertionError, match=r"series.jsonc: response differs .* at \$.frames\[0\].data.values\[1\]\[1\]"
    ):
        assert_golden(DataResponse([_frame([1.0, 3.0])]), "series", directory=tmp_path / "new")


def test_query_data_response_golden_files_per_ref_id(tmp_path: Path) -> None:
    one = QueryDataResponse({"A": DataResponse([_frame([1.0])])})
    assert_golden(one, "single", directory=tmp_path, update=True)
    two = QueryDataResponse({"A": DataResponse([_frame([1.0])]), "B": DataResponse.error_response("bad", 400)})
    assert_golden(two, "multi", directory=tmp_path, update=True)
    assert sorted(p.name for p in tmp_path.iterdir()) == ["multi.A.jsonc", "multi.B.jsonc", "single.jsonc"]
    assert read_golden(tmp_path / "multi.B.jsonc").error == "bad"


GOLDEN_TEST = """
from grafana_plugin_sdk.backend import DataResponse
from grafana_plugin_sdk.data import Field, Frame
from grafana_plugin_sdk.testing import assert_golden

def test_golden():
    assert_golden(DataResponse([Frame("f", [Field("v", [VALUE])])]), "answer")
"""


def test_update_golden_option_next_to_the_test_file(run_pytest: RunPytest, tmp_path: Path) -> None:
    first = run_pytest(GOLDEN_TEST.replace("VALUE", "1"))
    assert first.returncode == 1 and "--update-golden" in first.output
    written = run_pytest(GOLDEN_TEST.replace("VALUE", "1"), "--update-golden")
    assert written.returncode == 0, written.output
    golden = tmp_path / "testdata" / "answer.jsonc"
    assert golden.read_text().startswith("//  🌟 This was machine generated.")
    assert run_pytest(GOLDEN_TEST.replace("VALUE", "1")).returncode == 0
    changed = run_pytest(GOLDEN_TEST.replace("VALUE", "2"))
    assert changed.returncode == 1 and "answer.jsonc: response differs" in changed.output
