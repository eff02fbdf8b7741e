"""Grafana's app provisioning: ``<provisioning>/plugins/*.yaml`` applied at start.

Format (``apiVersion: 1``): ``apps:`` entries with ``type`` (the plugin id), ``org_id`` (default 1), ``disabled``,
``jsonData`` and ``secureJsonData`` (encrypted when stored). ``$VAR`` / ``${VAR}`` expand from the environment.
Provisioned apps are enabled (unless ``disabled: true``) and pinned, as Grafana provisions them.
"""

from __future__ import annotations

import logging
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import yaml

from grafana_plugin_host.errors import ConfigError
from grafana_plugin_host.provisioning import expand, yaml_flag, yaml_mapping, yaml_org_id
from grafana_plugin_host.store import PluginSettingChange, Store, save_plugin_setting

log = logging.getLogger(__name__)


@dataclass(frozen=True)
class ProvisionedApp:
    """One ``apps:`` entry: whose settings, what they become, and the file it came from."""

    org_id: int
    plugin_id: str
    change: PluginSettingChange
    source: str


def _app(entry: Any, where: str) -> ProvisionedApp:
    if not isinstance(entry, dict):
        raise ConfigError(f"{where}: expected a mapping")
    plugin_id = entry.get("type")
    if not isinstance(plugin_id, str) or not plugin_id:
        raise ConfigError(f"{where}: needs type (the app plugin id)")
    if "org_name" in entry and "org_id" not in entry:
        raise ConfigError(f"{where}: org_name is not supported here; give org_id")
    secure = yaml_mapping(entry.get("secureJsonData"), where)
    if not all(isinstance(value, str) for value in secure.values()):
        raise ConfigError(f"{where}: secureJsonData values must be text")
    change = PluginSettingChange(
        enabled=not yaml_flag(entry.get("disabled"), where),
        pinned=True,
        json_data=yaml_mapping(entry.get("jsonData"), where),
        secure_json_data=secure,
    )
    return ProvisionedApp(yaml_org_id(entry.get("org_id"), where), plugin_id, change, where)


def parse_apps(text: str, source: str, environ: Mapping[str, str]) -> list[ProvisionedApp]:
    """The apps of one provisioning file; ConfigError names the file and entry on bad input."""
    try:
        document = yaml.safe_load(text)
    except yaml.YAMLError as exc:
        raise ConfigError(f"{source}: not valid YAML: {exc}") from None
    if document is None:
        return []
    if not isinstance(document, dict) or not isinstance(document.get("apps") or [], list):
        raise ConfigError(f"{source}: expected a mapping with apiVersion and a list of apps")
    document = expand(document, environ)
    return [_app(entry, f"{source}: apps[{index}]") for index, entry in enumerate(document.get("apps") or [])]


def read_apps(provisioning_dir: str | Path, environ: Mapping[str, str]) -> list[ProvisionedApp]:
    """Every app of ``plugins/*.yaml`` / ``*.yml`` (none if the folder is absent)."""
    folder = Path(provisioning_dir) / "plugins"
    if not folder.is_dir():
        return []
    apps = []
    for path in sorted(p for p in folder.iterdir() if p.suffix in (".yaml", ".yml") and p.is_file()):
        try:
            text = path.read_text(encoding="utf-8")
        except (OSError, UnicodeDecodeError) as exc:
            raise ConfigError(f"cannot read provisioning file {path}: {exc}") from None
        apps.extend(parse_apps(text, str(path), environ))
    return apps


async def provision_apps(store: Store, provisioning_dir: str | Path, environ: Mapping[str, str]) -> None:
    """Save every provisioned app's settings (secrets merged into the stored ones)."""
    for app in read_apps(provisioning_dir, environ):
        await save_plugin_setting(store, app.org_id, app.plugin_id, app.change)
        log.info("provisioning: app %s settings saved (org %d)", app.plugin_id, app.org_id)
