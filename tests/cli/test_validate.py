"""``grafana-plugin validate``: a good folder passes; each broken one fails with a message naming the problem."""

from __future__ import annotations

import hashlib
import json
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest

from grafana_plugin_sdk.cli import DEFAULT_TARGETS
from tests.cli.conftest import run_cli

MANIFEST: dict[str, Any] = {
    "type": "datasource",
    "name": "Good",
    "id": "acme-good-datasource",
    "backend": True,
    "executable": "gpx_good",
    "info": {"version": "1.0.0", "updated": "2026-01-01", "logos": {"small": "img/a.svg", "large": "img/a.svg"}},
    "dependencies": {"grafanaDependency": ">=10.0.0", "plugins": []},
}


def good_plugin(folder: Path) -> Path:
    """A plugin folder with everything Grafana's loader wants, launchers for every default target."""
    (folder / "img").mkdir(parents=True)
    (folder / "img" / "a.svg").write_text("<svg/>")
    (folder / "module.js").write_text("define([], function () { return {}; });\n")
    (folder / "plugin.json").write_text(json.dumps(MANIFEST))
    for platform in DEFAULT_TARGETS:
        launcher = folder / f"gpx_good_{platform}"
        launcher.write_text("#!/bin/sh\nexit 0\n")
        launcher.chmod(0o755)
    return folder


def edit_manifest(**changes: Any) -> Callable[[Path], None]:
    def edit(folder: Path) -> None:
        manifest = {**MANIFEST, **changes}
        (folder / "plugin.json").write_text(json.dumps({k: v for k, v in manifest.items() if v is not None}))

    return edit


def nested_plugin_json(folder: Path) -> None:
    (folder / "lib" / "any" / "somepkg").mkdir(parents=True)
    (folder / "lib" / "any" / "somepkg" / "plugin.json").write_text("{}")


def pycache(folder: Path) -> None:
    (folder / "app" / "pkg" / "__pycache__").mkdir(parents=True)
    (folder / "app" / "pkg" / "__pycache__" / "x.cpython-311.pyc").write_bytes(b"\0")


def no_launcher(folder: Path) -> None:
    for launcher in folder.glob("gpx_good_*"):
        launcher.unlink()


def not_a_program(folder: Path) -> None:
    (folder / "gpx_good_darwin_arm64").write_text("echo hi\n")


def missing_vendored_python(folder: Path) -> None:
    launcher = folder / "gpx_good_linux_amd64"
    supported = 'supported() { case "$1" in 3.11|3.12) return 0 ;; esac; return 1; }'
    launcher.write_text(f'#!/bin/sh\n{supported}\nPYTHONPATH="$here/lib/linux_amd64-$abi"\n')
    (folder / "lib" / "linux_amd64-cp311").mkdir(parents=True)


BROKEN: dict[str, tuple[Callable[[Path], object], str]] = {
    "no-plugin-json": (lambda f: (f / "plugin.json").unlink(), "has no plugin.json"),
    "bad-json": (lambda f: (f / "plugin.json").write_text("{nope"), "not valid JSON"),
    "no-id": (edit_manifest(id=None), "'id' is missing"),
    "bad-type": (edit_manifest(type="widget"), "'type' 'widget' is not one of"),
    "backend-without-executable": (edit_manifest(executable=None), "needs an 'executable'"),
    "no-launcher": (no_launcher, "no launcher gpx_good_<os>_<arch> at all"),
    "launcher-not-executable": (lambda f: (f / "gpx_good_linux_arm64").chmod(0o644), "is not executable"),
    "launcher-not-a-program": (not_a_program, "neither a program"),
    "no-module-js": (lambda f: (f / "module.js").unlink(), "no module.js"),
    "missing-logo": (lambda f: (f / "img" / "a.svg").unlink(), "info.logos.small names 'img/a.svg'"),
    "bad-grafana-dependency": (edit_manifest(dependencies={"grafanaDependency": "ten"}), "grafanaDependency"),
    "flag-not-boolean": (edit_manifest(alerting="yes"), "'alerting' must be true or false"),
    "nested-plugin-json": (nested_plugin_json, "lib/any/somepkg/plugin.json: Grafana loads it as a nested plugin"),
    "bytecode": (pycache, "bytecode in the plugin folder"),
    "symlink-out": (lambda f: (f / "escape").symlink_to("/etc"), "escape is a symlink leaving the plugin folder"),
    "vendored-python-missing": (missing_vendored_python, "runs Python 3.12 but lib/linux_amd64-cp312 is missing"),
}


