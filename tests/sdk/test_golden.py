"""Golden DataResponse files in the Go SDK's ``.jsonc`` format."""

from __future__ import annotations

from pathlib import Path

import pytest

from grafana_plugin_sdk.backend import DataResponse
from grafana_plugin_sdk.data import Field, FieldConfig, Frame, FrameMeta, Notice
from grafana_plugin_sdk.testing.golden import (
    MARKER,
    check_golden,
    golden_matches,
    golden_text,
    read_golden,
    write_golden,
)

GO_FILES = [
    "frame-custom-meta.golden.jsonc",
    "frame-empty-custom-meta.golden.jsonc",
    "frame-json.jsonc",
    "frame-no-meta.golden.jsonc",
    "frame-non-custom-meta.golden.jsonc",
    "single-json-frame.golden.jsonc",
    "single-json-framer.golden.jsonc",
]


@pytest.mark.parametrize("name", GO_FILES)
def test_go_golden_files_read_and_compare_equal(go_testvectors: Path, name: str) -> None:
    path = go_testvectors / name
    resp = read_golden(path)
    assert resp.frames and resp.effective_status() == 200
    assert golden_matches(path, resp)
    assert golden_text(resp).split(MARKER)[1] == path.read_text().split(MARKER)[1], "header table as Go writes it"


def test_go_golden_content(go_testvectors: Path) -> None:
    resp = read_golden(go_testvectors / "frame-non-custom-meta.golden.jsonc")
    first = resp.frames[0]
    assert first.meta == FrameMeta(notices=[Notice(text="hello")], executed_query_string="SELECT * FROM X")
    assert first.fields[0].config == FieldConfig(unit="Percent")
    assert resp.frames[1].fields[0].labels == {"a": "b"}


def _response() -> DataResponse:
    frame = Frame(
        "Frame One",
        [Field("Single float64", [8.26, 8.7]), Field("s", ["a", None], labels={"a": "b"})],
        meta=FrameMeta(custom={"k": 1}),
    )
    return DataResponse([frame])


def test_write_then_read_and_compare(tmp_path: Path) -> None:
    path = tmp_path / "new.jsonc"
    assert check_golden(path, _response()) is not None
    assert check_golden(path, _response(), update=True) is None
    text = path.read_text()
    assert text.startswith(f'//  {MARKER}\n//  \n//  Frame[0] {{\n//      "typeVersion"')
    assert "//  | Name: Single float64 | Name: s         |\n//  | Labels:              | Labels: a=b     |" in text
    read = read_golden(path)
    assert (read.frames, read.status) == (_response().frames, 200)
    assert golden_matches(path, _response())


def test_mismatch_names_the_difference(tmp_path: Path) -> None:
    path = tmp_path / "x.jsonc"
    write_golden(path, _response())
    changed = _response()
    changed.frames[0].fields[0] = Field("Single float64", [8.26, 9.0])
    message = check_golden(path, changed)
    assert message is not None and "$.frames[0].data.values[0][1]: 8.7 != 9.0" in message
    assert not golden_matches(path, DataResponse.error_response("x"))


def test_error_response_round_trips(tmp_path: Path) -> None:
    path = tmp_path / "err.jsonc"
    write_golden(path, DataResponse.error_response("bad", 400))
    resp = read_golden(path)
    assert (resp.error, resp.status, resp.frames) == ("bad", 400, [])
