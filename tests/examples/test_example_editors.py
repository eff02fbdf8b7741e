"""The examples' module.js files are the SDK's frontend with their current declarations built in."""

from __future__ import annotations

import importlib.util
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]


def test_example_modules_are_written_from_their_schemas() -> None:
    spec = importlib.util.spec_from_file_location(
        "write_example_editors", ROOT / "scripts" / "write_example_editors.py"
    )
    assert spec and spec.loader
    script = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(script)
    rendered = script.example_modules()
    assert sorted(p.parent.name for p in rendered) == ["iot", "sqlite", "testdata"]
    stale = [p.parent.name for p, text in rendered.items() if p.read_text() != text]
    assert stale == [], "run `python scripts/write_example_editors.py`"
