"""End to end: restarts, secrets at rest, concurrent writers, provisioning and startup errors of a real host."""

from __future__ import annotations

import asyncio
import hashlib
import signal
import stat
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path
from typing import Any

import httpx
import pytest
from sqlalchemy import MetaData, select

from grafana_plugin_host.config import load_settings
from grafana_plugin_host.store import Store
from tests.host.api.conftest import HostProcess, host_ini

Spawn = Callable[..., HostProcess]

SECRETS = {"password": "pl41ntext-p4ssw0rd-xyzzy", "apiKey": "k3y-c0ntent-frobnicate"}


def body(name: str, **extra: Any) -> dict[str, Any]:
    """A valid create/update body."""
    return {"name": name, "type": "testdata", "access": "proxy", **extra}


async def _stored_secrets(ini: str, uid: str) -> dict[str, str]:
    store = await Store.open(load_settings(ini, {}))
    try:
        ds = await store.get_datasource(1, uid=uid)
        assert ds is not None
        return await store.decrypted_secrets(ds)
    finally:
        await store.close()


async def _all_rows_text(ini: str) -> str:
    store = await Store.open(load_settings(ini, {}))
    try:

        def dump(connection: Any) -> str:
            meta = MetaData()
            meta.reflect(connection)
            return repr([connection.execute(select(table)).all() for table in meta.sorted_tables])

        return await store.read(dump)
    finally:
        await store.close()


def test_restart_keeps_data_sources_and_secrets(host: HostProcess) -> None:
    with host.client() as api:
        created = [
            api.post("/api/datasources", json=body(f"keep-{i}", secureJsonData=SECRETS, jsonData={"i": i})).json()
            for i in range(3)
        ]
        api.put(
            f"/api/datasources/uid/{created[1]['datasource']['uid']}",
            json=body("keep-1", secureJsonData={"extra": "e"}),
        ).raise_for_status()
        before = api.get("/api/datasources").json()
        details = [api.get(f"/api/datasources/{c['id']}").json() for c in created]
    assert host.stop() == 0
    uid = created[1]["datasource"]["uid"]
    assert asyncio.run(_stored_secrets(host.config.read_text(), uid)) == {**SECRETS, "extra": "e"}
    host.start()
    with host.client() as api:
        assert api.get("/api/datasources").json() == before
        assert [api.get(f"/api/datasources/{c['id']}").json() for c in created] == details
        # New rows continue after the old ids and still see the first as default.
        later = api.post("/api/datasources", json=body("later")).json()["datasource"]
        assert later["id"] > max(c["id"] for c in created) and later["isDefault"] is False


def test_no_plaintext_secret_at_rest_or_in_logs(host: HostProcess) -> None:
    with host.client() as api:
        for i in range(3):
            api.post("/api/datasources", json=body(f"s{i}", secureJsonData=SECRETS)).raise_for_status()
    assert host.stop() == 0
    dump = asyncio.run(_all_rows_text(host.config.read_text()))
    assert "data_source" in dump or "testdata" in dump
    for value in SECRETS.values():
        assert value not in dump
        assert value not in host.log
    data = host.workdir / "data"
    files = [p for p in data.rglob("*") if p.is_file() and p.name != "secret_key"]
    for path in files:
        content = path.read_bytes()
        for value in SECRETS.values():
            assert value.encode() not in content, path


def test_concurrent_updates_with_versions(host: HostProcess) -> None:
    with host.client() as api:
        uid = api.post("/api/datasources", json=body("contended")).json()["datasource"]["uid"]

    def put(payload: dict[str, Any]) -> int:
        with host.client() as client:
            return client.put(f"/api/datasources/uid/{uid}", json=payload).status_code

    with ThreadPoolExecutor(8) as pool:
        statuses = list(pool.map(put, [body("contended", version=1, jsonData={"n": n}) for n in range(8)]))
    assert sorted(statuses) == [200] + [409] * 7
    with ThreadPoolExecutor(8) as pool:
        statuses = list(pool.map(put, [body("contended", jsonData={"n": n}) for n in range(8)]))
    assert statuses == [200] * 8
    with host.client() as api:
        assert api.get(f"/api/datasources/uid/{uid}").json()["version"] == 10

    def post(_: int) -> int:
        with host.client() as client:
            return client.post("/api/datasources", json=body("same-name")).status_code

    with ThreadPoolExecutor(8) as pool:
        statuses = list(pool.map(post, range(8)))
    assert sorted(statuses) == [200] + [409] * 7


def _write_provisioning(folder: Path, text: str) -> None:
    target = folder / "data" / "provisioning" / "datasources"
    target.mkdir(parents=True, exist_ok=True)
    (target / "ds.yaml").write_text(text, encoding="utf-8")


PROVISIONED = """
apiVersion: 1
datasources:
  - name: Provisioned
    type: testdata
    uid: prov-1
    url: http://${PROV_HOST}:9090
    isDefault: true
    jsonData: {mode: fast, cost: $$5}
    secureJsonData:
      token: $PROV_TOKEN
  - name: Editable
    type: testdata
    orgId: 1
    editable: true
"""


