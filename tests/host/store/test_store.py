"""The store: migrations, schema, SQLite tuning, envelope encryption and its bindings, on both backends."""

from __future__ import annotations

import asyncio
import re
from collections.abc import AsyncIterator, Iterator
from pathlib import Path
from typing import Any

import pytest
from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext
from alembic.script import ScriptDirectory
from sqlalchemy import Connection, select, text, update

from grafana_plugin_host.config import Settings, load_settings
from grafana_plugin_host.store import (
    DataSourceNameExistsError,
    DataSourceReadOnlyError,
    DataSourceSpec,
    DataSourceVersionError,
    SecretKeyError,
    SecretsError,
    Store,
    generate_uid,
    metadata,
)
from grafana_plugin_host.store._migrate import alembic_config
from grafana_plugin_host.store._schema import data_source
from tests.host.api.conftest import BACKENDS, database_for


@pytest.fixture(params=BACKENDS)
def settings(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[Settings]:
    """Settings for a fresh database on each backend, with a data folder in the test's folder."""
    with database_for(request.param, tmp_path) as url:
        yield load_settings(f"[paths]\ndata = {tmp_path / 'data'}\n[database]\nurl = {url}\n", {})


@pytest.fixture
async def store(settings: Settings) -> AsyncIterator[Store]:
    """An open store."""
    opened = await Store.open(settings)
    try:
        yield opened
    finally:
        await opened.close()


async def test_migrations_are_idempotent_and_concurrent_safe(settings: Settings) -> None:
    stores = await asyncio.gather(Store.open(settings), Store.open(settings))
    for opened in stores:
        await opened.close()
    again = await Store.open(settings)
    try:

        def check(connection: Connection) -> tuple[str, list[Any]]:
            version = connection.execute(text("SELECT version_num FROM alembic_version")).scalar_one()
            orgs = connection.execute(text("SELECT id, name FROM org")).all()
            return version, [tuple(row) for row in orgs]

        version, orgs = await again.read(check)
        assert version == ScriptDirectory.from_config(alembic_config()).get_current_head() and orgs == [
            (1, "Main Org.")
        ]
    finally:
        await again.close()


async def test_migrated_schema_matches_the_tables_the_code_queries(store: Store) -> None:
    def diff(connection: Connection) -> list[Any]:
        return list(compare_metadata(MigrationContext.configure(connection), metadata))

    assert await store.read(diff) == []


async def test_org_ids_continue_after_the_seeded_org(store: Store) -> None:
    def add_org(connection: Connection) -> int:
        return int(
            connection.execute(
                text("INSERT INTO org (name, created, updated) VALUES ('Second', :now, :now) RETURNING id"),
                {"now": "2024-01-01 00:00:00"},
            ).scalar_one()
        )

    assert await store.write(add_org) == 2


async def test_sqlite_connection_tuning(tmp_path: Path) -> None:
    settings = load_settings("", {"GF_PATHS_DATA": str(tmp_path / "data")})
    opened = await Store.open(settings)
    try:

        def pragmas(connection: Connection) -> tuple[Any, ...]:
            return tuple(
                connection.exec_driver_sql(f"PRAGMA {name}").scalar()
                for name in ("journal_mode", "foreign_keys", "busy_timeout")
            )

        assert await opened.read(pragmas) == ("wal", 1, 10000)
    finally:
        await opened.close()


async def test_secrets_are_bound_to_their_data_source_and_key(store: Store) -> None:
    a = await store.create_datasource(1, DataSourceSpec(name="a", type="t", secure_json_data={"password": "pa"}))
    b = await store.create_datasource(1, DataSourceSpec(name="b", type="t", secure_json_data={"password": "pb"}))
    assert await store.decrypted_secrets(a) == {"password": "pa"}

    def copy(connection: Connection) -> None:
        stored = connection.execute(select(data_source.c.secure_json_data).where(data_source.c.id == a.id)).scalar_one()
        assert "pa" not in stored.replace("password", "")
        connection.execute(update(data_source).where(data_source.c.id == b.id).values(secure_json_data=stored))

    await store.write(copy)
    with pytest.raises(SecretsError, match="cannot be decrypted"):
        await store.decrypted_secrets(b)

    def rename_key(connection: Connection) -> None:
        stored = connection.execute(select(data_source.c.secure_json_data).where(data_source.c.id == a.id)).scalar_one()
        connection.execute(
            update(data_source)
            .where(data_source.c.id == a.id)
            .values(secure_json_data=stored.replace("password", "token"))
        )

    await store.write(rename_key)
    with pytest.raises(SecretsError):
        await store.decrypted_secrets(a)


async def test_a_wrong_secret_key_is_refused(settings: Settings, tmp_path: Path) -> None:
    first = await Store.open(settings)
    ds = await first.create_datasource(1, DataSourceSpec(name="a", type="t", secure_json_data={"k": "v"}))
    await first.close()
    key = (Path(settings.data_path) / "secret_key").read_text().strip()
    with pytest.raises(SecretKeyError, match="does not match"):
        await Store.open(load_settings("", {"GF_SECURITY_SECRET_KEY": "wrong", **_env(settings)}))
    with pytest.raises(SecretKeyError, match="is missing"):
        await Store.open(load_settings("", {**_env(settings), "GF_PATHS_DATA": str(tmp_path / "elsewhere")}))
    right = await Store.open(load_settings("", {"GF_SECURITY_SECRET_KEY": key, **_env(settings)}))
    try:
        assert await right.decrypted_secrets(ds) == {"k": "v"}
    finally:
        await right.close()


def _env(settings: Settings) -> dict[str, str]:
    return {"GF_PATHS_DATA": settings.data_path, "GF_DATABASE_URL": settings.sqlalchemy_url}


async def test_store_rules(store: Store) -> None:
    a = await store.create_datasource(1, DataSourceSpec(name="a", type="t"))
    assert a.is_default and a.version == 1 and a.created == a.updated
    with pytest.raises(DataSourceNameExistsError):
        await store.create_datasource(1, DataSourceSpec(name="a", type="t"))
    ro = await store.create_datasource(1, DataSourceSpec(name="ro", type="t", read_only=True))
    with pytest.raises(DataSourceReadOnlyError):
        await store.update_datasource(1, ro.id, DataSourceSpec(name="ro", type="t"))
    with pytest.raises(DataSourceReadOnlyError):
        await store.delete_datasource(1, ro.id)
    assert (await store.update_datasource(1, ro.id, DataSourceSpec(name="ro", type="u"), provisioning=True)).type == "u"
    updated = await store.update_datasource(1, a.id, DataSourceSpec(name="a", type="t"), version=1)
    assert updated.version == 2 and updated.updated is not None and a.updated is not None
    assert updated.updated > a.updated
    with pytest.raises(DataSourceVersionError):
        await store.update_datasource(1, a.id, DataSourceSpec(name="a", type="t"), version=1)
    assert await store.get_datasource(1, name="a\x00") is None
    assert await store.count_datasources() == {"t": 1, "u": 1}
    assert (await store.delete_datasource(1, a.id)).name == "a"
    assert await store.get_datasource(1, id=a.id) is None


def test_generated_uids() -> None:
    for _ in range(200):
        uid = generate_uid()
        assert len(uid) == 36 and re.fullmatch(r"[a-f][0-9a-f-]{35}", uid)
