"""``grafana-plugin build``: dist/ runs under a Go host configured like Grafana with a Python that has nothing
installed, writes nothing into dist/, and explains a missing Python in one hclog line."""

from __future__ import annotations

import hashlib
import json
import os
import shutil
import subprocess
from pathlib import Path
from typing import Any

import pytest

from grafana_plugin_sdk.cli import host_platform
from tests.cli.conftest import THIS_PYTHON, run_cli
from tests.interop.conftest import GoTools, build_go_programs

RANGE = {"from": 1704067200000, "to": 1704070800000}


def dist_hashes(dist: Path) -> dict[str, str]:
    """Relative path -> sha256 of every file, and every folder as a marker."""
    return {
        str(p.relative_to(dist)): hashlib.sha256(p.read_bytes()).hexdigest() if p.is_file() else "dir"
        for p in sorted(dist.rglob("*"))
    }


def launcher(project: Path) -> Path:
    return project / "dist" / f"gpx_acme_built_{host_platform()}"


def test_dist_layout(built_project: Path) -> None:
    dist = built_project / "dist"
    assert json.loads((dist / "plugin.json").read_text())["id"] == "acme-built-datasource"
    assert (dist / "module.js").is_file() and (dist / "img" / "logo.svg").is_file()
    assert (dist / "app" / "acme_built_datasource" / "__main__.py").is_file()
    assert os.access(launcher(built_project), os.X_OK)
    abi = "cp" + THIS_PYTHON.replace(".", "")
    own = dist / "lib" / f"{host_platform()}-{abi}"
    shared = dist / "lib" / "any"
    assert (own / "grpc").is_dir() and (own / "pyarrow").is_dir() and (own / "numpy").is_dir()
    assert (shared / "grafana_plugin_sdk" / "serve.py").is_file() and (shared / "httpx").is_dir()
    assert not (shared / "grafana_plugin_sdk" / "cli").exists()  # the CLI and its templates stay out
    assert not list(dist.rglob("__pycache__")) and not list(dist.rglob("*.pyc"))
    assert not [p for p in dist.rglob("tests") if p.is_dir()]
    assert not list(dist.rglob("RECORD")) and not (own / "bin").exists()
    assert [p for p in dist.rglob("plugin.json")] == [dist / "plugin.json"]


#: The recipe docs/shipping.md gives for a smaller dist/ (pyarrow's Flight RPC and S3 filesystem).
SLIM = ("pyarrow/*flight*", "pyarrow/*s3*")


@pytest.mark.interop
@pytest.mark.parametrize("slim", [False, True], ids=["full", "without-flight-and-s3"])
def test_built_plugin_under_go_host_with_a_bare_python(
    built_project: Path, bare_python: Path, tmp_path: Path, slim: bool
) -> None:
    go = GoTools(build_go_programs())
    assert go.programs.platform_suffix == host_platform()
    dist = built_project / "dist"
    if slim:
        dist = tmp_path / "dist-slim"
        excludes = [arg for pattern in SLIM for arg in ("--exclude", pattern)]
        assert (
            run_cli(
                "build", built_project, "--out", dist, "--target", host_platform(), "--python", THIS_PYTHON, *excludes
            )
            == 0
        )
        assert not list(dist.rglob("*flight*")) and not list(dist.rglob("*s3*"))
    before = dist_hashes(dist)
    context: dict[str, Any] = {
        "orgId": 1,
        "pluginId": "acme-built-datasource",
        "user": {"login": "alice", "role": "Editor"},
        "dataSource": {"id": 1, "uid": "built", "name": "Built", "jsonData": {"step": 2}, "updatedMs": 1},
    }
    script = {
        "pluginContext": context,
        "env": {"GF_PLUGIN_PYTHON": str(bare_python)},  # what [plugin.<id>] python becomes in Grafana
        "calls": [
            {"op": "CheckHealth"},
            {"op": "QueryData", "queries": [{"refId": "A", "timeRange": RANGE, "json": {"constant": 1, "points": 3}}]},
            {"op": "CallResource", "path": "ping"},
        ],
    }
    stderr = tmp_path / "stderr"
    report = go.host([dist / f"gpx_acme_built_{host_platform()}"], script, stderr=stderr)
    assert report.get("error") is None, f"{report['error']}\n{stderr.read_text()}"
    assert (report["protocol"], report["negotiatedVersion"]) == ("grpc", 2)
    health, query, ping = report["results"]
    assert health["health"]["status"] == "OK" and health["health"]["details"] == {"step": 2}
    assert query["decode"]["A"] == {"format": "ARROW", "frames": 1}
    (frame,) = query["data"]["A"]["frames"]
    assert frame["data"]["values"] == [[1704067200000, 1704069000000, 1704070800000], [1.0, 3.0, 5.0]]
    assert json.loads(ping["messages"][0]["body"]) == {"message": "pong", "user": "alice"}
    assert report["shutdown"]["graceful"]
    assert dist_hashes(dist) == before  # no bytecode, caches or anything else written into dist/


