"""A real Python environment missing some installed packages, to test the "optional part missing" errors."""

from __future__ import annotations

import sysconfig
import venv
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent


def python_without(folder: Path, *missing: str) -> Path:
    """The python of a new venv in ``folder`` that sees this project's code and every installed library except
    those whose names start with one of ``missing`` (no editable-install hooks, so only these paths count)."""
    venv.create(folder / "venv", with_pip=False)
    packages = folder / "packages"
    packages.mkdir()
    for code in (ROOT / "grafana_plugin_sdk", ROOT / "host" / "grafana_plugin_host"):
        (packages / code.name).symlink_to(code)
    hidden = (*missing, "__", "grafana_plugin_sdk", "grafana_plugin_host")
    for entry in Path(sysconfig.get_paths()["purelib"]).iterdir():
        if not entry.name.startswith(hidden) and entry.suffix != ".pth":
            (packages / entry.name).symlink_to(entry)
    (site,) = (folder / "venv" / "lib").glob("python3*/site-packages")
    (site / "packages.pth").write_text(f"{packages}\n")
    return folder / "venv" / "bin" / "python"
