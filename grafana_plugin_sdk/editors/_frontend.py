"""The generic frontend: the declaration document, and writing ``module.js`` with it into a plugin folder."""

from __future__ import annotations

import json
from importlib import resources
from pathlib import Path
from typing import Any

from ._schema import QuerySchema, SettingsSchema

DECLARATION_VERSION = 1
MODULE_FILE = "module.js"
PLACEHOLDER = "/*editors-declaration*/null"
"""Where the shipped module expects the declaration (a JSON literal replaces it)."""


def declaration(settings: SettingsSchema[Any] | None = None, query: QuerySchema[Any] | None = None) -> dict[str, Any]:
    """The JSON document the frontend renders its editors from."""
    doc: dict[str, Any] = {"version": DECLARATION_VERSION}
    doc["settings"] = {"fields": settings.to_json() if settings else []}
    doc["query"] = {"fields": query.to_json() if query else []}
    if query is not None and (streaming := query.streaming_json()) is not None:
        doc["query"]["streaming"] = streaming
    return doc


def generic_module() -> str:
    """The shipped, generic ``module.js`` (its declaration still the placeholder)."""
    return resources.files(__package__).joinpath(MODULE_FILE).read_text(encoding="utf-8")


def render_module(settings: SettingsSchema[Any] | None = None, query: QuerySchema[Any] | None = None) -> str:
    """``module.js`` with the declaration of ``settings`` and ``query`` built in."""
    source = generic_module()
    if source.count(PLACEHOLDER) != 1:
        raise RuntimeError("the packaged module.js has no declaration placeholder")
    literal = json.dumps(declaration(settings, query), sort_keys=True, separators=(",", ":"))
    return source.replace(PLACEHOLDER, literal.replace("</", "<\\/"))


def write_frontend(
    plugin_dir: str | Path, *, settings: SettingsSchema[Any] | None = None, query: QuerySchema[Any] | None = None
) -> Path:
    """Write the editors' ``module.js`` (declaration built in) into ``plugin_dir``; returns its path.

    Grafana loads ``module.js`` beside ``plugin.json``: the data source then has a ConfigEditor for ``settings``
    and a QueryEditor for ``query``. Run it again whenever a declaration changes.
    """
    target = Path(plugin_dir) / MODULE_FILE
    target.write_text(render_module(settings, query), encoding="utf-8")
    return target
