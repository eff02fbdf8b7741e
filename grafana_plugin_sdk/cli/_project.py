"""A plugin project on disk: its plugin.json, its Python package and the dependencies to vendor."""

from __future__ import annotations

import json
import re
import tomllib
from dataclasses import dataclass
from pathlib import Path
from typing import Any

#: Files and folders of the project that Grafana reads, copied into ``dist/`` when present.
ASSETS = ("plugin.json", "module.js", "module.js.map", "img", "README.md", "CHANGELOG.md", "LICENSE")
SDK_DISTRIBUTION = "grafana-plugin-sdk"
_NAME = re.compile(r"^\s*([A-Za-z0-9][A-Za-z0-9._-]*)")
#: What an id or executable may hold to be written into file names and launcher scripts as it is.
SAFE_NAME = re.compile(r"^[A-Za-z0-9][A-Za-z0-9._-]*$")


class ProjectError(Exception):
    """The folder is not a buildable plugin project; the message says what is missing."""


def distribution_name(requirement: str) -> str:
    """The normalised distribution name of a requirement string (``Foo_Bar[x]>=1`` -> ``foo-bar``)."""
    match = _NAME.match(requirement)
    if match is None:
        raise ProjectError(f"cannot read the requirement {requirement!r}")
    return re.sub(r"[-_.]+", "-", match.group(1)).lower()


@dataclass(frozen=True)
class Project:
    """A plugin project: ``plugin.json`` and assets at its root, one package with ``__main__.py`` beside them."""

    root: Path
    manifest: dict[str, Any]
    package: str
    #: Requirements from ``[project] dependencies`` of pyproject.toml (the SDK when there is none).
    requirements: tuple[str, ...]

    @property
    def plugin_id(self) -> str:
        """``id`` of plugin.json."""
        return str(self.manifest["id"])

    @property
    def executable(self) -> str:
        """``executable`` of plugin.json."""
        return str(self.manifest["executable"])

    @property
    def version(self) -> str:
        """``info.version`` of plugin.json."""
        return str(self.manifest.get("info", {}).get("version") or "0.0.0")

    @classmethod
    def load(cls, root: Path) -> Project:
        """Read the project at ``root``; ProjectError when it cannot be built."""
        try:
            manifest = json.loads((root / "plugin.json").read_text(encoding="utf-8"))
        except FileNotFoundError:
            raise ProjectError(f"{root} has no plugin.json: run this in a plugin project") from None
        except (OSError, ValueError) as exc:
            raise ProjectError(f"{root / 'plugin.json'} cannot be read: {exc}") from None
        if not isinstance(manifest, dict) or not manifest.get("backend") or not manifest.get("executable"):
            raise ProjectError("plugin.json must describe a backend plugin: 'backend': true and an 'executable'")
        for key in ("id", "executable"):
            if not isinstance(manifest.get(key), str) or not SAFE_NAME.match(manifest[key]) or ".." in manifest[key]:
                raise ProjectError(
                    f"plugin.json {key!r} must be letters, digits, '.', '_' and '-' (got {manifest.get(key)!r})"
                )
        packages = sorted(p.parent.name for p in root.glob("*/__main__.py") if (p.parent / "__init__.py").is_file())
        if len(packages) != 1:
            found = ", ".join(packages) or "none"
            raise ProjectError(f"expected one Python package with __main__.py beside plugin.json, found {found}")
        return cls(root, manifest, packages[0], _requirements(root))


def _requirements(root: Path) -> tuple[str, ...]:
    pyproject = root / "pyproject.toml"
    if not pyproject.is_file():
        return (SDK_DISTRIBUTION,)
    try:
        dependencies = tomllib.loads(pyproject.read_text(encoding="utf-8")).get("project", {}).get("dependencies", [])
    except tomllib.TOMLDecodeError as exc:
        raise ProjectError(f"{pyproject} is not valid TOML: {exc}") from None
    if not isinstance(dependencies, list) or not all(isinstance(d, str) for d in dependencies):
        raise ProjectError(f"{pyproject}: [project] dependencies must be a list of strings")
    return tuple(dependencies)
