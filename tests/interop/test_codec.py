"""Frame codec cross-check against grafana-plugin-sdk-go, both ways, on every field type.

Go -> Python: the Go SDK writes Arrow files and frame JSON (``gocodec write``); we decode them and must
produce the same frame JSON. Python -> Go: our Arrow encoder's files are decoded by the Go SDK and
re-encoded by it to frame JSON (``gocodec read``), which must equal ours.
"""

from __future__ import annotations

from pathlib import Path
from types import ModuleType
from typing import Any

import orjson
import pytest

from grafana_plugin_sdk.data import FieldType, Frame

pytestmark = pytest.mark.interop

# The frames gocodec writes (tests/interop/go/internal/sample).
SAMPLES = ("all_types", "no_fields", "no_rows", "all_null", "timeseries")

GoFrames = dict[str, tuple[bytes, Any]]


def go_read(go: Any, tmp_path: Path, arrow: bytes) -> Any:
    """The Go SDK's frame JSON for an Arrow file (our encoder's output); fails on a Go decode error."""
    path = tmp_path / "frame.arrow"
    path.write_bytes(arrow)
    (result,) = go.codec("read", path)
    assert "error" not in result, f"the Go SDK could not read our Arrow file: {result['error']}"
    return result["frame"]


def test_go_writes_every_sample(go_frames: GoFrames) -> None:
    assert sorted(go_frames) == sorted(SAMPLES)
    _, all_types = go_frames["all_types"]
    types = {(f["typeInfo"]["frame"], f["typeInfo"].get("nullable", False)) for f in all_types["schema"]["fields"]}
    assert types == {(t.value, nullable) for t in FieldType for nullable in (False, True)}


@pytest.mark.parametrize("name", SAMPLES)
def test_go_arrow_decoded_by_us_gives_go_json(go_frames: GoFrames, name: str) -> None:
    arrow, go_json = go_frames[name]
    assert orjson.loads(Frame.from_arrow(arrow).to_json()) == go_json


@pytest.mark.parametrize("name", SAMPLES)
def test_go_json_decoded_by_us_gives_go_json(go_frames: GoFrames, name: str) -> None:
    _, go_json = go_frames[name]
    assert orjson.loads(Frame.from_json(orjson.dumps(go_json)).to_json()) == go_json


@pytest.mark.parametrize("name", SAMPLES)
def test_our_arrow_of_go_frame_read_by_go(go: Any, go_frames: GoFrames, tmp_path: Path, name: str) -> None:
    arrow, go_json = go_frames[name]
    assert go_read(go, tmp_path, Frame.from_arrow(arrow).to_arrow()) == go_json
    assert go_read(go, tmp_path, Frame.from_json(orjson.dumps(go_json)).to_arrow()) == go_json


def test_python_frame_of_every_type_read_by_go(go: Any, interop_plugin: ModuleType, tmp_path: Path) -> None:
    frame = interop_plugin.every_type_frame("Q")
    go_json = go_read(go, tmp_path, frame.to_arrow())
    assert go_json == orjson.loads(frame.to_json())
    types = {(f["typeInfo"]["frame"], f["typeInfo"].get("nullable", False)) for f in go_json["schema"]["fields"]}
    assert types == {(t.value, nullable) for t in FieldType for nullable in (False, True)}


def test_python_frame_round_trips_through_go_json(go: Any, interop_plugin: ModuleType, tmp_path: Path) -> None:
    frame = interop_plugin.every_type_frame("Q")
    go_json = go_read(go, tmp_path, frame.to_arrow())
    assert orjson.loads(Frame.from_json(orjson.dumps(go_json)).to_json()) == go_json
