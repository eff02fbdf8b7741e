"""``grafana-plugin build``: a ``dist/`` folder Grafana loads as it is, with everything the backend imports."""

from __future__ import annotations

import os
import shutil
from collections.abc import Sequence
from dataclasses import dataclass, field
from pathlib import Path

from ._launcher import Launcher
from ._project import ASSETS, Project
from ._targets import DEFAULT_TARGETS, MIN_PYTHON, Target
from ._vendor import copy_sdk, pip_install, remove_matching, share_pure_packages, split_requirements, strip

APP_DIR = "app"
SHARED_LIB = "lib/any"


@dataclass
class BuildReport:
    """Where the build went and how big each part is (bytes)."""

    dist: Path
    shared: int = 0
    per_target: dict[str, int] = field(default_factory=dict)
    total: int = 0

    def lines(self) -> list[str]:
        """The size report printed after a build."""
        mib = 1 << 20
        out = [
            f"{self.dist}: {self.total / mib:.1f} MiB in all; code, assets and pure-Python packages {self.shared / mib:.1f} MiB"
        ]
        out += [f"  {name}: +{size / mib:.1f} MiB" for name, size in sorted(self.per_target.items())]
        return out


def folder_size(folder: Path) -> int:
    """Bytes of every file under ``folder``."""
    return sum(p.stat().st_size for p in folder.rglob("*") if p.is_file() and not p.is_symlink())


def launcher_name(project: Project, platform: str) -> str:
    """``<executable>_<os>_<arch>``, the file Grafana starts on that platform."""
    return f"{project.executable}_{platform}"


def build(
    project: Project,
    out: Path,
    targets: list[Target],
    cache_dir: Path | None = None,
    exclude: Sequence[str] = (),
) -> BuildReport:
    """Write ``out`` (replacing it whole once everything succeeded); ``exclude`` globs (``pyarrow/_flight*``)
    remove matching files of the vendored libraries."""
    staging = out.with_name(out.name + ".partial")
    shutil.rmtree(staging, ignore_errors=True)
    staging.mkdir(parents=True)
    try:
        _assemble(project, staging, targets, cache_dir, exclude)
    except BaseException:
        shutil.rmtree(staging, ignore_errors=True)
        raise
    shutil.rmtree(out, ignore_errors=True)
    staging.rename(out)
    report = BuildReport(out, total=folder_size(out))
    lib = out / "lib"
    report.per_target = {t.lib_dir: folder_size(lib / t.lib_dir) for t in targets}
    report.shared = report.total - sum(report.per_target.values())
    return report


def _assemble(
    project: Project, staging: Path, targets: list[Target], cache_dir: Path | None, exclude: Sequence[str]
) -> None:
    for name in ASSETS:
        source = project.root / name
        if source.is_dir():
            shutil.copytree(source, staging / name)
        elif source.is_file():
            shutil.copy2(source, staging / name)
    ignore = shutil.ignore_patterns("__pycache__", "*.pyc")
    shutil.copytree(project.root / project.package, staging / APP_DIR / project.package, ignore=ignore)
    needs_sdk, requirements = split_requirements(project.requirements)
    stages = []
    for target in targets:
        stage = staging / "lib" / target.lib_dir
        stage.mkdir(parents=True)
        if requirements:
            pip_install(target, requirements, stage, cache_dir)
        stages.append(stage)
    shared = staging / SHARED_LIB
    shared.mkdir(parents=True)
    share_pure_packages(stages, shared)
    if needs_sdk:
        copy_sdk(shared)
    for folder in [*stages, shared]:
        remove_matching(folder, exclude)
        strip(folder)
    platforms: dict[str, list[str]] = {}
    for target in targets:
        platforms.setdefault(target.platform, []).append(target.python)
    for platform, versions in platforms.items():
        launcher = Launcher(
            plugin_id=project.plugin_id,
            package=project.package,
            versions=versions,
            pythonpath=[APP_DIR, f"lib/{platform}-{{abi}}", SHARED_LIB],
        )
        path = staging / launcher_name(project, platform)
        path.write_text(launcher.script(), encoding="utf-8")
        os.chmod(path, 0o755)


def write_source_launchers(project: Project) -> list[Path]:
    """Launchers for every default platform in the project folder itself, running its package from source with
    the nearest ``.venv`` (or ``[plugin.<id>] python``, or ``python3``): for source checkouts and development."""
    launcher = Launcher(
        plugin_id=project.plugin_id,
        package=project.package,
        versions=[".".join(map(str, MIN_PYTHON))],
        pythonpath=["."],
        venv_first=True,
        or_later=True,
        command="launchers",
    )
    written = []
    for platform in DEFAULT_TARGETS:
        path = project.root / launcher_name(project, platform)
        path.write_text(launcher.script(), encoding="utf-8")
        os.chmod(path, 0o755)
        written.append(path)
    return written
