"""``grafana-plugin package``: Grafana's zip layout with modes kept and checksums; refused when invalid."""

from __future__ import annotations

import hashlib
import json
import os
import stat
import zipfile
from pathlib import Path

import pytest

from grafana_plugin_sdk.cli import host_platform
from tests.cli.conftest import run_cli
from tests.cli.test_validate import all_files, good_plugin, signed_manifest


def extract(archive: Path, plugins_dir: Path) -> None:
    """Unzip keeping file modes, as Grafana's installer does."""
    with zipfile.ZipFile(archive) as zf:
        for info in zf.infolist():
            target = plugins_dir / info.filename
            target.parent.mkdir(parents=True, exist_ok=True)
            target.write_bytes(zf.read(info))
            target.chmod(stat.S_IMODE(info.external_attr >> 16))


def test_zip_has_one_top_folder_modes_and_checksums(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    folder = good_plugin(tmp_path / "project" / "dist")
    assert run_cli("package", tmp_path / "project", "--out", tmp_path / "out") == 0
    archive = tmp_path / "out" / "acme-good-datasource-1.0.0.zip"
    assert str(archive) in capsys.readouterr().out
    with zipfile.ZipFile(archive) as zf:
        names = zf.namelist()
    assert {n.split("/")[0] for n in names} == {"acme-good-datasource"}
    assert sorted(n.split("/", 1)[1] for n in names) == sorted(
        p.relative_to(folder).as_posix() for p in folder.rglob("*") if p.is_file()
    )
    for algorithm in ("sha1", "md5"):
        line = (tmp_path / "out" / f"{archive.name}.{algorithm}").read_text()
        assert line == f"{hashlib.new(algorithm, archive.read_bytes()).hexdigest()}  {archive.name}\n"
    plugins = tmp_path / "plugins"
    extract(archive, plugins)
    installed = plugins / "acme-good-datasource"
    assert os.access(installed / "gpx_good_linux_amd64", os.X_OK)
    assert run_cli("validate", installed) == 0


def test_invalid_folder_is_not_packaged(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    folder = good_plugin(tmp_path / "bad")
    (folder / "module.js").unlink()
    assert run_cli("package", folder, "--out", tmp_path / "out") == 1
    assert "no module.js" in capsys.readouterr().err
    assert not (tmp_path / "out").exists()


def test_nothing_to_package(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    assert run_cli("package", tmp_path) == 2
    assert "grafana-plugin build" in capsys.readouterr().err


def test_zip_inside_the_plugin_folder_is_refused(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    folder = good_plugin(tmp_path / "p")
    assert run_cli("package", folder) == 2
    assert "inside the plugin folder" in capsys.readouterr().err


def test_built_project_packages_and_installs(built_project: Path, tmp_path: Path) -> None:
    assert run_cli("package", built_project, "--out", tmp_path) == 0
    (archive,) = tmp_path.glob("*.zip")
    extract(archive, tmp_path / "plugins")
    installed = tmp_path / "plugins" / "acme-built-datasource"
    assert os.access(installed / f"gpx_acme_built_{host_platform()}", os.X_OK)
    assert json.loads((installed / "plugin.json").read_text())["id"] == "acme-built-datasource"
    assert run_cli("validate", installed) == 0


def test_one_zip_per_target_holds_only_that_target(tmp_path: Path) -> None:
    folder = good_plugin(tmp_path / "p")
    for relative in ("lib/any/shared.py", "lib/linux_amd64-cp311/fast.so", "lib/darwin_arm64-cp311/fast.so"):
        (folder / relative).parent.mkdir(parents=True, exist_ok=True)
        (folder / relative).write_text(relative)
    out = tmp_path / "out"
    assert run_cli("package", folder, "--out", out, "--target", "linux_amd64", "--target", "darwin_arm64") == 0
    for target, other in (("linux_amd64", "darwin_arm64"), ("darwin_arm64", "linux_amd64")):
        archive = out / f"acme-good-datasource-1.0.0.{target}.zip"
        assert (out / f"{archive.name}.sha1").is_file()
        with zipfile.ZipFile(archive) as zf:
            names = {n.split("/", 1)[1] for n in zf.namelist()}
        assert {f"gpx_good_{target}", "lib/any/shared.py", f"lib/{target}-cp311/fast.so", "module.js"} <= names
        assert not [n for n in names if other in n or n.startswith("gpx_good_linux_arm64")], names


def test_one_target_of_a_signed_folder_is_refused(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    folder = good_plugin(tmp_path / "p")
    signed_manifest(folder, all_files(folder))
    assert run_cli("package", folder, "--out", tmp_path / "out", "--target", "linux_amd64") == 2
    assert "sign each target apart" in capsys.readouterr().err


def test_version_that_is_a_path_is_refused(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    folder = good_plugin(tmp_path / "p")
    manifest = json.loads((folder / "plugin.json").read_text())
    manifest["info"]["version"] = "../../../escape"
    (folder / "plugin.json").write_text(json.dumps(manifest))
    assert run_cli("package", folder, "--out", tmp_path / "out") == 2
    assert "cannot be part of a file name" in capsys.readouterr().err
    assert not list(tmp_path.rglob("*.zip"))
