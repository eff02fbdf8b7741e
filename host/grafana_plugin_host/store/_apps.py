"""Plugin settings per org (``plugin_setting``): app plugins' jsonData, secrets encrypted like data sources'."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Any

import orjson
from sqlalchemy import BigInteger, Boolean, Column, Connection, DateTime, Integer, String, Table, Text, UniqueConstraint

from ._schema import metadata
from ._secrets import Keyring
from ._store import Store

plugin_setting = Table(
    "plugin_setting",
    metadata,
    Column("id", BigInteger().with_variant(Integer, "sqlite"), primary_key=True, autoincrement=True),
    Column("org_id", BigInteger, nullable=False),
    Column("plugin_id", String(190), nullable=False),
    Column("enabled", Boolean, nullable=False),
    Column("pinned", Boolean, nullable=False),
    Column("json_data", Text, nullable=True),
    #: JSON map: secure key -> envelope ciphertext bound to org and plugin; never plaintext.
    Column("secure_json_data", Text, nullable=True),
    Column("plugin_version", String(50), nullable=True),
    Column("created", DateTime, nullable=False),
    Column("updated", DateTime, nullable=False),
    UniqueConstraint("org_id", "plugin_id", name="UQE_plugin_setting_org_id_plugin_id"),
)


@dataclass(frozen=True)
class PluginSetting:
    """One org's settings of one plugin; ``secure_fields`` names the stored secrets (never their values)."""

    org_id: int
    plugin_id: str
    enabled: bool = False
    pinned: bool = False
    json_data: dict[str, Any] = field(default_factory=dict)
    secure_fields: frozenset[str] = frozenset()
    plugin_version: str = ""
    updated: datetime | None = None


@dataclass(frozen=True)
class PluginSettingChange:
    """What an update sets; None leaves a value as it is. Secrets merge: an empty value removes that key."""

    enabled: bool | None = None
    pinned: bool | None = None
    json_data: Mapping[str, Any] | None = None
    secure_json_data: Mapping[str, str] = field(default_factory=dict)
    plugin_version: str | None = None


def secret_context(plugin_id: str) -> str:
    """What the secrets are bound to besides the org (the data sources' uid slot)."""
    return f"plugin:{plugin_id}"


def _model(row: Any) -> PluginSetting:
    updated = row.updated if row.updated.tzinfo else row.updated.replace(tzinfo=UTC)
    return PluginSetting(
        org_id=row.org_id,
        plugin_id=row.plugin_id,
        enabled=bool(row.enabled),
        pinned=bool(row.pinned),
        json_data=orjson.loads(row.json_data) if row.json_data else {},
        secure_fields=frozenset(orjson.loads(row.secure_json_data)) if row.secure_json_data else frozenset(),
        plugin_version=row.plugin_version or "",
        updated=updated,
    )


def _row(connection: Connection, org_id: int, plugin_id: str) -> Any:
    query = plugin_setting.select().where(plugin_setting.c.org_id == org_id, plugin_setting.c.plugin_id == plugin_id)
    return connection.execute(query).one_or_none()


def find(connection: Connection, org_id: int, plugin_id: str) -> PluginSetting | None:
    """The org's settings of the plugin, or None when never saved."""
    row = _row(connection, org_id, plugin_id)
    return None if row is None else _model(row)


def secrets(connection: Connection, keyring: Keyring, org_id: int, plugin_id: str) -> dict[str, str]:
    """The decrypted secureJsonData (empty when none)."""
    row = _row(connection, org_id, plugin_id)
    if row is None:
        return {}
    return keyring.decrypt(connection, org_id, secret_context(plugin_id), row.secure_json_data)


def upsert(
    connection: Connection, keyring: Keyring, org_id: int, plugin_id: str, change: PluginSettingChange
) -> PluginSetting:
    """Create or update the org's settings of the plugin (secrets merged and re-encrypted)."""
    now = datetime.now(UTC).replace(tzinfo=None)
    current = _row(connection, org_id, plugin_id)
    merged = secrets(connection, keyring, org_id, plugin_id) if current is not None else {}
    merged.update(change.secure_json_data)
    values = {
        "enabled": change.enabled if change.enabled is not None else bool(current and current.enabled),
        "pinned": change.pinned if change.pinned is not None else bool(current and current.pinned),
        "json_data": orjson.dumps(dict(change.json_data)).decode()
        if change.json_data is not None
        else (current.json_data if current is not None else None),
        "secure_json_data": keyring.encrypt(org_id, secret_context(plugin_id), {k: v for k, v in merged.items() if v}),
        "plugin_version": change.plugin_version
        if change.plugin_version is not None
        else (current.plugin_version if current is not None else None),
        "updated": now,
    }
    if current is None:
        connection.execute(plugin_setting.insert().values(org_id=org_id, plugin_id=plugin_id, created=now, **values))
    else:
        connection.execute(plugin_setting.update().where(plugin_setting.c.id == current.id).values(**values))
    return _model(_row(connection, org_id, plugin_id))


async def get_plugin_setting(store: Store, org_id: int, plugin_id: str) -> PluginSetting | None:
    """The org's settings of the plugin, or None when never saved."""
    return await store.read(lambda connection: find(connection, org_id, plugin_id))


async def plugin_setting_secrets(store: Store, org_id: int, plugin_id: str) -> dict[str, str]:
    """The org's decrypted secureJsonData of the plugin."""
    return await store.read(lambda connection: secrets(connection, store._keyring, org_id, plugin_id))


async def save_plugin_setting(store: Store, org_id: int, plugin_id: str, change: PluginSettingChange) -> PluginSetting:
    """Create or update the org's settings of the plugin."""
    return await store.write(lambda connection: upsert(connection, store._keyring, org_id, plugin_id, change))