def test_provisioning_is_applied_at_start_and_read_only(database_url: str, tmp_path: Path, spawn: Spawn) -> None:
    _write_provisioning(tmp_path, PROVISIONED)
    process = spawn(
        tmp_path,
        host_ini(database_url, tmp_path / "data"),
        env={"PROV_HOST": "prom.local", "PROV_TOKEN": "s3cret-from-env"},
    )
    process.start()
    try:
        with process.client() as api:
            ds = api.get("/api/datasources/uid/prov-1").json()
            assert ds["readOnly"] is True and ds["isDefault"] is True
            assert ds["url"] == "http://prom.local:9090" and ds["jsonData"] == {"mode": "fast", "cost": "$5"}
            assert ds["secureJsonFields"] == {"token": True}
            assert api.get("/api/datasources/name/Editable").json()["readOnly"] is False
            for response in (
                api.put("/api/datasources/uid/prov-1", json=body("Provisioned")),
                api.put(f"/api/datasources/{ds['id']}", json=body("Provisioned")),
            ):
                assert response.status_code == 403
                assert response.json() == {"message": "Cannot update read-only data source"}
            for path in (
                f"/api/datasources/{ds['id']}",
                "/api/datasources/uid/prov-1",
                "/api/datasources/name/Provisioned",
            ):
                response = api.delete(path)
                assert response.status_code == 403
                assert response.json() == {"message": "Cannot delete read-only data source"}
        assert process.stop() == 0
        assert asyncio.run(_stored_secrets(process.config.read_text(), "prov-1")) == {"token": "s3cret-from-env"}
        _write_provisioning(
            tmp_path,
            "apiVersion: 1\ndeleteDatasources:\n  - name: Editable\n    orgId: 1\n"
            "datasources:\n  - name: Provisioned\n    type: testdata\n    url: http://changed\n",
        )
        process.start()
        with process.client() as api:
            changed = api.get("/api/datasources/uid/prov-1").json()
            assert changed["url"] == "http://changed" and changed["version"] > ds["version"]
            assert changed["secureJsonFields"] == {"token": True}
            assert [d["name"] for d in api.get("/api/datasources").json()] == ["Provisioned"]
    finally:
        process.stop()


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ("datasources: [", "not valid YAML"),
        ("apiVersion: 7\n", "unsupported apiVersion 7"),
        ("datasources:\n  - type: testdata\n", "needs a name and a type"),
        ("datasources:\n  - {name: a, type: t, uid: 'bad uid'}\n", "Invalid datasource UID."),
        (
            "datasources:\n  - {name: a, type: t, isDefault: true}\n  - {name: b, type: t, isDefault: true}\n",
            "only one",
        ),
        ("datasources:\n  - {name: a, type: t, basicAuth: maybe}\n", "expected true or false"),
    ],
)
def test_bad_provisioning_stops_the_host_with_a_clear_message(
    tmp_path: Path, text: str, message: str, spawn: Spawn
) -> None:
    _write_provisioning(tmp_path, text)
    process = spawn(tmp_path, host_ini(f"sqlite:///{tmp_path / 'data' / 'grafana.db'}", tmp_path / "data"))
    with pytest.raises(RuntimeError, match="did not start"):
        process.start()
    assert "ds.yaml" in process.log and message in process.log
    assert "Traceback" not in process.log


def _sqlite_files(data: Path) -> dict[str, str]:
    return {p.name: hashlib.sha256(p.read_bytes()).hexdigest() for p in sorted(data.glob("grafana.db*"))}


def test_secret_key_generated_once_and_a_wrong_key_is_refused(tmp_path: Path, spawn: Spawn) -> None:
    data = tmp_path / "data"
    ini = host_ini(f"sqlite:///{data / 'grafana.db'}", data)
    process = spawn(tmp_path, ini).start()
    key_file = data / "secret_key"
    assert stat.S_IMODE(key_file.stat().st_mode) == 0o600
    key = key_file.read_text().strip()
    assert len(key) >= 32 and key not in process.log and "generated a new one" in process.log
    with process.client() as api:
        uid = api.post("/api/datasources", json=body("enc", secureJsonData=SECRETS)).json()["datasource"]["uid"]
    assert process.stop() == 0
    process.start()  # the generated key is reused
    assert "generated a new one" not in process.log
    assert process.stop() == 0

    before = _sqlite_files(data)
    wrong = spawn(tmp_path, ini + "[security]\nsecret_key = not-the-right-key\n")
    with pytest.raises(RuntimeError, match="did not start"):
        wrong.start()
    assert "secret_key does not match" in wrong.log and "Traceback" not in wrong.log
    assert _sqlite_files(data) == before and key_file.read_text().strip() == key

    key_file.unlink()
    missing = spawn(tmp_path, ini)
    with pytest.raises(RuntimeError, match="did not start"):
        missing.start()
    assert "secret_key is not set" in missing.log and not key_file.exists()

    configured = ini + f"[security]\nsecret_key = {key}\n"
    assert asyncio.run(_stored_secrets(configured, uid)) == SECRETS


@pytest.mark.parametrize("sig", [signal.SIGTERM, signal.SIGINT])
def test_graceful_shutdown_on_signals(tmp_path: Path, sig: int, spawn: Spawn) -> None:
    process = spawn(tmp_path, host_ini(f"sqlite:///{tmp_path / 'data' / 'grafana.db'}", tmp_path / "data"))
    process.start()
    assert "database: sqlite:///" in process.log
    with httpx.Client(base_url=process.url) as api:
        assert api.get("/api/health").json()["database"] == "ok"
    assert process.stop(sig) == 0
    assert "stopped" in process.log