def test_good_folder_passes(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    folder = good_plugin(tmp_path / "good")
    assert run_cli("validate", folder) == 0
    out = capsys.readouterr()
    assert "is valid: 0 error(s), 0 warning(s)" in out.out and out.err == ""


@pytest.mark.parametrize("case", sorted(BROKEN))
def test_broken_folder_fails_naming_the_problem(case: str, tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    folder = good_plugin(tmp_path / "broken")
    breaking, message = BROKEN[case]
    breaking(folder)
    assert run_cli("validate", folder) == 1
    out = capsys.readouterr()
    assert message in out.err, out.err
    assert "is not valid" in out.out


def test_warnings_do_not_fail(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    folder = good_plugin(tmp_path / "warn")
    edit_manifest(id="Good_Plugin")(folder)
    (folder / "gpx_good_darwin_amd64").unlink()
    assert run_cli("validate", folder) == 0
    out = capsys.readouterr().out
    assert "no gpx_good_darwin_amd64: Grafana on darwin_amd64 cannot start this plugin" in out
    assert "lower-case letters and digits" in out


def test_dist_is_validated_when_present(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    project = tmp_path / "project"
    project.mkdir()
    (project / "plugin.json").write_text("{broken source manifest")
    good_plugin(project / "dist")
    assert run_cli("validate", project) == 0  # Grafana loads dist/ when it holds a plugin.json
    assert f"{project / 'dist'} is valid" in capsys.readouterr().out
    (project / "dist" / "module.js").unlink()
    assert run_cli("validate", project) == 1


def test_built_dist_is_valid(built_project: Path, capsys: pytest.CaptureFixture[str]) -> None:
    assert run_cli("validate", built_project) == 0
    assert "0 error(s)" in capsys.readouterr().out


def signed_manifest(folder: Path, files: dict[str, str]) -> None:
    """A MANIFEST.txt shaped like the signing tool's (clear-signed JSON; the signature is not checked)."""
    body = json.dumps({"manifestVersion": "2.0.0", "plugin": MANIFEST["id"], "files": files}, indent=2)
    text = f"-----BEGIN PGP SIGNED MESSAGE-----\nHash: SHA512\n\n{body}\n-----BEGIN PGP SIGNATURE-----\nxx\n"
    (folder / "MANIFEST.txt").write_text(text)


def all_files(folder: Path) -> dict[str, str]:
    return {
        p.relative_to(folder).as_posix(): hashlib.sha256(p.read_bytes()).hexdigest()
        for p in folder.rglob("*")
        if p.is_file() and p.name != "MANIFEST.txt"
    }


def test_manifest_listing_every_file_passes(tmp_path: Path) -> None:
    folder = good_plugin(tmp_path / "signed")
    signed_manifest(folder, all_files(folder))
    assert run_cli("validate", folder) == 0


@pytest.mark.parametrize("change", ["unlisted", "missing", "modified"])
def test_manifest_must_match_the_files(change: str, tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    folder = good_plugin(tmp_path / "signed")
    signed_manifest(folder, all_files(folder))
    if change == "unlisted":
        (folder / "extra.txt").write_text("written later")
        expected = "extra.txt is not listed in MANIFEST.txt"
    elif change == "missing":
        (folder / "img" / "a.svg").rename(folder / "img" / "b.svg")
        expected = "MANIFEST.txt lists img/a.svg, which is missing"
    else:
        (folder / "module.js").write_text("changed")
        expected = "module.js differs from its SHA-256"
    assert run_cli("validate", folder) == 1
    assert expected in capsys.readouterr().err
