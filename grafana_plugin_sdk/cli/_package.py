"""``grafana-plugin package``: the zip Grafana installs (one top folder named after the plugin id, file modes kept)
with ``.sha1`` and ``.md5`` checksum files in ``sha1sum``/``md5sum`` format."""

from __future__ import annotations

import hashlib
import json
import os
import zipfile
from dataclasses import dataclass
from pathlib import Path

_CHUNK = 1 << 20


class PackageError(Exception):
    """The folder cannot be packaged; the message says why."""


@dataclass(frozen=True)
class Package:
    """The zip and its checksum files."""

    zip: Path
    sha1: Path
    md5: Path


def _other_platform(relative: Path, executable: str, platform: str) -> bool:
    """Whether the file belongs to a target other than ``platform`` (its launcher or its ``lib/`` folder)."""
    parts = relative.parts
    if len(parts) == 1 and parts[0].startswith(f"{executable}_"):
        return parts[0] != f"{executable}_{platform}"
    return len(parts) > 2 and parts[0] == "lib" and parts[1] != "any" and not parts[1].startswith(f"{platform}-")


def package(folder: Path, out_dir: Path, platform: str | None = None) -> Package:
    """Zip ``folder`` (a built plugin folder) as ``<id>/...`` into ``out_dir/<id>-<version>.zip``; with
    ``platform`` only that target's launcher and libraries, as ``<id>-<version>.<os>_<arch>.zip``."""
    manifest = json.loads((folder / "plugin.json").read_text(encoding="utf-8"))
    plugin_id = manifest["id"]
    version = manifest.get("info", {}).get("version") or "0.0.0"
    if not isinstance(version, str) or any(bad in version for bad in ("/", "\\", "..")) or version != version.strip():
        raise PackageError(f"info.version {version!r} cannot be part of a file name")
    if platform is not None and (folder / "MANIFEST.txt").is_file():
        raise PackageError(
            "a signed MANIFEST.txt lists every target's files: build and sign each target apart "
            "(build --target X --out dist-X) instead of packaging one target of a signed folder"
        )
    out_dir.mkdir(parents=True, exist_ok=True)
    archive = out_dir / (f"{plugin_id}-{version}.zip" if platform is None else f"{plugin_id}-{version}.{platform}.zip")
    if archive.resolve().is_relative_to(folder.resolve()):
        raise PackageError(f"the zip would be written inside the plugin folder {folder}; choose another --out")
    partial = archive.with_name(archive.name + ".partial")
    with zipfile.ZipFile(partial, "w", compression=zipfile.ZIP_DEFLATED) as zf:
        for path in sorted(folder.rglob("*")):
            relative = path.relative_to(folder)
            if path.is_dir() or (platform and _other_platform(relative, manifest.get("executable", ""), platform)):
                continue
            name = f"{plugin_id}/{relative.as_posix()}"
            info = zipfile.ZipInfo.from_file(path, name)
            info.compress_type = zipfile.ZIP_DEFLATED
            info.external_attr = (os.stat(path).st_mode & 0xFFFF) << 16  # keeps the launchers executable
            with path.open("rb") as src, zf.open(info, "w") as dst:
                while chunk := src.read(_CHUNK):
                    dst.write(chunk)
    partial.replace(archive)
    sums = {}
    for algorithm in ("sha1", "md5"):
        digest = hashlib.new(algorithm)
        with archive.open("rb") as fh:
            while chunk := fh.read(_CHUNK):
                digest.update(chunk)
        sums[algorithm] = archive.with_name(f"{archive.name}.{algorithm}")
        sums[algorithm].write_text(f"{digest.hexdigest()}  {archive.name}\n")
    return Package(archive, sums["sha1"], sums["md5"])
