"""``plugin.json``: the keys Grafana's loader reads, parsed and checked (pure, no IO)."""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

#: Plugin types Grafana knows (plugin.json ``type``).
PLUGIN_TYPES = frozenset({"datasource", "app", "panel", "renderer", "secretsmanager"})
#: What a plugin id may look like.
ID_RE = re.compile(r"^[A-Za-z0-9][A-Za-z0-9._-]*$")


@dataclass(frozen=True)
class PluginMeta:
    """A discovered plugin: the keys of its ``plugin.json`` the host uses, and where it lives."""

    id: str
    type: str
    name: str
    directory: Path
    version: str = ""
    backend: bool = False
    executable: str = ""
    alerting: bool = False
    annotations: bool = False
    metrics: bool = False
    logs: bool = False
    tracing: bool = False
    streaming: bool = False
    routes: list[dict[str, Any]] = field(default_factory=list)
    alias_ids: tuple[str, ...] = ()
    #: ``info.logos.small`` as written in plugin.json (relative to the plugin folder).
    logo: str = ""
    #: ``internal`` for plugins a host bundles, else ``unsigned`` (signatures are not verified here).
    signature: str = "unsigned"
    raw: dict[str, Any] = field(default_factory=dict)


class InvalidPluginError(ValueError):
    """``plugin.json`` is not a valid plugin description; the message says why."""


def _string(raw: dict[str, Any], key: str, *, required: bool = False) -> str:
    value = raw.get(key, "")
    if value is None:
        value = ""
    if not isinstance(value, str):
        raise InvalidPluginError(f"{key!r} must be a string, not {type(value).__name__}")
    if required and not value.strip():
        raise InvalidPluginError(f"{key!r} is required")
    return value


def _flag(raw: dict[str, Any], key: str) -> bool:
    value = raw.get(key, False)
    if value is None:
        return False
    if not isinstance(value, bool):
        raise InvalidPluginError(f"{key!r} must be true or false, not {value!r}")
    return value


def _object(raw: dict[str, Any], key: str) -> dict[str, Any]:
    value = raw.get(key) or {}
    if not isinstance(value, dict):
        raise InvalidPluginError(f"{key!r} must be an object")
    return value


def parse_plugin_json(raw: Any, directory: Path) -> PluginMeta:
    """PluginMeta from a decoded ``plugin.json``; raises InvalidPluginError naming the bad key."""
    if not isinstance(raw, dict):
        raise InvalidPluginError("plugin.json must contain a JSON object")
    plugin_id = _string(raw, "id", required=True)
    if not ID_RE.match(plugin_id):
        raise InvalidPluginError(f"invalid plugin id {plugin_id!r}: use letters, digits, '.', '_' and '-'")
    plugin_type = _string(raw, "type", required=True)
    if plugin_type not in PLUGIN_TYPES:
        raise InvalidPluginError(
            f"unknown plugin type {plugin_type!r} (expected one of {', '.join(sorted(PLUGIN_TYPES))})"
        )
    backend = _flag(raw, "backend")
    executable = _string(raw, "executable")
    if backend and not executable.strip():
        raise InvalidPluginError("a backend plugin needs an 'executable'")
    info = _object(raw, "info")
    logos = info.get("logos") or {}
    version = info.get("version") or ""
    routes = raw.get("routes") or []
    if not isinstance(routes, list) or not all(isinstance(r, dict) for r in routes):
        raise InvalidPluginError("'routes' must be a list of objects")
    alias_ids = raw.get("aliasIDs") or []
    if not isinstance(alias_ids, list) or not all(isinstance(a, str) and ID_RE.match(a) for a in alias_ids):
        raise InvalidPluginError("'aliasIDs' must be a list of plugin ids")
    return PluginMeta(
        id=plugin_id,
        type=plugin_type,
        name=_string(raw, "name") or plugin_id,
        directory=directory,
        version=version if isinstance(version, str) else str(version),
        backend=backend,
        executable=executable,
        alerting=_flag(raw, "alerting"),
        annotations=_flag(raw, "annotations"),
        metrics=_flag(raw, "metrics"),
        logs=_flag(raw, "logs"),
        tracing=_flag(raw, "tracing"),
        streaming=_flag(raw, "streaming"),
        routes=list(routes),
        alias_ids=tuple(alias_ids),
        logo=logos.get("small", "") if isinstance(logos, dict) and isinstance(logos.get("small"), str) else "",
        raw=raw,
    )
