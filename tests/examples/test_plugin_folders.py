"""Each example plugin folder has what Grafana's loader expects, and its launcher is the shared template."""

from __future__ import annotations

import os
from pathlib import Path

import orjson
import pytest

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
def test_launcher_is_the_shared_template_and_runs_the_named_package(folder: Path) -> None:
    manifest = orjson.loads((folder / "plugin.json").read_bytes())
    launcher = folder / f"{manifest['executable']}_linux_amd64"
    assert launcher.read_bytes() == (EXAMPLES / "launcher.sh").read_bytes()
    assert os.access(launcher, os.X_OK)
    package = (folder / "python_package").read_text().strip()
    assert (folder / package / "__main__.py").is_file()
