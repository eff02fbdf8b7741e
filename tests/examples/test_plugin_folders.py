"""Each example plugin folder has what Grafana's loader expects, and its launchers are the generated ones."""

from __future__ import annotations

import os
import shutil
from pathlib import Path

import orjson
import pytest

from grafana_plugin_sdk.cli import DEFAULT_TARGETS, Project, write_source_launchers

EXAMPLES = Path(__file__).resolve().parents[2] / "example_plugins"
FOLDERS = sorted(p.parent for p in EXAMPLES.glob("*/plugin.json"))


def test_there_are_six_examples() -> None:
    assert [f.name for f in FOLDERS] == ["httpapi", "hub", "iot", "postgres", "sqlite", "testdata"]


@pytest.mark.parametrize("folder", FOLDERS, ids=lambda f: f.name)
def test_plugin_json_has_grafanas_keys(folder: Path) -> None:
    manifest = orjson.loads((folder / "plugin.json").read_bytes())
    assert manifest["type"] in ("datasource", "app") and manifest["backend"] is True
    assert manifest["id"].endswith(f"-{manifest['type']}") and manifest["name"]
    assert manifest["info"]["version"] and manifest["info"]["updated"]
    assert manifest["dependencies"]["grafanaDependency"].startswith(">=")
    for logo in manifest["info"]["logos"].values():
        assert (folder / logo).is_file(), logo
    assert (folder / "module.js").is_file()


@pytest.mark.parametrize("folder", FOLDERS, ids=lambda f: f.name)
def test_launchers_are_generated_and_run_the_package(folder: Path, tmp_path: Path) -> None:
    """Committed launchers equal `grafana-plugin launchers` output (regenerate them with it after a change)."""
    project = Project.load(folder)
    assert (folder / project.package / "__main__.py").is_file()
    fresh = tmp_path / folder.name
    shutil.copytree(folder, fresh, ignore=shutil.ignore_patterns("gpx_*", "__pycache__"))
    generated = write_source_launchers(Project.load(fresh))
    assert {p.name for p in generated} == {f"{project.executable}_{t}" for t in DEFAULT_TARGETS}
    for path in generated:
        committed = folder / path.name
        assert committed.read_bytes() == path.read_bytes(), f"{committed} is stale: run grafana-plugin launchers"
        assert os.access(committed, os.X_OK)
