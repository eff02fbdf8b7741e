"""The host killed during writes keeps every acknowledged write; two hosts on one PostgreSQL never reuse a version."""

from __future__ import annotations

import signal
import threading
import time
from collections import Counter
from pathlib import Path

import httpx
import pytest

from tests.host.api.conftest import BACKENDS, PG_ENV, HostProcess, database_for, host_ini

ADMIN = ("admin", "admin")


def _writer(url: str, prefix: str, acked: list[str], stop: threading.Event) -> None:
    with httpx.Client(base_url=url, auth=ADMIN, timeout=10) as client:
        n = 0
        while not stop.is_set():
            name = f"{prefix}-{n}"
            try:
                response = client.post("/api/datasources", json={"name": name, "type": "x", "access": "proxy"})
            except httpx.HTTPError:
                return  # the host is gone
            if response.status_code == 200:
                acked.append(name)
            n += 1


@pytest.mark.parametrize("backend", BACKENDS)
def test_host_sigkill_during_writes_loses_no_acknowledged_write(tmp_path: Path, backend: str) -> None:
    with database_for(backend, tmp_path) as url:
        host = HostProcess(tmp_path, host_ini(url, tmp_path / "data")).start()
        acked: list[str] = []
        stop = threading.Event()
        writers = [threading.Thread(target=_writer, args=(host.url, f"w{i}", acked, stop)) for i in range(8)]
        try:
            for writer in writers:
                writer.start()
            time.sleep(3)
            host.stop(signal.SIGKILL)
        finally:
            stop.set()
            for writer in writers:
                writer.join(15)
        host.start()
        try:
            with httpx.Client(base_url=host.url, auth=ADMIN, timeout=30) as client:
                stored = {ds["name"] for ds in client.get("/api/datasources").json()}
        finally:
            host.stop()
    missing = set(acked) - stored
    print(
        f"\nhost SIGKILL during writes ({backend}): {len(acked)} acknowledged, {len(stored)} stored, {len(missing)} lost"
    )
    assert acked and not missing


def _updater(url: str, uid: str, versions: list[int], failures: list[int], rounds: int, tag: str) -> None:
    with httpx.Client(base_url=url, auth=ADMIN, timeout=30) as client:
        for n in range(rounds):
            body = {"name": "shared", "type": "x", "access": "proxy", "jsonData": {"by": tag, "n": n}}
            response = client.put(f"/api/datasources/uid/{uid}", json=body)
            if response.status_code == 200:
                versions.append(response.json()["datasource"]["version"])
            else:
                failures.append(response.status_code)


@pytest.mark.postgres
def test_two_hosts_on_one_postgresql_never_issue_a_version_twice(tmp_path: Path) -> None:
    with database_for("postgres", tmp_path) as url:
        hosts = []
        for name in ("a", "b"):
            (tmp_path / name).mkdir()
            ini = host_ini(url, tmp_path / name / "data") + "[security]\nsecret_key = shared-secret\n"
            hosts.append(HostProcess(tmp_path / name, ini).start())
        try:
            with httpx.Client(base_url=hosts[0].url, auth=ADMIN, timeout=30) as client:
                created = client.post("/api/datasources", json={"name": "shared", "type": "x", "access": "proxy"})
                assert created.status_code == 200, created.text
                uid = created.json()["datasource"]["uid"]
                first = created.json()["datasource"]["version"]
            versions: list[int] = []
            failures: list[int] = []
            threads = [
                threading.Thread(target=_updater, args=(host.url, uid, versions, failures, 25, f"{i}"))
                for i, host in enumerate(hosts * 4)
            ]
            started = time.monotonic()
            for thread in threads:
                thread.start()
            for thread in threads:
                thread.join(120)
            seconds = time.monotonic() - started
            with httpx.Client(base_url=hosts[1].url, auth=ADMIN, timeout=30) as client:
                final = client.get(f"/api/datasources/uid/{uid}").json()["version"]
        finally:
            for host in hosts:
                host.stop()
    repeated = [v for v, count in Counter(versions).items() if count > 1]
    print(
        f"\ntwo hosts, one PostgreSQL ({PG_ENV}): {len(versions)} updates in {seconds:.1f} s, "
        f"{len(failures)} refused {sorted(set(failures))}, versions {first + 1}..{final}, {len(repeated)} issued twice"
    )
    assert not repeated and set(failures) <= {409}
    assert final == first + len(versions)
