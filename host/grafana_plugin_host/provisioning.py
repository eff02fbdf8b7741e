"""Grafana's data source provisioning: ``<provisioning>/datasources/*.yaml`` applied at start.

Format (``apiVersion: 1``): ``datasources:`` entries with Grafana's keys (``name``, ``type``, ``uid``, ``orgId``,
``url``, ``jsonData``, ``secureJsonData``, ``isDefault``, ``editable``...) and ``deleteDatasources:`` entries
(``name``, ``orgId``). ``$VAR`` / ``${VAR}`` in values expand from the environment (``$$`` is a dollar).
Provisioned data sources are read-only through the API unless ``editable: true``.
"""

from __future__ import annotations

import logging
import os
import re
from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import yaml

from grafana_plugin_host.ds_input import check_spec
from grafana_plugin_host.errors import ApiError, ConfigError
from grafana_plugin_host.store import DataSourceSpec, Store, StoreError

log = logging.getLogger(__name__)

_VARIABLE = re.compile(r"\$(?:\$|\{([A-Za-z_][A-Za-z0-9_]*)\}|([A-Za-z_][A-Za-z0-9_]*))")
_TEXT_KEYS = {
    "name": "name",
    "type": "type",
    "access": "access",
    "url": "url",
    "user": "user",
    "database": "database",
    "basicAuthUser": "basic_auth_user",
    "uid": "uid",
    "apiVersion": "api_version",
}
_FLAG_KEYS = {"basicAuth": "basic_auth", "withCredentials": "with_credentials", "isDefault": "is_default"}


@dataclass(frozen=True)
class ProvisionedDataSource:
    """One ``datasources:`` entry: the org it belongs to and what to store."""

    org_id: int
    spec: DataSourceSpec
    source: str


@dataclass(frozen=True)
class ProvisioningPlan:
    """Everything the provisioning files ask for: deletions first, then data sources to create or update."""

    deletes: list[tuple[int, str]] = field(default_factory=list)
    datasources: list[ProvisionedDataSource] = field(default_factory=list)


def expand(value: Any, environ: Mapping[str, str]) -> Any:
    """``value`` with ``$VAR`` and ``${VAR}`` replaced in every string (recursively); unknown variables are empty."""
    if isinstance(value, str):
        return _VARIABLE.sub(lambda m: "$" if m.group(0) == "$$" else environ.get(m.group(1) or m.group(2), ""), value)
    if isinstance(value, list):
        return [expand(item, environ) for item in value]
    if isinstance(value, dict):
        return {key: expand(item, environ) for key, item in value.items()}
    return value


def yaml_text(value: Any, where: str) -> str:
    if value is None:
        return ""
    if isinstance(value, bool) or not isinstance(value, str | int | float):
        raise ConfigError(f"{where}: expected text, got {value!r}")
    return str(value)


def yaml_flag(value: Any, where: str) -> bool:
    if value is None:
        return False
    if not isinstance(value, bool):
        raise ConfigError(f"{where}: expected true or false, got {value!r}")
    return value


def yaml_org_id(value: Any, where: str) -> int:
    if value is None or value == 0:
        return 1
    if isinstance(value, bool) or not isinstance(value, int) or value < 0:
        raise ConfigError(f"{where}: orgId must be a positive whole number, got {value!r}")
    return value


def yaml_mapping(value: Any, where: str) -> dict[str, Any]:
    if value is None:
        return {}
    if not isinstance(value, dict) or not all(isinstance(key, str) for key in value):
        raise ConfigError(f"{where}: expected a mapping with text keys")
    return value


def _datasource(entry: Any, where: str) -> ProvisionedDataSource:
    if not isinstance(entry, dict):
        raise ConfigError(f"{where}: each data source must be a mapping")
    text = {attr: yaml_text(entry.get(key), f"{where}.{key}") for key, attr in _TEXT_KEYS.items()}
    if not text["name"] or not text["type"]:
        raise ConfigError(f"{where}: a data source needs a name and a type")
    where = f"{where} ({text['name']!r})"
    flags = {attr: yaml_flag(entry.get(key), f"{where}.{key}") for key, attr in _FLAG_KEYS.items()}
    secure = {
        key: yaml_text(value, f"{where}.secureJsonData.{key}")
        for key, value in yaml_mapping(entry.get("secureJsonData"), f"{where}.secureJsonData").items()
    }
    for legacy, key in (("password", "password"), ("basicAuthPassword", "basicAuthPassword")):
        if entry.get(legacy) is not None:
            secure.setdefault(key, yaml_text(entry[legacy], f"{where}.{legacy}"))
    spec = DataSourceSpec(
        name=text["name"],
        type=text["type"],
        access=text["access"] or "proxy",
        url=text["url"],
        user=text["user"],
        database=text["database"],
        basic_auth=flags["basic_auth"],
        basic_auth_user=text["basic_auth_user"],
        with_credentials=flags["with_credentials"],
        is_default=flags["is_default"],
        uid=text["uid"],
        api_version=text["api_version"],
        json_data=yaml_mapping(entry.get("jsonData"), f"{where}.jsonData"),
        secure_json_data=secure,
        read_only=not yaml_flag(entry.get("editable"), f"{where}.editable"),
    )
    try:
        check_spec(spec)
    except ApiError as exc:
        raise ConfigError(f"{where}: {exc.message}") from None
    return ProvisionedDataSource(yaml_org_id(entry.get("orgId"), f"{where}.orgId"), spec, where)


