"""Helpers for the host's tests: a real host process on a free port, on SQLite or PostgreSQL."""

from __future__ import annotations

import contextlib
import itertools
import os
import re
import secrets
import signal
import subprocess
import sys
import threading
import time
from collections.abc import Callable, Iterator
from pathlib import Path

import httpx
import pytest

PG_ENV = "GRAFANA_PLUGIN_HOST_TEST_PG_URL"
ROOT = Path(__file__).resolve().parents[3]
_LISTENING = re.compile(r"listening on (http://\S+)")


class HostProcess:
    """``grafana-plugin-host`` in a subprocess; stderr is collected on a thread so the pipe never fills."""

    def __init__(self, workdir: Path, ini: str, env: dict[str, str] | None = None) -> None:
        self.workdir = workdir
        self.config = workdir / "host.ini"
        self.config.write_text(ini, encoding="utf-8")
        self.env = {**os.environ, "PYTHONPATH": str(ROOT), **(env or {})}
        self.env = {k: v for k, v in self.env.items() if not k.startswith("GF_") or k in (env or {})}
        self.url = ""
        self.lines: list[str] = []
        self.process: subprocess.Popen[str] | None = None

    def start(self, timeout: float = 30.0) -> HostProcess:
        """Start the host and wait until it listens (raises with its log if it exits first)."""
        self.lines = []
        self.process = subprocess.Popen(
            [sys.executable, "-m", "grafana_plugin_host.cli", "--config", str(self.config)],
            cwd=self.workdir,
            env=self.env,
            stdout=subprocess.DEVNULL,
            stderr=subprocess.PIPE,
            text=True,
        )
        listening = threading.Event()
        threading.Thread(target=self._read, args=(self.process, listening), daemon=True).start()
        deadline = time.monotonic() + timeout
        while not listening.wait(0.05):
            if self.process.poll() is not None or time.monotonic() > deadline:
                self.stop()
                raise RuntimeError("host did not start:\n" + self.log)
        return self

    def _read(self, process: subprocess.Popen[str], listening: threading.Event) -> None:
        assert process.stderr is not None
        for line in process.stderr:
            self.lines.append(line)
            if match := _LISTENING.search(line):
                self.url = match.group(1)
                listening.set()

    @property
    def log(self) -> str:
        """Everything the host wrote to stderr so far."""
        return "".join(self.lines)

    def stop(self, sig: int = signal.SIGTERM, timeout: float = 15.0) -> int:
        """Signal the host and wait for it to exit; returns its exit status."""
        if self.process is None:
            return 0
        if self.process.poll() is None:
            self.process.send_signal(sig)
            try:
                self.process.wait(timeout)
            except subprocess.TimeoutExpired:
                self.process.kill()
                self.process.wait()
        code = self.process.returncode
        self.process = None
        return code

    def join_org(self, org_id: int) -> None:
        """Make the admin an Admin of org ``org_id`` (created with that id if missing), straight in the database."""
        from sqlalchemy import insert

        from grafana_plugin_host.config import load_settings_file
        from grafana_plugin_host.store import identity
        from grafana_plugin_host.store._engine import make_engine
        from grafana_plugin_host.store._schema import org

        engine = make_engine(load_settings_file(self.config, environ=self.env).sqlalchemy_url)
        try:
            with engine.begin() as conn:
                if identity.get_org(conn, org_id) is None:
                    now = identity.utcnow()
                    conn.execute(insert(org).values(id=org_id, name=f"Org {org_id}", created=now, updated=now))
                admin = identity.find_user(conn, "admin")
                assert admin is not None
                if identity.role_in_org(conn, admin.id, org_id) is None:
                    identity.add_member(conn, org_id, admin.id, "Admin")
        finally:
            engine.dispose()

    def client(self, org_id: int = 1) -> httpx.Client:
        """An HTTP client for the host acting in ``org_id`` (as the admin, made an Admin of that org)."""
        self.join_org(org_id)
        return httpx.Client(
            base_url=self.url,
            auth=("admin", "admin"),
            headers={"X-Grafana-Org-Id": str(org_id)},
            timeout=30,
        )


def _postgres_database(url: str) -> Iterator[str]:
    """A fresh, empty database on the test PostgreSQL server; dropped afterwards."""
    import psycopg
    from sqlalchemy.engine import make_url

    server = make_url(url)
    name = f"gph_test_{secrets.token_hex(6)}"
    dsn = server.set(drivername="postgresql").render_as_string(hide_password=False)
    with psycopg.connect(dsn, autocommit=True) as connection:
        connection.execute(f'CREATE DATABASE "{name}"')
    try:
        yield server.set(database=name).render_as_string(hide_password=False)
    finally:
        with psycopg.connect(dsn, autocommit=True) as connection:
            connection.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')


@contextlib.contextmanager
def database_for(kind: str, folder: Path) -> Iterator[str]:
    """A database URL: a SQLite file in ``folder``, or a fresh PostgreSQL database (skips without a server)."""
    if kind == "sqlite":
        yield f"sqlite:///{folder / 'data' / 'grafana.db'}"
        return
    url = os.environ.get(PG_ENV)
    if not url:
        pytest.skip(f"no PostgreSQL server: set {PG_ENV} (CI sets it) to run the suite against PostgreSQL")
    with contextlib.contextmanager(_postgres_database)(url) as database:
        yield database


BACKENDS = ["sqlite", pytest.param("postgres", marks=pytest.mark.postgres)]


@pytest.fixture(params=BACKENDS)
def database_url(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[str]:
    """A database URL on each backend for one test."""
    with database_for(request.param, tmp_path) as url:
        yield url


def host_ini(database_url: str, data: Path, extra: str = "", plugins: Path | None = None) -> str:
    """The ini text of a test host: a free port, the given database, the plugins folder (default: none)."""
    plugins = plugins or data / "no-plugins"
    return (
        f"[server]\nhttp_addr = 127.0.0.1\nhttp_port = 0\nmax_request_body_bytes = 65536\n"
        f"[paths]\ndata = {data}\nplugins = {plugins}\nprovisioning = {data / 'provisioning'}\n"
        f"[database]\nurl = {database_url}\n{extra}"
    )


@pytest.fixture
def host(database_url: str, tmp_path: Path) -> Iterator[HostProcess]:
    """A running host on a fresh database, stopped after the test."""
    process = HostProcess(tmp_path, host_ini(database_url, tmp_path / "data"))
    process.start()
    try:
        yield process
    finally:
        process.stop()


@pytest.fixture(scope="module", params=BACKENDS)
def shared_host(request: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory) -> Iterator[HostProcess]:
    """One running host per test module and backend; tests isolate themselves with the ``org`` fixture."""
    folder = tmp_path_factory.mktemp("host")
    with database_for(request.param, folder) as url:
        process = HostProcess(folder, host_ini(url, folder / "data"))
        process.start()
        try:
            yield process
        finally:
            process.stop()


_orgs = itertools.count(1000)


@pytest.fixture
def org(shared_host: HostProcess) -> int:
    """An org id no other test uses, where the admin is an Admin (the caller's org: ``X-Grafana-Org-Id``)."""
    org_id = next(_orgs)
    shared_host.join_org(org_id)
    return org_id


@pytest.fixture
def spawn() -> Iterator[Callable[..., HostProcess]]:
    """A factory of (unstarted) host processes; every one still running is stopped after the test."""
    made: list[HostProcess] = []

    def factory(workdir: Path, ini: str, env: dict[str, str] | None = None) -> HostProcess:
        process = HostProcess(workdir, ini, env)
        made.append(process)
        return process

    yield factory
    for process in made:
        process.stop()
