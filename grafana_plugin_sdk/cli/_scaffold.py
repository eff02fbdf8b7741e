"""``grafana-plugin new``: a ready plugin project rendered from the package's template files."""

from __future__ import annotations

import datetime
import importlib.metadata
import importlib.resources
import keyword
from dataclasses import dataclass
from importlib.resources.abc import Traversable
from pathlib import Path

from ._ids import convention_problems, loader_problems
from ._targets import MIN_PYTHON

#: Template sets: the common files, then the kind's own (which win on a clash).
KINDS = {"datasource": ("common", "datasource"), "sql": ("common", "sql"), "app": ("common", "app")}
_TYPE_KEYS = {
    "datasource": '\n  "category": "other",\n  "metrics": true,',
    "app": '\n  "metrics": true,',
}


class ScaffoldError(Exception):
    """The project cannot be created (bad id, existing folder); the message says why."""


@dataclass(frozen=True)
class Names:
    """Everything the templates are filled with."""

    id: str
    type: str
    name: str
    package: str
    executable: str
    org: str

    @classmethod
    def for_id(cls, plugin_id: str, plugin_type: str, name: str = "") -> Names:
        """Names derived from a valid id (``acme-weather-datasource``: package ``acme_weather_datasource``...)."""
        problems = loader_problems(plugin_id, plugin_type) or convention_problems(plugin_id, plugin_type)
        if problems:
            raise ScaffoldError("; ".join(problems))
        words = plugin_id.split("-")
        package = "_".join(words)
        if package[0].isdigit() or keyword.iskeyword(package):
            package = f"plugin_{package}"
        title = name or " ".join(w.capitalize() for w in words[:-1])
        return cls(plugin_id, plugin_type, title, package, "gpx_" + "_".join(words[:-1]), words[0])

    def placeholders(self) -> dict[str, str]:
        """``{{key}}`` -> value for the templates."""
        return {
            "id": self.id,
            "type": self.type,
            "name": self.name,
            "package": self.package,
            "executable": self.executable,
            "org": self.org,
            "type_keys": _TYPE_KEYS[self.type],
            "sdk_version": importlib.metadata.version("grafana-plugin-sdk"),
            "min_python": ".".join(map(str, MIN_PYTHON)),
            "today": datetime.date.today().isoformat(),
        }


def _walk(root: Traversable, prefix: tuple[str, ...] = ()) -> dict[tuple[str, ...], Traversable]:
    files = {}
    for entry in root.iterdir():
        if entry.is_dir():
            files.update(_walk(entry, (*prefix, entry.name)))
        elif entry.name.endswith(".tmpl"):
            files[(*prefix, entry.name.removesuffix(".tmpl"))] = entry
    return files


def _render(text: str, values: dict[str, str]) -> str:
    for key, value in values.items():
        text = text.replace("{{" + key + "}}", value)
    return text


def _target_name(part: str, values: dict[str, str]) -> str:
    part = part.replace("__package__", values["package"])
    return "." + part.removeprefix("dot-") if part.startswith("dot-") else part


def scaffold(destination: Path, names: Names, kind: str) -> list[Path]:
    """Write the project into ``destination`` (which must not exist or be empty); the files written."""
    if destination.exists() and any(destination.iterdir()):
        raise ScaffoldError(f"{destination} already exists and is not empty")
    templates = importlib.resources.files(__package__) / "templates"
    files: dict[tuple[str, ...], Traversable] = {}
    for layer in KINDS[kind]:
        files.update(_walk(templates / layer))
    values = names.placeholders()
    written = []
    for parts, template in sorted(files.items()):
        path = destination.joinpath(*(_target_name(p, values) for p in parts))
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(_render(template.read_text(encoding="utf-8"), values), encoding="utf-8")
        written.append(path)
    return written
