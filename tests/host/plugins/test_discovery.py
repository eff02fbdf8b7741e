"""Discovery: plugin.json scanning, validation, duplicates, signatures and dist/ folders."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import orjson
import pytest

from grafana_plugin_host.plugins._discovery import discover, plugin_folders
from grafana_plugin_sdk.plugin_json import InvalidPluginError, parse_plugin_json


def write_plugin(folder: Path, **keys: Any) -> Path:
    folder.mkdir(parents=True, exist_ok=True)
    (folder / "plugin.json").write_bytes(orjson.dumps(keys))
    return folder


FULL = {
    "id": "acme-sql-datasource",
    "type": "datasource",
    "name": "Acme SQL",
    "backend": True,
    "executable": "gpx_acme",
    "alerting": True,
    "streaming": True,
    "info": {"version": "1.2.3", "logos": {"small": "img/logo.svg", "large": "img/logo.svg"}},
    "routes": [{"path": "api", "url": "https://example.com"}],
    "aliasIDs": ["acme-old"],
}


def test_parse_full_plugin_json(tmp_path: Path) -> None:
    meta = parse_plugin_json(FULL, tmp_path)
    assert (meta.id, meta.type, meta.name, meta.version) == ("acme-sql-datasource", "datasource", "Acme SQL", "1.2.3")
    assert meta.backend and meta.executable == "gpx_acme"
    assert meta.alerting and meta.streaming and not meta.metrics
    assert meta.routes == [{"path": "api", "url": "https://example.com"}]
    assert meta.alias_ids == ("acme-old",)
    assert meta.logo == "img/logo.svg"
    assert meta.directory == tmp_path
    assert meta.signature == "unsigned"
    assert meta.raw is FULL


@pytest.mark.parametrize(
    ("raw", "fragment"),
    [
        ([], "JSON object"),
        ({"type": "datasource"}, "'id' is required"),
        ({"id": "", "type": "datasource"}, "'id' is required"),
        ({"id": "../etc", "type": "datasource"}, "invalid plugin id"),
        ({"id": 5, "type": "datasource"}, "'id' must be a string"),
        ({"id": "a"}, "'type' is required"),
        ({"id": "a", "type": "widget"}, "unknown plugin type 'widget'"),
        ({"id": "a", "type": "datasource", "backend": True}, "needs an 'executable'"),
        ({"id": "a", "type": "datasource", "backend": "yes"}, "'backend' must be true or false"),
        ({"id": "a", "type": "datasource", "routes": {"x": 1}}, "'routes' must be a list"),
        ({"id": "a", "type": "datasource", "aliasIDs": [1]}, "'aliasIDs' must be a list"),
        ({"id": "a", "type": "datasource", "info": "x"}, "'info' must be an object"),
    ],
)
def test_invalid_plugin_json(raw: Any, fragment: str, tmp_path: Path) -> None:
    with pytest.raises(InvalidPluginError) as info:
        parse_plugin_json(raw, tmp_path)
    assert fragment in str(info.value)


def test_folders_prefer_dist_and_do_not_descend_into_plugins(tmp_path: Path) -> None:
    write_plugin(tmp_path / "a", id="a", type="panel")
    write_plugin(tmp_path / "a" / "dist", id="a", type="panel")
    write_plugin(tmp_path / "b", id="b", type="panel")
    write_plugin(tmp_path / "b" / "nested", id="nested", type="panel")
    write_plugin(tmp_path / "vendor" / "c", id="c", type="panel")
    write_plugin(tmp_path / "node_modules" / "d", id="d", type="panel")
    write_plugin(tmp_path / ".hidden" / "e", id="e", type="panel")
    (tmp_path / "empty").mkdir()
    assert list(plugin_folders(tmp_path)) == [tmp_path / "a" / "dist", tmp_path / "b", tmp_path / "vendor" / "c"]


def test_symlink_loops_are_followed_once(tmp_path: Path) -> None:
    write_plugin(tmp_path / "real" / "p", id="p", type="panel")
    (tmp_path / "real" / "loop").symlink_to(tmp_path / "real")
    assert list(plugin_folders(tmp_path)) == [tmp_path / "real" / "p"]


def test_discover_reports_invalid_duplicate_and_unsigned(tmp_path: Path) -> None:
    write_plugin(tmp_path / "1-good", id="good", type="datasource", backend=True, executable="gpx_good")
    write_plugin(tmp_path / "2-panel", id="panel", type="panel")
    write_plugin(tmp_path / "3-dup", id="good", type="datasource")
    write_plugin(tmp_path / "4-alias-dup", id="other", type="datasource", aliasIDs=["panel"])
    write_plugin(tmp_path / "5-unsigned", id="stranger", type="datasource")
    write_plugin(tmp_path / "6-badtype", id="bad", type="widget")
    (tmp_path / "7-notjson").mkdir()
    (tmp_path / "7-notjson" / "plugin.json").write_text("{not json", encoding="utf-8")
    plugins, errors = discover(tmp_path, allow_unsigned=["good", "panel", "other", "bad"])
    assert [p.id for p in plugins] == ["good", "panel"]
    assert [(e.plugin_id, e.directory.name, e.code) for e in errors] == [
        ("good", "3-dup", "duplicate"),
        ("other", "4-alias-dup", "duplicate"),
        ("stranger", "5-unsigned", "signatureMissing"),
        ("bad", "6-badtype", "invalid"),
        ("", "7-notjson", "invalid"),
    ]
    assert "already loaded from" in errors[0].message and str(tmp_path / "1-good") in errors[0].message
    assert "allow_loading_unsigned_plugins" in errors[2].message
    assert "unknown plugin type 'widget'" in errors[3].message
    assert "not valid JSON" in errors[4].message


def test_missing_folder_is_empty(tmp_path: Path, caplog: pytest.LogCaptureFixture) -> None:
    assert discover(tmp_path / "nope") == ([], [])
    assert "does not exist" in caplog.text


def test_bundled_plugins_need_no_allow_listing(tmp_path: Path) -> None:
    write_plugin(tmp_path / "bundled" / "x", id="x", type="panel")
    write_plugin(tmp_path / "other" / "y", id="y", type="panel")
    plugins, errors = discover(tmp_path, internal_root=tmp_path / "bundled")
    assert [(p.id, p.signature) for p in plugins] == [("x", "internal")]
    assert [(e.plugin_id, e.code) for e in errors] == [("y", "signatureMissing")]