def parse_file(text: str, source: str, environ: Mapping[str, str]) -> ProvisioningPlan:
    """The plan of one provisioning file; ConfigError names the file and entry on bad input."""
    try:
        document = yaml.safe_load(text)
    except yaml.YAMLError as exc:
        raise ConfigError(f"{source}: not valid YAML: {exc}") from None
    if document is None:
        return ProvisioningPlan()
    if not isinstance(document, dict):
        raise ConfigError(f"{source}: expected a mapping with apiVersion and datasources")
    if document.get("apiVersion", 1) not in (0, 1):
        raise ConfigError(f"{source}: unsupported apiVersion {document.get('apiVersion')!r} (expected 1)")
    document = expand(document, environ)
    deletes: list[tuple[int, str]] = []
    for index, entry in enumerate(document.get("deleteDatasources") or []):
        where = f"{source}: deleteDatasources[{index}]"
        if not isinstance(entry, dict) or not entry.get("name"):
            raise ConfigError(f"{where}: needs a name")
        deletes.append((yaml_org_id(entry.get("orgId"), where), yaml_text(entry["name"], where)))
    entries = document.get("datasources") or []
    if not isinstance(entries, list):
        raise ConfigError(f"{source}: datasources must be a list")
    sources = [_datasource(entry, f"{source}: datasources[{index}]") for index, entry in enumerate(entries)]
    return ProvisioningPlan(deletes, sources)


def read_plan(provisioning_dir: str | Path, environ: Mapping[str, str] | None = None) -> ProvisioningPlan:
    """The combined plan of every ``datasources/*.yaml`` / ``*.yml`` file (none if the folder is absent)."""
    environ = os.environ if environ is None else environ
    folder = Path(provisioning_dir) / "datasources"
    if not folder.is_dir():
        return ProvisioningPlan()
    plan = ProvisioningPlan()
    for path in sorted(p for p in folder.iterdir() if p.suffix in (".yaml", ".yml") and p.is_file()):
        try:
            text = path.read_text(encoding="utf-8")
        except (OSError, UnicodeDecodeError) as exc:
            raise ConfigError(f"cannot read provisioning file {path}: {exc}") from None
        part = parse_file(text, str(path), environ)
        plan.deletes.extend(part.deletes)
        plan.datasources.extend(part.datasources)
    defaults: dict[int, str] = {}
    for item in plan.datasources:
        if item.spec.is_default:
            if item.org_id in defaults:
                raise ConfigError(
                    f"{item.source}: only one data source per organization can be marked as default "
                    f"(already {defaults[item.org_id]!r} in org {item.org_id})"
                )
            defaults[item.org_id] = item.spec.name
    return plan


async def apply_plan(store: Store, plan: ProvisioningPlan) -> None:
    """Delete, then create or update (matched by name in the org) every provisioned data source."""
    for org_id, name in plan.deletes:
        existing = await store.get_datasource(org_id, name=name)
        if existing is not None:
            await store.delete_datasource(org_id, existing.id, provisioning=True)
            log.info("provisioning: deleted data source %r (org %d)", name, org_id)
    for item in plan.datasources:
        existing = await store.get_datasource(item.org_id, name=item.spec.name)
        try:
            if existing is None:
                ds = await store.create_datasource(item.org_id, item.spec)
                log.info("provisioning: created data source %r (uid %s, org %d)", ds.name, ds.uid, ds.org_id)
            else:
                ds = await store.update_datasource(item.org_id, existing.id, item.spec, provisioning=True)
                log.info("provisioning: updated data source %r (uid %s, org %d)", ds.name, ds.uid, ds.org_id)
        except StoreError as exc:
            raise ConfigError(f"{item.source}: {exc}") from None


async def provision(store: Store, provisioning_dir: str | Path, environ: Mapping[str, str] | None = None) -> None:
    """Read and apply the data source provisioning files (``environ`` expands ``$VAR``; default os.environ)."""
    await apply_plan(store, read_plan(provisioning_dir, environ))
