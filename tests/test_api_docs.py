"""The API reference (docs/api, Sphinx autodoc) builds without a warning: every docstring cross-reference resolves."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest

DOCS = Path(__file__).resolve().parent.parent / "docs" / "api"


def _build(source: Path, out: Path) -> subprocess.CompletedProcess[str]:
    pytest.importorskip("sphinx", reason="Sphinx is not installed (it is in the dev extra)")
    command = [sys.executable, "-m", "sphinx", "-b", "html", "-n", "-W", "--keep-going", "-q", str(source), str(out)]
    return subprocess.run(command, capture_output=True, text=True, timeout=300, check=False)


def test_api_reference_builds_with_every_reference_resolved(tmp_path: Path) -> None:
    result = _build(DOCS, tmp_path / "html")
    assert result.returncode == 0, result.stderr
    page = (tmp_path / "html" / "backend.html").read_text()
    for documented in ("DataQuery.model", "DataQuery.max_data_points", "DataQuery.interval", "DataQuery.time_range"):
        assert f'id="grafana_plugin_sdk.backend.{documented}"' in page, documented
    assert 'id="grafana_plugin_sdk.backend.DataSourceInstanceSettings.json_data"' in page


def test_a_broken_reference_fails_the_build(tmp_path: Path) -> None:
    source = tmp_path / "src"
    source.mkdir()
    (source / "conf.py").write_text((DOCS / "conf.py").read_text().replace("parents[2]", "parents[0]"))
    (source / "index.rst").write_text("Broken\n======\n\nSee :class:`grafana_plugin_sdk.backend.NoSuchClass`.\n")
    result = _build(source, tmp_path / "html")
    assert result.returncode != 0 and "NoSuchClass" in result.stderr
