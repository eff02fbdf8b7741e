"""``grafana-plugin new``: the project installs and its own tests pass at once; ids are checked as Grafana does."""

from __future__ import annotations

import json
import subprocess
from pathlib import Path

import pytest

from tests.cli.conftest import pip_install_editable, run_cli

KINDS = {
    "datasource": ("acme-weather-datasource", []),
    "sql": ("acme-warehouse-datasource", ["--sql"]),
    "app": ("acme-hello-app", ["--type", "app"]),
}


@pytest.mark.parametrize("kind", sorted(KINDS))
def test_new_project_installs_and_its_tests_pass(kind: str, tmp_path: Path, project_venv: Path) -> None:
    plugin_id, options = KINDS[kind]
    project = tmp_path / plugin_id
    assert run_cli("new", plugin_id, *options, "--directory", project) == 0
    manifest = json.loads((project / "plugin.json").read_text())
    assert (manifest["id"], manifest["backend"]) == (plugin_id, True)
    assert manifest["type"] == ("app" if kind == "app" else "datasource")
    package = plugin_id.replace("-", "_")
    assert (project / package / "__main__.py").is_file() and (project / "module.js").is_file()
    assert list((project / "tests" / "testdata").glob("*.jsonc")), "no golden file"
    pip_install_editable(project_venv, project)
    # The golden files are compared, not rewritten: the project's tests pass as generated.
    proc = subprocess.run(
        [project_venv, "-m", "pytest", "-q", "-p", "no:cacheprovider", "-p", "no:asyncio"],
        cwd=project,
        capture_output=True,
        text=True,
        timeout=300,
    )
    assert proc.returncode == 0, proc.stdout + proc.stderr
    assert "8 passed" in proc.stdout, proc.stdout


@pytest.mark.parametrize(
    ("plugin_id", "options", "message"),
    [
        ("Acme-Weather-datasource", [], "lower-case"),
        ("acme-weather", [], "should end with '-datasource'"),
        ("weather-datasource", [], "at least three words"),
        ("acme-hello-datasource", ["--type", "app"], "should end with '-app'"),
        ("../evil-datasource", [], "path separator"),
    ],
)
def test_bad_ids_are_refused(
    plugin_id: str, options: list[str], message: str, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    assert run_cli("new", plugin_id, *options, "--directory", tmp_path / "p") == 2
    assert message in capsys.readouterr().err
    assert not (tmp_path / "p").exists()


def test_sql_app_conflict_and_existing_folder(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    assert run_cli("new", "acme-x-app", "--type", "app", "--sql", "--directory", tmp_path / "p") == 2
    assert "--sql" in capsys.readouterr().err
    (tmp_path / "full").mkdir()
    (tmp_path / "full" / "keep.txt").write_text("mine")
    assert run_cli("new", "acme-x-datasource", "--directory", tmp_path / "full") == 2
    assert "not empty" in capsys.readouterr().err
    assert [p.name for p in (tmp_path / "full").iterdir()] == ["keep.txt"]
