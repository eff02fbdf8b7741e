"""Data source rows: queries and writes on one connection, with Grafana's rules for defaults, uids and versions."""

from __future__ import annotations

import random
import uuid
from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Any

import orjson
from sqlalchemy import Connection, Row, delete, func, insert, select, update
from sqlalchemy.exc import IntegrityError

from grafana_plugin_host.models import DataSource

from ._errors import (
    DataSourceNameExistsError,
    DataSourceNotFoundError,
    DataSourceReadOnlyError,
    DataSourceUidExistsError,
    DataSourceVersionError,
    StoreError,
)
from ._schema import data_source
from ._secrets import Keyring

_t = data_source.c


@dataclass(frozen=True)
class DataSourceSpec:
    """What a caller sets on a data source (create or update); ``secure_json_data`` holds plaintext secrets."""

    name: str
    type: str
    access: str = "proxy"
    url: str = ""
    user: str = ""
    database: str = ""
    basic_auth: bool = False
    basic_auth_user: str = ""
    with_credentials: bool = False
    is_default: bool = False
    json_data: Mapping[str, Any] = field(default_factory=dict)
    secure_json_data: Mapping[str, str] = field(default_factory=dict)
    uid: str = ""
    api_version: str = ""
    read_only: bool = False


def _now() -> datetime:
    return datetime.now(UTC).replace(tzinfo=None)


def _aware(value: datetime) -> datetime:
    return value.replace(tzinfo=UTC) if value.tzinfo is None else value


def generate_uid() -> str:
    """A new uid as Grafana makes it: a UUIDv4 string whose first character is a letter."""
    text = str(uuid.uuid4())
    if text[0].isdigit():
        text = random.choice("abcdef") + text[1:]
    return text


def to_model(row: Row[Any]) -> DataSource:
    """The record of a data source row (secret values stay encrypted; their non-empty keys are listed)."""
    secure = orjson.loads(row.secure_json_data) if row.secure_json_data else {}
    return DataSource(
        id=row.id,
        uid=row.uid,
        org_id=row.org_id,
        name=row.name,
        type=row.type,
        access=row.access,
        url=row.url,
        user=row.user or "",
        database=row.database or "",
        basic_auth=bool(row.basic_auth),
        basic_auth_user=row.basic_auth_user or "",
        with_credentials=bool(row.with_credentials),
        is_default=bool(row.is_default),
        json_data=orjson.loads(row.json_data) if row.json_data else {},
        secure_json_fields=frozenset(secure),
        version=row.version,
        read_only=bool(row.read_only),
        created=_aware(row.created),
        updated=_aware(row.updated),
        api_version=row.api_version or "",
    )


def find(
    connection: Connection, org_id: int, *, id: int | None = None, uid: str | None = None, name: str | None = None
) -> Row[Any] | None:
    """The row matching exactly one of id, uid or name in the org."""
    query = select(data_source).where(_t.org_id == org_id)
    if id is not None:
        query = query.where(_t.id == id)
    elif uid is not None:
        query = query.where(_t.uid == uid)
    elif name is not None:
        query = query.where(_t.name == name)
    else:
        raise ValueError("give one of id, uid or name")
    return connection.execute(query).first()


def list_rows(connection: Connection, org_id: int, limit: int) -> list[DataSource]:
    """The org's data sources, sorted by name case-insensitively (at most ``limit``)."""
    rows = connection.execute(select(data_source).where(_t.org_id == org_id).order_by(_t.name).limit(limit)).all()
    return sorted((to_model(row) for row in rows), key=lambda ds: ds.name.lower())


def _row_values(spec: DataSourceSpec) -> dict[str, Any]:
    return {
        "type": spec.type,
        "name": spec.name,
        "access": spec.access,
        "user": spec.user,
        "database": spec.database,
        "basic_auth": spec.basic_auth,
        "basic_auth_user": spec.basic_auth_user,
        "with_credentials": spec.with_credentials,
        "is_default": spec.is_default,
        "json_data": orjson.dumps(dict(spec.json_data)).decode(),
        "read_only": spec.read_only,
        "api_version": spec.api_version,
    }


def _unique_violation(exc: IntegrityError) -> StoreError:
    if "uid" in str(exc.orig).lower():
        return DataSourceUidExistsError("data source with the same uid already exists")
    return DataSourceNameExistsError("data source with the same name already exists")


def _clear_other_defaults(connection: Connection, org_id: int, keep_id: int) -> None:
    connection.execute(
        update(data_source)
        .where(_t.org_id == org_id, _t.id != keep_id, _t.is_default.is_(True))
        .values(is_default=False)
    )


