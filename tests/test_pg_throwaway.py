"""scripts/pg-throwaway.sh: the throwaway PostgreSQL cluster `make test` and CI start for the PostgreSQL runs."""

from __future__ import annotations

import os
import re
import socket
import subprocess
import sys
from pathlib import Path

import pytest

SCRIPT = Path(__file__).resolve().parent.parent / "scripts" / "pg-throwaway.sh"
VAR = "GRAFANA_PLUGIN_HOST_TEST_PG_URL"
# Prints the URL it got, then proves a server answers there.
PROBE = (
    "import os, psycopg; from sqlalchemy.engine import make_url; url = os.environ['GRAFANA_PLUGIN_HOST_TEST_PG_URL'];"
    "print(url); dsn = make_url(url).set(drivername='postgresql').render_as_string(hide_password=False);"
    "print(psycopg.connect(dsn).execute('SELECT 40 + 2').fetchone()[0])"
)


def _run(*args: str, env: dict[str, str]) -> subprocess.CompletedProcess[str]:
    base = {k: v for k, v in os.environ.items() if k != VAR}
    return subprocess.run(
        [str(SCRIPT), *args], env={**base, **env}, capture_output=True, text=True, timeout=120, check=False
    )


def test_run_starts_a_cluster_for_the_command_and_removes_it() -> None:
    if subprocess.run([str(SCRIPT), "found"], check=False).returncode != 0:
        pytest.skip("PostgreSQL's server binaries are not installed (CI installs them)")
    result = _run("run", sys.executable, "-c", PROBE, env={})
    assert result.returncode == 0, result.stderr
    match = re.search(r"^(postgresql\+psycopg://postgres@127\.0\.0\.1:(\d+)/postgres)\n42$", result.stdout, re.M)
    assert match is not None, result.stdout
    assert f"PostgreSQL runs on a throwaway cluster ({match[1]})" in result.stdout
    with socket.socket() as probe:  # stopped afterwards: nothing listens on its port any more
        assert probe.connect_ex(("127.0.0.1", int(match[2]))) != 0


def test_run_keeps_the_exit_status_of_the_command() -> None:
    assert _run("run", "sh", "-c", "exit 3", env={VAR: "postgresql+psycopg://given"}).returncode == 3


def test_run_uses_a_given_server_without_starting_one() -> None:
    result = _run("run", "sh", "-c", f'echo "${VAR}"', env={VAR: "postgresql+psycopg://u@db:5432/x"})
    assert result.returncode == 0 and result.stdout == "postgresql+psycopg://u@db:5432/x\n"


def test_run_without_postgres_says_in_one_line_what_skips(tmp_path: Path) -> None:
    result = _run("run", "sh", "-c", f'echo "[${VAR}]"', env={"PG_BINDIR": str(tmp_path)})
    assert result.returncode == 0
    first, *rest = result.stdout.splitlines()
    assert "the PostgreSQL runs (pytest -m postgres) will skip" in first and "apt-get install postgresql" in first
    assert f"set {VAR}" in first and rest == ["[]"]
