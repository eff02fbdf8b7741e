"""The ``grafana-plugin-host`` command: help, configuration errors, database errors."""

from __future__ import annotations

import socket
import subprocess
import sys
from pathlib import Path

import pytest

from grafana_plugin_host.cli import main
from tests.host.api.conftest import ROOT
from tests.python_without import python_without


def _run(*args: str, env: dict[str, str] | None = None, cwd: Path | None = None) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "grafana_plugin_host.cli", *args],
        capture_output=True,
        text=True,
        timeout=60,
        env={"PYTHONPATH": str(ROOT), "PATH": "/usr/bin:/bin", **(env or {})},
        cwd=cwd,
        check=False,
    )


def _free_port() -> str:
    """A port nobody listens on, so a host the developer runs on 3000 meanwhile does not matter."""
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return str(probe.getsockname()[1])


def test_help_names_the_commands_and_the_configuration() -> None:
    result = _run("--help")
    assert result.returncode == 0
    assert "usage: grafana-plugin-host" in result.stdout
    assert "--config FILE" in result.stdout and "serve" in result.stdout and "GF_<SECTION>_<KEY>" in result.stdout
    served = _run("serve", "--help")
    assert served.returncode == 0 and "run the HTTP API" in served.stdout


@pytest.mark.parametrize(
    ("ini", "env", "message"),
    [
        ("[server]\nhttp_port = abc\n", {}, "invalid value for [server] http_port: expected a whole number"),
        ("", {"GF_DATABASE_TYPE": "mysql"}, "invalid value for GF_DATABASE_TYPE: expected one of sqlite3, postgres"),
        ("[database]\ntype = postgres\n", {}, "[database] type is postgres but [database] url is empty"),
        ("[server\n", {}, "cannot read the configuration file"),
    ],
)
def test_bad_configuration_exits_2_with_a_clear_message(
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture[str],
    ini: str,
    env: dict[str, str],
    message: str,
) -> None:
    config = tmp_path / "bad.ini"
    config.write_text(ini)
    for key, value in env.items():
        monkeypatch.setenv(key, value)
    assert main(["--config", str(config)]) == 2
    err = capsys.readouterr().err
    assert err.startswith("grafana-plugin-host: configuration error: ") and message in err
    assert "Traceback" not in err


def test_missing_config_file_and_unknown_command(tmp_path: Path) -> None:
    result = _run("--config", str(tmp_path / "absent.ini"))
    assert result.returncode == 2 and "cannot read the configuration file" in result.stderr
    assert "No such file or directory" in result.stderr
    unknown = _run("frobnicate")
    assert unknown.returncode == 2 and "invalid choice: 'frobnicate'" in unknown.stderr


def test_unreachable_database_exits_1_with_a_clear_message(tmp_path: Path) -> None:
    ini = tmp_path / "pg.ini"
    ini.write_text(f"[database]\ntype = postgres\nurl = postgres://nobody:secretpw@127.0.0.1:{_free_port()}/db\n")
    result = _run("--config", str(ini), env={"GF_SERVER_HTTP_PORT": _free_port()}, cwd=tmp_path)
    assert result.returncode == 1
    assert "database error" in result.stderr and "Traceback" not in result.stderr
    assert "secretpw" not in result.stderr


def test_port_in_use_is_reported(tmp_path: Path) -> None:
    with socket.socket() as busy:
        busy.bind(("127.0.0.1", 0))
        busy.listen()
        port = busy.getsockname()[1]
        env = {
            "GF_SERVER_HTTP_PORT": str(port),
            "GF_PATHS_DATA": str(tmp_path / "d"),
            "GF_PATHS_PLUGINS": str(ROOT / "example_plugins"),
            "GF_LOG_LEVEL": "debug",
        }
        result = _run(cwd=tmp_path, env=env)
    assert result.returncode == 2 and "Traceback" not in result.stderr
    assert (
        f"cannot start: 127.0.0.1:{port} is already in use; pick another port with GF_SERVER_HTTP_PORT" in result.stderr
    )
    assert "python-testdata-datasource" not in result.stderr  # checked before any plugin was discovered or started


def test_postgres_without_its_driver_names_the_install_command(tmp_path: Path) -> None:
    env = {
        "GF_DATABASE_TYPE": "postgres",
        "GF_DATABASE_URL": "postgres://u:secretpw@127.0.0.1:1/db",
        "GF_SERVER_HTTP_PORT": _free_port(),
    }
    result = subprocess.run(
        [python_without(tmp_path, "psycopg"), "-m", "grafana_plugin_host.cli"],
        capture_output=True,
        text=True,
        timeout=60,
        env={"PATH": "/usr/bin:/bin", "GF_PATHS_DATA": str(tmp_path / "d"), **env},
        cwd=tmp_path,
        check=False,
    )
    assert result.returncode == 2 and "Traceback" not in result.stderr
    assert 'configuration error: postgresql needs psycopg: pip install "./host[postgres]"' in result.stderr
