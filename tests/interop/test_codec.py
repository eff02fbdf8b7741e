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


# Random frames from the Go SDK (tests/interop/go/internal/sample/random.go): fixed seeds, every field type.
RANDOM_SEEDS = (1, 2, 3, 4)
RANDOM_FRAMES_PER_SEED = 100


@pytest.fixture(scope="module", params=RANDOM_SEEDS, ids=lambda seed: f"seed{seed}")
def random_frames(request: pytest.FixtureRequest, go: Any, tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A folder of random frames the Go SDK wrote (``<name>.json`` and ``<name>.arrow``) for one seed."""
    out = tmp_path_factory.mktemp(f"random-{request.param}")
    names = go.codec("random", out, request.param, RANDOM_FRAMES_PER_SEED)
    assert len(names) == RANDOM_FRAMES_PER_SEED
    return out


def test_random_frames_cover_every_type(random_frames: Path) -> None:
    seen = set()
    for path in random_frames.glob("*.json"):
        for field in orjson.loads(path.read_bytes())["schema"]["fields"]:
            seen.add((field["typeInfo"]["frame"], field["typeInfo"].get("nullable", False)))
    assert seen == {(t.value, nullable) for t in FieldType for nullable in (False, True)}


def test_go_random_json_crosses_our_arrow_to_go_unchanged(go: Any, random_frames: Path) -> None:
    """Go's frame JSON -> ``from_json`` -> ``to_arrow`` -> Go's decoder gives Go's frame JSON, byte for byte."""
    names = sorted(p.stem for p in random_frames.glob("*.json"))
    for name in names:
        frame = Frame.from_json((random_frames / f"{name}.json").read_bytes())
        (random_frames / f"{name}.py.arrow").write_bytes(frame.to_arrow())
    assert go.codec("check", random_frames, *names) == []


def floats_as_float(doc: Any) -> Any:
    """Parsed frame JSON with float fields' numbers as floats (Go spells 3.2e18 ``3204210040567999500``)."""
    for spec, column in zip(doc["schema"]["fields"], doc["data"]["values"], strict=True):
        if spec["typeInfo"]["frame"] in ("float32", "float64"):
            column[:] = [None if v is None else float(v) for v in column]
    return doc


def test_go_random_arrow_decoded_by_us_gives_go_json(random_frames: Path) -> None:
    for path in sorted(random_frames.glob("*.arrow")):
        if path.name.endswith(".py.arrow"):
            continue
        ours = orjson.loads(Frame.from_arrow(path.read_bytes()).to_json())
        go_json = orjson.loads(path.with_suffix(".json").read_bytes())
        assert floats_as_float(ours) == floats_as_float(go_json), path.stem
