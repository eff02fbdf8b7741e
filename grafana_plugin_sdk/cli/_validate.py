"""``grafana-plugin validate``: the checks Grafana's loader makes on a plugin folder, plus the plugin.json schema
(the part of it a backend plugin uses) and the rules of a shippable ``dist/``."""

from __future__ import annotations

import hashlib
import json
import os
import re
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from ._ids import convention_problems, loader_problems
from ._targets import DEFAULT_TARGETS

_SEMVER_RANGE = re.compile(r"^(\s*(<=|>=|<|>|=|~|\^)?\s*\d+(\.[\dx*]+){0,2}(-[\w.]+)?\s*)+$|^\*$")
_BOOLEANS = ("backend", "alerting", "annotations", "metrics", "logs", "tracing", "streaming", "explore", "mixed")
_STRINGS = ("id", "type", "name", "executable", "category")


@dataclass(frozen=True)
class Problem:
    """One finding: ``error`` (Grafana will not load or run the plugin as meant) or ``warning``."""

    level: str
    message: str

    def __str__(self) -> str:
        return f"{self.level}: {self.message}"


def plugin_folder(directory: Path) -> Path:
    """The folder Grafana loads for ``directory``: its ``dist/`` when that holds a plugin.json, as Grafana does."""
    return directory / "dist" if (directory / "dist" / "plugin.json").is_file() else directory


def validate(directory: Path) -> list[Problem]:
    """Every problem of the plugin folder (``dist/`` when there is one)."""
    folder = plugin_folder(directory)
    try:
        manifest = json.loads((folder / "plugin.json").read_text(encoding="utf-8"))
    except FileNotFoundError:
        return [Problem("error", f"{folder} has no plugin.json: Grafana does not see a plugin here")]
    except (OSError, ValueError) as exc:
        return [Problem("error", f"plugin.json is not valid JSON: {exc}")]
    if not isinstance(manifest, dict):
        return [Problem("error", "plugin.json must hold a JSON object")]
    problems = [Problem("error", m) for m in loader_problems(manifest.get("id"), manifest.get("type"))]
    if not problems:
        problems += [Problem("warning", m) for m in convention_problems(manifest["id"], manifest["type"])]
    for check in _CHECKS:
        problems += check(folder, manifest)
    return problems


def _schema(folder: Path, manifest: dict[str, Any]) -> Iterator[Problem]:
    for key in ("name", "info", "dependencies"):
        if key not in manifest:
            yield Problem("error", f"plugin.json has no {key!r} (required by Grafana's plugin.json schema)")
    for key in _STRINGS:
        if key in manifest and not isinstance(manifest[key], str):
            yield Problem("error", f"plugin.json {key!r} must be a string")
    for key in _BOOLEANS:
        if key in manifest and not isinstance(manifest[key], bool):
            yield Problem("error", f"plugin.json {key!r} must be true or false")
    for key in ("includes", "routes"):
        value = manifest.get(key, [])
        if not isinstance(value, list) or not all(isinstance(item, dict) for item in value):
            yield Problem("error", f"plugin.json {key!r} must be a list of objects")
    info = manifest.get("info", {})
    if not isinstance(info, dict):
        yield Problem("error", "plugin.json 'info' must be an object")
        info = {}
    for key in ("version", "updated"):
        if key in info and not isinstance(info[key], str):
            yield Problem("error", f"plugin.json info.{key} must be a string")
    if not isinstance(info.get("version"), str) or not info.get("version"):
        yield Problem("warning", "plugin.json info.version is missing: Grafana shows and packages plugins by version")
    logos = info.get("logos", {})
    if not isinstance(logos, dict) or not all(isinstance(logos.get(k), str) for k in ("small", "large")):
        yield Problem("error", "plugin.json info.logos must be an object with 'small' and 'large' paths")
    else:
        for size in ("small", "large"):
            if not (folder / logos[size]).is_file():
                yield Problem("error", f"info.logos.{size} names {logos[size]!r}, which is not in the plugin folder")
    dependencies = manifest.get("dependencies", {})
    grafana = dependencies.get("grafanaDependency") if isinstance(dependencies, dict) else None
    if not isinstance(grafana, str) or not _SEMVER_RANGE.match(grafana):
        yield Problem("error", "plugin.json dependencies.grafanaDependency must be a version range such as '>=10.0.0'")


