"""Plugin discovery: find ``plugin.json`` files under the plugins folder and read Grafana's keys."""

from __future__ import annotations

import logging
import os
import re
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import orjson

from host.config import BUNDLED_PLUGINS

log = logging.getLogger("host.plugins")

#: Plugin types Grafana knows (plugin.json ``type``).
PLUGIN_TYPES = frozenset({"datasource", "app", "panel", "renderer", "secretsmanager"})
_ID_RE = re.compile(r"^[A-Za-z0-9][A-Za-z0-9._-]*$")
_SKIPPED_DIRS = frozenset({"node_modules", "__pycache__", ".git"})
_MAX_PLUGIN_JSON = 1 << 20


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
    #: ``internal`` for the bundled plugins, else ``unsigned`` (the host does not verify Grafana signatures).
    signature: str = "unsigned"
    raw: dict[str, Any] = field(default_factory=dict)


@dataclass(frozen=True)
class PluginLoadError:
    """A plugin that was found but not loaded: its id (or "" when unreadable), folder, a code and a message."""

    plugin_id: str
    directory: Path
    code: str  # "invalid", "duplicate", "signatureMissing"
    message: str


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


def parse_plugin_json(raw: Any, directory: Path, *, internal: bool = False) -> PluginMeta:
    """PluginMeta from a decoded ``plugin.json``; raises InvalidPluginError naming the bad key."""
    if not isinstance(raw, dict):
        raise InvalidPluginError("plugin.json must contain a JSON object")
    plugin_id = _string(raw, "id", required=True)
    if not _ID_RE.match(plugin_id):
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
    if not isinstance(alias_ids, list) or not all(isinstance(a, str) and _ID_RE.match(a) for a in alias_ids):
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
        signature="internal" if internal else "unsigned",
        raw=raw,
    )


def plugin_folders(root: Path) -> Iterator[Path]:
    """Every folder under ``root`` holding a plugin.json (its ``dist/`` when that has one), sorted.

    Does not descend into a plugin folder, hidden folders or ``node_modules``; follows symlinks once.
    """
    seen: set[Path] = set()
    for current, dirs, files in os.walk(root, followlinks=True):
        here = Path(current)
        real = here.resolve()
        if real in seen:
            dirs.clear()
            continue
        seen.add(real)
        dirs[:] = sorted(d for d in dirs if not d.startswith(".") and d not in _SKIPPED_DIRS)
        if (here / "dist" / "plugin.json").is_file():
            dirs.clear()
            yield here / "dist"
        elif "plugin.json" in files:
            dirs.clear()
            yield here


def _read(directory: Path, internal_root: Path) -> PluginMeta:
    path = directory / "plugin.json"
    try:
        with path.open("rb") as fh:
            data = fh.read(_MAX_PLUGIN_JSON + 1)
    except OSError as exc:
        raise InvalidPluginError(f"cannot read plugin.json: {exc.strerror}") from None
    if len(data) > _MAX_PLUGIN_JSON:
        raise InvalidPluginError("plugin.json is larger than 1 MiB")
    try:
        raw = orjson.loads(data)
    except orjson.JSONDecodeError as exc:
        raise InvalidPluginError(f"plugin.json is not valid JSON: {exc}") from None
    internal = directory.resolve().is_relative_to(internal_root.resolve())
    return parse_plugin_json(raw, directory, internal=internal)


def _raw_id(directory: Path) -> str:
    try:
        raw = orjson.loads((directory / "plugin.json").read_bytes())
    except (OSError, orjson.JSONDecodeError):
        return ""
    value = raw.get("id") if isinstance(raw, dict) else None
    return value if isinstance(value, str) else ""


def load_plugins(
    folders: Iterable[Path], allow_unsigned: Iterable[str] = (), internal_root: Path = BUNDLED_PLUGINS
) -> tuple[list[PluginMeta], list[PluginLoadError]]:
    """Read each folder's plugin.json: valid, unique, allowed plugins, and an error for every other one.

    Plugins inside ``internal_root`` (the bundled examples) are trusted like Grafana's core plugins.
    """
    allowed = set(allow_unsigned)
    plugins: list[PluginMeta] = []
    errors: list[PluginLoadError] = []
    owners: dict[str, PluginMeta] = {}
    for directory in folders:
        try:
            meta = _read(directory, internal_root)
        except InvalidPluginError as exc:
            errors.append(PluginLoadError(_raw_id(directory), directory, "invalid", f"invalid plugin.json: {exc}"))
            continue
        if meta.signature == "unsigned" and meta.id not in allowed:
            message = (
                f"plugin {meta.id} is unsigned (this host does not verify signatures); "
                "add its id to [plugins] allow_loading_unsigned_plugins to load it"
            )
            errors.append(PluginLoadError(meta.id, directory, "signatureMissing", message))
            continue
        taken = [name for name in (meta.id, *meta.alias_ids) if name in owners]
        if taken:
            other = owners[taken[0]]
            message = f"duplicate plugin id {taken[0]}: already loaded from {other.directory}"
            errors.append(PluginLoadError(meta.id, directory, "duplicate", message))
            continue
        for name in (meta.id, *meta.alias_ids):
            owners[name] = meta
        plugins.append(meta)
    return plugins, errors


def discover(
    root: Path, allow_unsigned: Iterable[str] = (), internal_root: Path = BUNDLED_PLUGINS
) -> tuple[list[PluginMeta], list[PluginLoadError]]:
    """Discover the plugins under ``root`` (a missing folder logs a warning and yields none)."""
    if not root.is_dir():
        log.warning("plugins folder %s does not exist; no plugins loaded", root)
        return [], []
    return load_plugins(plugin_folders(root), allow_unsigned, internal_root)