def _path_without_python(tmp_path: Path, fake_python3: str | None = None) -> str:
    """A PATH holding the shell tools the launcher uses, and no Python (or a fake ``python3``)."""
    bin_dir = tmp_path / "bin"
    bin_dir.mkdir()
    for tool in ("sh", "dirname", "tr", "sed", "date"):
        found = shutil.which(tool)
        assert found, tool
        (bin_dir / tool).symlink_to(found)
    if fake_python3 is not None:
        (bin_dir / "python3").write_text(f"#!/bin/sh\necho {fake_python3}\n")
        (bin_dir / "python3").chmod(0o755)
    return str(bin_dir)


@pytest.mark.parametrize(
    ("env", "fake", "expected"),
    [
        ({}, None, "no usable Python (looked for python3 then python"),
        ({}, "3.9", "found: python3=3.9"),
        ({"GF_PLUGIN_PYTHON": "/nowhere/python3"}, None, "GF_PLUGIN_PYTHON=/nowhere/python3"),
    ],
    ids=["none-on-path", "too-old-on-path", "configured-missing"],
)
def test_missing_python_is_one_hclog_error_line(
    built_project: Path, tmp_path: Path, env: dict[str, str], fake: str | None, expected: str
) -> None:
    proc = subprocess.run(
        [launcher(built_project)],
        env={"PATH": _path_without_python(tmp_path, fake), **env},
        capture_output=True,
        text=True,
        timeout=30,
        check=False,
    )
    assert proc.returncode != 0 and proc.stdout == ""
    (line,) = proc.stderr.splitlines()
    entry = json.loads(line)
    assert entry["@level"] == "error"
    assert expected in entry["@message"]
    assert "[plugin.acme-built-datasource] python" in entry["@message"]


def test_unknown_target_and_python_are_usage_errors(built_project: Path, capsys: pytest.CaptureFixture[str]) -> None:
    assert run_cli("build", built_project, "--python", "3.9", "--out", built_project / "other") == 2
    assert "at least 3.11" in capsys.readouterr().err
    assert not (built_project / "other").exists()


#: What the compiled gRPC module of each target is called (the wheel's platform, not this machine's).
CYGRPC_SUFFIX = {
    "linux_amd64": "x86_64-linux-gnu.so",
    "linux_arm64": "aarch64-linux-gnu.so",
    "darwin_arm64": "darwin.so",
    "darwin_amd64": "darwin.so",
}


@pytest.mark.multitarget
def test_every_default_target(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    project = tmp_path / "acme-multi-datasource"
    assert run_cli("new", "acme-multi-datasource", "--directory", project) == 0
    capsys.readouterr()
    assert run_cli("build", project, "--python", THIS_PYTHON) == 0
    report = capsys.readouterr().out
    dist = project / "dist"
    abi = "cp" + THIS_PYTHON.replace(".", "")
    for target, suffix in CYGRPC_SUFFIX.items():
        assert os.access(dist / f"gpx_acme_multi_{target}", os.X_OK), target
        own = dist / "lib" / f"{target}-{abi}"
        (cygrpc,) = (own / "grpc" / "_cython").glob("cygrpc.*")
        assert cygrpc.name.endswith(suffix), (target, cygrpc.name)
        assert (own / "pyarrow").is_dir() and not (own / "httpx").exists()  # pure packages are shared
        assert f"{target}-{abi}: +" in report
    darwin = (dist / "lib" / f"darwin_arm64-{abi}" / "pyarrow").glob("libarrow.*.dylib")
    assert list(darwin), "no macOS arrow library in the darwin target"


@pytest.mark.parametrize(
    ("key", "value"),
    [("executable", "../../escape"), ("executable", "gpx x"), ("id", 'acme-x-datasource"; rm -rf ~; "')],
)
def test_hostile_plugin_json_is_refused_before_writing(
    key: str, value: str, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    project = tmp_path / "p"
    assert run_cli("new", "acme-hostile-datasource", "--directory", project) == 0
    manifest = json.loads((project / "plugin.json").read_text())
    (project / "plugin.json").write_text(json.dumps({**manifest, key: value}))
    assert run_cli("build", project, "--target", host_platform(), "--python", THIS_PYTHON) == 2
    assert f"plugin.json '{key}' must be letters, digits" in capsys.readouterr().err
    assert sorted(p.name for p in tmp_path.iterdir()) == ["p"] and not (project / "dist").exists()
