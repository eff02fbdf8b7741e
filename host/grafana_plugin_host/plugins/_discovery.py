"""Plugin discovery: find ``plugin.json`` files under the plugins folder and read Grafana's keys."""

from __future__ import annotations

import dataclasses
import logging
import os
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from pathlib import Path

import orjson

from grafana_plugin_host.config import BUNDLED_PLUGINS
from grafana_plugin_sdk.plugin_json import InvalidPluginError, PluginMeta, parse_plugin_json

log = logging.getLogger("grafana_plugin_host.plugins")

_SKIPPED_DIRS = frozenset({"node_modules", "__pycache__", ".git"})
_MAX_PLUGIN_JSON = 1 << 20


@dataclass(frozen=True)
class PluginLoadError:
    """A plugin that was found but not loaded: its id (or "" when unreadable), folder, a code and a message."""

    plugin_id: str
    directory: Path
    code: str  # "invalid", "duplicate", "signatureMissing"
    message: str


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
    meta = parse_plugin_json(raw, directory)
    return dataclasses.replace(meta, signature="internal") if internal else meta


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
