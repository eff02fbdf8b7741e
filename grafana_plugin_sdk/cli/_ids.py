"""Plugin ids and types: what Grafana's loader accepts, and the ``<org>-<name>-<type>`` form the catalog asks for."""

from __future__ import annotations

import re

#: ``type`` values Grafana's loader accepts in plugin.json.
PLUGIN_TYPES = frozenset({"app", "datasource", "panel", "renderer", "secretsmanager"})

_CONVENTION = re.compile(r"^[a-z0-9]+(?:-[a-z0-9]+)+$")


def loader_problems(plugin_id: object, plugin_type: object) -> list[str]:
    """Why Grafana's loader would reject this id and type (empty when it accepts them)."""
    problems = []
    if not isinstance(plugin_id, str) or not plugin_id:
        problems.append("'id' is missing or empty: Grafana skips a plugin.json without an id")
    elif "/" in plugin_id or "\\" in plugin_id or ".." in plugin_id or plugin_id != plugin_id.strip():
        problems.append(f"'id' {plugin_id!r} contains a path separator, '..' or spaces: Grafana installs into <id>/")
    if plugin_type not in PLUGIN_TYPES:
        problems.append(f"'type' {plugin_type!r} is not one of {', '.join(sorted(PLUGIN_TYPES))}")
    return problems


def convention_problems(plugin_id: str, plugin_type: str) -> list[str]:
    """Where the id departs from ``<org>-<name>-<type>`` (lower-case letters and digits; type as the suffix)."""
    if not _CONVENTION.match(plugin_id):
        return [f"id {plugin_id!r} should be lower-case letters and digits in dash-separated words"]
    words = plugin_id.split("-")
    if words[-1] != plugin_type:
        return [f"id {plugin_id!r} should end with '-{plugin_type}', the plugin's type"]
    if len(words) < 3:
        return [f"id {plugin_id!r} should be <org>-<name>-{plugin_type} (at least three words)"]
    return []
