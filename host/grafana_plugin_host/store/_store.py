"""The async face of the database: every call runs on a small thread pool, never on the event loop."""

from __future__ import annotations

import asyncio
import functools
import logging
from collections.abc import Awaitable, Callable, Hashable
from concurrent.futures import ThreadPoolExecutor
from typing import Any, NamedTuple, TypeVar

from sqlalchemy import Connection, Engine, text

from grafana_plugin_host.config import Settings
from grafana_plugin_host.models import DataSource

from . import _datasources as rows
from ._changes import ChangeCounter, GenerationCache
from ._datasources import DataSourceSpec
from ._engine import make_engine, read_in, write_in
from ._errors import SecretsError
from ._migrate import migrate
from ._secrets import Keyring, resolve_secret_key

log = logging.getLogger(__name__)

T = TypeVar("T")

_WORKERS = 8
#: Data sources (with their decrypted secrets) and derived values kept per change-counter value.
_CACHE_SIZE = 4096


class _Loaded(NamedTuple):
    """A data source as one read found it: the record and, unless they failed to decrypt, its secrets."""

    datasource: DataSource | None
    secrets: dict[str, str] | None


class Store:
    """Orgs, data sources and their secrets in SQLite or PostgreSQL. Open with :meth:`open`, end with :meth:`close`."""

    def __init__(self, engine: Engine, keyring: Keyring, executor: ThreadPoolExecutor, datasource_limit: int) -> None:
        self._engine = engine
        self._keyring = keyring
        self._executor = executor
        self._limit = datasource_limit
        self._counter = ChangeCounter(engine, executor)
        self._datasources: GenerationCache[tuple[int, str, int | str], _Loaded] = GenerationCache(_CACHE_SIZE)
        self._derived: GenerationCache[Hashable, Any] = GenerationCache(_CACHE_SIZE)

    @classmethod
    async def open(cls, settings: Settings) -> Store:
        """Connect, run the migrations and load the data keys; raises ConfigError/SecretKeyError on a bad setup."""
        executor = ThreadPoolExecutor(_WORKERS, thread_name_prefix="store")
        engine = make_engine(settings.sqlalchemy_url)
        loop = asyncio.get_running_loop()

        def prepare() -> Keyring:
            migrate(engine)
            key = resolve_secret_key(
                settings.secret_key, settings.data_dir, has_data_keys=Keyring.has_data_keys(engine)
            )
            keyring = Keyring(key)
            keyring.load(engine)
            return keyring

        try:
            keyring = await loop.run_in_executor(executor, prepare)
        except BaseException:
            engine.dispose()
            executor.shutdown(wait=False)
            raise
        return cls(engine, keyring, executor, settings.datasource_limit)

    @property
    def engine(self) -> Engine:
        """The SQLAlchemy engine, for queries of other host modules (run them with :meth:`run`)."""
        return self._engine

    @property
    def description(self) -> str:
        """The database URL without its password, for logs."""
        return self._engine.url.render_as_string(hide_password=True)

    async def _run(self, fn: Callable[..., T], /, *args: Any) -> T:
        return await asyncio.get_running_loop().run_in_executor(self._executor, functools.partial(fn, *args))

    async def run(self, fn: Callable[..., T], /, *args: Any) -> T:
        """Run a blocking function (which may write) on the store's thread pool."""
        try:
            return await self._run(fn, *args)
        finally:
            ChangeCounter.forget()

    async def read(self, fn: Callable[[Connection], T]) -> T:
        """Run ``fn(connection)`` in a read transaction on the thread pool."""

        return await self._run(read_in, self._engine, fn)

    async def write(self, fn: Callable[[Connection], T]) -> T:
        """Run ``fn(connection)`` in a write transaction (committed when it returns) on the thread pool."""

        return await self.run(write_in, self._engine, fn)

    async def ping(self) -> bool:
        """Whether the database answers."""
        try:
            await self.read(lambda connection: connection.execute(text("SELECT 1")).scalar_one())
        except Exception:
            log.exception("database health check failed")
            return False
        return True

    async def generation(self) -> int:
        """The change counter as this request sees it (read once per request); caches key on it."""
        return await self._counter.current()

    async def cached(self, key: Hashable, compute: Callable[[], Awaitable[T]]) -> T:
        """``compute()``'s result, shared by requests until the next change to the database."""
        generation = await self.generation()
        found = self._derived.get(key, generation)
        if found is None:
            found = await compute()
            self._derived.put(key, found, generation)
        value: T = found
        return value

    async def close(self) -> None:
        """Close every connection and the thread pool."""
        self._counter.close()
        await self._run(self._engine.dispose)
        self._executor.shutdown(wait=True)

    async def get_datasource(
        self, org_id: int, *, uid: str | None = None, id: int | None = None, name: str | None = None
    ) -> DataSource | None:
        """The org's data source with that uid, id or name (exactly one given), or None.

        Served from memory until the next change to the database; one read loads the row and decrypts its
        secrets for :meth:`decrypted_secrets`.
        """
        if any(isinstance(value, str) and "\x00" in value for value in (uid, name)):
            return None
        kind, value = ("id", id) if id is not None else ("uid", uid) if uid is not None else ("name", name)
        if value is None:
            raise ValueError("give one of id, uid or name")
        key = (org_id, kind, value)
        generation = await self.generation()
        loaded = self._datasources.get(key, generation)
        if loaded is None:
            loaded = await self.read(lambda connection: self._load(connection, org_id, id=id, uid=uid, name=name))
            self._datasources.put(key, loaded, generation)
            if loaded.datasource is not None:
                self._datasources.put((org_id, "id", loaded.datasource.id), loaded, generation)
        return loaded.datasource

    def _load(
        self, connection: Connection, org_id: int, *, id: int | None, uid: str | None, name: str | None
    ) -> _Loaded:
        row = rows.find(connection, org_id, id=id, uid=uid, name=name)
        if row is None:
            return _Loaded(None, None)
        try:
            secrets: dict[str, str] | None = self._keyring.decrypt(
                connection, row.org_id, row.uid, row.secure_json_data
            )
        except SecretsError:  # raised again, to the caller that needs them, by decrypted_secrets
            secrets = None
        return _Loaded(rows.to_model(row), secrets)

    async def list_datasources(self, org_id: int) -> list[DataSource]:
        """The org's data sources sorted by name (at most ``[datasources] datasource_limit``); don't modify it."""

        async def load() -> list[DataSource]:
            return await self.read(lambda connection: rows.list_rows(connection, org_id, self._limit))

        return await self.cached(("list_datasources", org_id), load)

    async def count_datasources(self) -> dict[str, int]:
        """How many data sources of each type exist (all orgs)."""
        return await self.read(rows.count_by_type)

    async def decrypted_secrets(self, ds: DataSource) -> dict[str, str]:
        """The plaintext ``secureJsonData`` of a data source (empty if it was deleted meanwhile)."""
        loaded = self._datasources.get((ds.org_id, "id", ds.id), await self.generation())
        if loaded is not None and loaded.datasource == ds and loaded.secrets is not None:
            return dict(loaded.secrets)

        def query(connection: Connection) -> dict[str, str]:
            row = rows.find(connection, ds.org_id, id=ds.id)
            if row is None:
                return {}
            return self._keyring.decrypt(connection, row.org_id, row.uid, row.secure_json_data)

        return await self.read(query)

    async def create_datasource(self, org_id: int, spec: DataSourceSpec) -> DataSource:
        """Create a data source; raises DataSourceNameExistsError / DataSourceUidExistsError on a clash."""
        return await self.write(lambda connection: rows.insert_row(connection, self._keyring, org_id, spec))

    async def update_datasource(
        self, org_id: int, ds_id: int, spec: DataSourceSpec, *, version: int | None = None, provisioning: bool = False
    ) -> DataSource:
        """Update a data source (secrets merged; ``version`` checked when given); see the store's errors."""
        return await self.write(
            lambda connection: rows.update_row(
                connection, self._keyring, org_id, ds_id, spec, version=version, provisioning=provisioning
            )
        )

    async def delete_datasource(self, org_id: int, ds_id: int, *, provisioning: bool = False) -> DataSource:
        """Delete a data source and return what it was; refuses read-only ones unless ``provisioning``."""
        return await self.write(
            lambda connection: rows.delete_row(connection, org_id, ds_id, provisioning=provisioning)
        )
