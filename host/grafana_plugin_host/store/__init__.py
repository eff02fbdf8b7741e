"""The host's database: orgs, users, data sources and their encrypted secrets (SQLAlchemy Core + Alembic)."""

from __future__ import annotations

from ._changes import GenerationCache
from ._datasources import DataSourceSpec, generate_uid
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
from ._schema import metadata
from ._store import Store

__all__ = [
    "DataSourceNameExistsError",
    "DataSourceNotFoundError",
    "DataSourceReadOnlyError",
    "DataSourceSpec",
    "DataSourceUidExistsError",
    "DataSourceVersionError",
    "GenerationCache",
    "SecretKeyError",
    "SecretsError",
    "Store",
    "StoreError",
    "generate_uid",
    "metadata",
]
