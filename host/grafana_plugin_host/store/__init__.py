"""The host's database: orgs, users, data sources and their encrypted secrets (SQLAlchemy Core + Alembic)."""

from __future__ import annotations

from ._apps import (
    PluginSetting,
    PluginSettingChange,
    get_plugin_setting,
    plugin_setting_secrets,
    save_plugin_setting,
)
from ._changes import GenerationCache
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
    "GenerationCache",
    "PluginSetting",
    "PluginSettingChange",
    "SecretKeyError",
    "SecretsError",
    "Store",
    "StoreError",
    "generate_uid",
    "get_plugin_setting",
    "make_engine",
    "metadata",
    "migrate",
    "plugin_setting_secrets",
    "read_in",
    "save_plugin_setting",
    "write_in",
]