def _launchers(folder: Path, manifest: dict[str, Any]) -> Iterator[Problem]:
    executable = manifest.get("executable")
    if not manifest.get("backend"):
        if executable:
            yield Problem("warning", "'executable' is set but 'backend' is not true: Grafana will not start it")
        return
    if not isinstance(executable, str) or not executable:
        yield Problem("error", "a backend plugin needs an 'executable' in plugin.json")
        return
    if "/" in executable or "\\" in executable:
        yield Problem("error", f"'executable' {executable!r} must be a file name in the plugin folder")
        return
    present = []
    for platform in DEFAULT_TARGETS:
        path = folder / f"{executable}_{platform}"
        if not path.is_file():
            yield Problem("warning", f"no {path.name}: Grafana on {platform} cannot start this plugin")
            continue
        present.append(platform)
        if not os.access(path, os.X_OK):
            yield Problem("error", f"{path.name} is not executable (chmod +x; zip it with its mode)")
        with path.open("rb") as fh:
            head = fh.read(4)
        if head not in (b"\x7fELF", b"\xcf\xfa\xed\xfe", b"\xca\xfe\xba\xbe") and not head.startswith(b"#!"):
            yield Problem("error", f"{path.name} is neither a program nor a script starting with #!")
        yield from _vendored_libs(folder, path)
    if not present and not (folder / executable).is_file():
        yield Problem("error", f"no launcher {executable}_<os>_<arch> at all: run `grafana-plugin build`")


def _vendored_libs(folder: Path, launcher: Path) -> Iterator[Problem]:
    """A launcher written by ``build`` lists its Python versions; each needs its vendored folder."""
    text = launcher.read_text(encoding="utf-8", errors="replace")
    match = re.search(r'^supported\(\) \{ case "\$1" in ([\d.|]+)\)', text, re.MULTILINE)
    if match is None or "lib/" not in text:
        return
    platform = launcher.name.rsplit("_", 2)
    for version in match.group(1).split("|"):
        lib = folder / "lib" / f"{platform[-2]}_{platform[-1]}-cp{version.replace('.', '')}"
        if not lib.is_dir():
            yield Problem("error", f"{launcher.name} runs Python {version} but {lib.relative_to(folder)} is missing")


def _frontend(folder: Path, manifest: dict[str, Any]) -> Iterator[Problem]:
    if manifest.get("type") in ("app", "datasource", "panel") and not (folder / "module.js").is_file():
        yield Problem("error", "no module.js: Grafana refuses a plugin without its frontend entry point")


def _files(folder: Path, manifest: dict[str, Any]) -> Iterator[Problem]:
    nested_ok = manifest.get("type") == "app"
    real_root = folder.resolve()
    for current, dirs, files in os.walk(folder):
        here = Path(current)
        for name in dirs + files:
            path = here / name
            relative = path.relative_to(folder)
            if path.is_symlink() and not path.resolve().is_relative_to(real_root):
                yield Problem("error", f"{relative} is a symlink leaving the plugin folder (Grafana rejects it)")
            if name == "__pycache__" or name.endswith((".pyc", ".pyo")):
                yield Problem(
                    "error", f"{relative}: bytecode in the plugin folder (a signed MANIFEST would not list it)"
                )
        if here != folder and "plugin.json" in files:
            level = "warning" if nested_ok and "lib" not in here.relative_to(folder).parts else "error"
            yield Problem(level, f"{here.relative_to(folder)}/plugin.json: Grafana loads it as a nested plugin")
        dirs[:] = [d for d in dirs if d != "__pycache__"]


def _signed_manifest(folder: Path, manifest: dict[str, Any]) -> Iterator[Problem]:
    """A MANIFEST.txt (from Grafana's signing tool) must list every file with its SHA-256, and nothing else.

    Its PGP signature is not checked here: Grafana checks it against grafana.com's key.
    """
    path = folder / "MANIFEST.txt"
    if not path.is_file():
        return
    text = path.read_text(encoding="utf-8", errors="replace")
    try:
        listed = json.loads(text[text.index("{") : text.rindex("}") + 1])["files"]
        assert isinstance(listed, dict)
    except (ValueError, KeyError, TypeError, AssertionError):
        yield Problem("error", "MANIFEST.txt holds no signed JSON with a 'files' object")
        return
    actual = {p.relative_to(folder).as_posix(): p for p in folder.rglob("*") if p.is_file()}
    actual.pop("MANIFEST.txt")
    for name in sorted(set(actual) - set(listed)):
        yield Problem("error", f"{name} is not listed in MANIFEST.txt: Grafana would call the plugin modified")
    for name in sorted(set(listed) - set(actual)):
        yield Problem("error", f"MANIFEST.txt lists {name}, which is missing")
    for name in sorted(set(listed) & set(actual)):
        if hashlib.sha256(actual[name].read_bytes()).hexdigest() != listed[name]:
            yield Problem("error", f"{name} differs from its SHA-256 in MANIFEST.txt")


_CHECKS: tuple[Callable[[Path, dict[str, Any]], Iterator[Problem]], ...] = (
    _schema,
    _launchers,
    _frontend,
    _files,
    _signed_manifest,
)
