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


def package(folder: Path, out_dir: Path) -> Package:
    """Zip ``folder`` (a built plugin folder) as ``<id>/...`` into ``out_dir/<id>-<version>.zip``."""
    manifest = json.loads((folder / "plugin.json").read_text(encoding="utf-8"))
    plugin_id = manifest["id"]
    version = manifest.get("info", {}).get("version") or "0.0.0"
    out_dir.mkdir(parents=True, exist_ok=True)
    archive = out_dir / f"{plugin_id}-{version}.zip"
    if archive.resolve().is_relative_to(folder.resolve()):
        raise PackageError(f"the zip would be written inside the plugin folder {folder}; choose another --out")
    partial = archive.with_name(archive.name + ".partial")
    with zipfile.ZipFile(partial, "w", compression=zipfile.ZIP_DEFLATED) as zf:
        for path in sorted(folder.rglob("*")):
            if path.is_dir():
                continue
            name = f"{plugin_id}/{path.relative_to(folder).as_posix()}"
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
