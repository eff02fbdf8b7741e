"""The host's database: orgs, users, data sources and their encrypted secrets (SQLAlchemy Core + Alembic)."""

from __future__ import annotations

from ._datasources import DataSourceSpec, generate_uid
from ._engine import WRITE, make_engine, read_in, write_in
from ._errors import (
    DataSourceNameExistsError,
    DataSourceNotFoundError,
    DataSourceReadOnlyError,
    DataSourceUidExistsError,
    DataSourceVersionError,
    SecretKeyError,
    SecretsError,
    StoreError,
)
from ._migrate import migrate
from ._schema import metadata
from ._store import Store

__all__ = [
    "WRITE",
    "DataSourceNameExistsError",
    "DataSourceNotFoundError",
    "DataSourceReadOnlyError",
    "DataSourceSpec",
    "DataSourceUidExistsError",
    "DataSourceVersionError",
    "SecretKeyError",
    "SecretsError",
    "Store",
    "StoreError",
    "generate_uid",
    "make_engine",
    "metadata",
    "migrate",
    "read_in",
    "write_in",
]