def _name_taken(connection: Connection, org_id: int, name: str, other_than: int = 0) -> bool:
    query = select(_t.id).where(_t.org_id == org_id, _t.name == name, _t.id != other_than)
    return connection.execute(query).first() is not None


def insert_row(connection: Connection, keyring: Keyring, org_id: int, spec: DataSourceSpec) -> DataSource:
    """Insert a data source (version 1); the org's first becomes its default."""
    if _name_taken(connection, org_id, spec.name):
        raise DataSourceNameExistsError("data source with the same name already exists")
    uid = spec.uid
    if not uid:
        for _ in range(3):
            candidate = generate_uid()
            if find(connection, org_id, uid=candidate) is None:
                uid = candidate
                break
        else:
            raise StoreError("failed to generate unique datasource ID")
    count = connection.execute(select(func.count()).select_from(data_source).where(_t.org_id == org_id)).scalar_one()
    values = _row_values(spec)
    values["is_default"] = spec.is_default or count == 0
    now = _now()
    secrets = {k: v for k, v in spec.secure_json_data.items() if v}
    try:
        new_id = connection.execute(
            insert(data_source)
            .values(
                org_id=org_id,
                uid=uid,
                url=spec.url,
                version=1,
                created=now,
                updated=now,
                secure_json_data=keyring.encrypt(org_id, uid, secrets),
                **values,
            )
            .returning(_t.id)
        ).scalar_one()
    except IntegrityError as exc:
        raise _unique_violation(exc) from None
    if values["is_default"]:
        _clear_other_defaults(connection, org_id, new_id)
    row = find(connection, org_id, id=new_id)
    assert row is not None
    return to_model(row)


def _locked_writable(connection: Connection, org_id: int, ds_id: int, verb: str, *, provisioning: bool) -> Row[Any]:
    """The data source row, locked for the rest of the transaction; not found or (outside provisioning)
    read-only is an error naming ``verb``."""
    current = connection.execute(
        select(data_source).where(_t.org_id == org_id, _t.id == ds_id).with_for_update()
    ).first()
    if current is None:
        raise DataSourceNotFoundError("Data source not found")
    if current.read_only and not provisioning:
        raise DataSourceReadOnlyError(f"Cannot {verb} read-only data source")
    return current


def update_row(
    connection: Connection,
    keyring: Keyring,
    org_id: int,
    ds_id: int,
    spec: DataSourceSpec,
    *,
    version: int | None,
    provisioning: bool,
) -> DataSource:
    """Update a data source: secrets merged, version checked and bumped, ``updated`` set to now."""
    current = _locked_writable(connection, org_id, ds_id, "update", provisioning=provisioning)
    if spec.name != current.name and _name_taken(connection, org_id, spec.name, other_than=ds_id):
        raise DataSourceNameExistsError("data source with the same name already exists")
    uid = spec.uid or current.uid
    merged = keyring.decrypt(connection, org_id, current.uid, current.secure_json_data)
    merged.update(spec.secure_json_data)
    values = _row_values(spec)
    values.update(
        uid=uid,
        url=spec.url or current.url,
        updated=_now(),
        secure_json_data=keyring.encrypt(org_id, uid, {k: v for k, v in merged.items() if v}),
    )
    statement = update(data_source).where(_t.org_id == org_id, _t.id == ds_id)
    if version:
        statement = statement.where(_t.version < version + 1).values(version=version + 1)
    else:
        statement = statement.values(version=_t.version + 1)
    try:
        changed = connection.execute(statement.values(**values)).rowcount
    except IntegrityError as exc:
        raise _unique_violation(exc) from None
    if not changed:
        raise DataSourceVersionError("Datasource has already been updated by someone else. Please reload and try again")
    if spec.is_default:
        _clear_other_defaults(connection, org_id, ds_id)
    row = find(connection, org_id, id=ds_id)
    assert row is not None
    return to_model(row)


def delete_row(connection: Connection, org_id: int, ds_id: int, *, provisioning: bool) -> DataSource:
    """Delete a data source (and with it its secrets)."""
    current = _locked_writable(connection, org_id, ds_id, "delete", provisioning=provisioning)
    connection.execute(delete(data_source).where(_t.org_id == org_id, _t.id == ds_id))
    return to_model(current)


def count_by_type(connection: Connection) -> dict[str, int]:
    """Data sources per type, over every org."""
    query = select(_t.type, func.count()).group_by(_t.type)
    return {kind: count for kind, count in connection.execute(query).all()}
