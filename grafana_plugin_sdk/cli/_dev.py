"""``grafana-plugin dev``: the host with this one plugin (run from source) and a provisioned data source; the host
restarts whenever the plugin's source or plugin.json changes."""

from __future__ import annotations

import shutil
import signal
import subprocess
import sys
import time
from pathlib import Path

from ._build import launcher_name
from ._host import host_command
from ._launcher import Launcher
from ._project import Project
from ._targets import MIN_PYTHON, host_platform

DEV_UID = "dev"
_STOP_GRACE = 10.0
_WATCHED_SUFFIXES = (".py", ".json", ".js", ".svg", ".toml")


def prepare(project: Project, workdir: Path, port: int) -> Path:
    """Write the host's config, its plugins folder (assets + a launcher running the source) and the provisioned
    data source into ``workdir``; the config file."""
    plugin_dir = workdir / "plugins" / project.plugin_id
    shutil.rmtree(plugin_dir, ignore_errors=True)
    plugin_dir.mkdir(parents=True)
    for name in ("plugin.json", "module.js", "img"):
        source = project.root / name
        if source.is_dir():
            shutil.copytree(source, plugin_dir / name)
        elif source.is_file():
            shutil.copy2(source, plugin_dir / name)
    launcher = Launcher(
        plugin_id=project.plugin_id,
        package=project.package,
        versions=[".".join(map(str, MIN_PYTHON))],
        pythonpath=[str(project.root.resolve())],
        or_later=True,
        command="dev",
    )
    path = plugin_dir / launcher_name(project, host_platform())
    path.write_text(launcher.script(), encoding="utf-8")
    path.chmod(0o755)
    datasources = workdir / "provisioning" / "datasources"
    datasources.mkdir(parents=True, exist_ok=True)
    if project.manifest.get("type") == "datasource":
        (datasources / "dev.yaml").write_text(
            "apiVersion: 1\ndatasources:\n"
            f"  - name: {project.manifest.get('name') or project.plugin_id} (dev)\n"
            f"    type: {project.plugin_id}\n    uid: {DEV_UID}\n    access: proxy\n    isDefault: true\n"
        )
    (workdir / "data").mkdir(exist_ok=True)
    config = workdir / "dev.ini"
    config.write_text(
        f"[server]\nhttp_addr = 127.0.0.1\nhttp_port = {port}\n"
        f"[paths]\ndata = {workdir / 'data'}\nplugins = {workdir / 'plugins'}\n"
        f"provisioning = {workdir / 'provisioning'}\n"
        f"[database]\npath = {workdir / 'data' / 'grafana.db'}\n"
        f"[plugins]\nallow_loading_unsigned_plugins = {project.plugin_id}\n"
        f"[plugin.{project.plugin_id}]\npython = {sys.executable}\n"
    )
    return config


def urls(project: Project, port: int) -> list[str]:
    """What to try once the host runs."""
    base = f"http://127.0.0.1:{port}"
    lines = [f"Host: {base} (admin/admin)", f"  curl -s -u admin:admin {base}/api/plugins/{project.plugin_id}/health"]
    if project.manifest.get("type") == "datasource":
        lines += [
            f"  curl -s -u admin:admin {base}/api/datasources/uid/{DEV_UID}/health",
            f"  curl -s -u admin:admin -H 'Content-Type: application/json' {base}/api/ds/query -d "
            f'\'{{"from": "now-1h", "to": "now", "queries": [{{"refId": "A", "datasource": {{"uid": "{DEV_UID}"}}}}]}}\'',
            f"  curl -s -u admin:admin {base}/api/datasources/uid/{DEV_UID}/resources/<path>",
        ]
    else:
        lines.append(f"  curl -s -u admin:admin {base}/api/plugins/{project.plugin_id}/resources/<path>")
    return lines


def snapshot(project: Project) -> dict[Path, float]:
    """Modification times of the files whose change restarts the plugin."""
    files = [project.root / "plugin.json", *(project.root / project.package).rglob("*")]
    return {p: p.stat().st_mtime for p in files if p.is_file() and p.suffix in _WATCHED_SUFFIXES}


def _stop(process: subprocess.Popen[bytes]) -> None:
    if process.poll() is None:
        process.send_signal(signal.SIGTERM)
        try:
            process.wait(_STOP_GRACE)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait()


def run(project: Project, workdir: Path, port: int, *, poll: float = 0.5) -> int:
    """Run the host, restarting it on every change, until interrupted (SIGINT or SIGTERM)."""
    signal.signal(signal.SIGTERM, _interrupt)
    process: subprocess.Popen[bytes] | None = None
    try:
        while True:
            seen = snapshot(project)
            process = subprocess.Popen(host_command(prepare(project, workdir, port)))
            print("\n".join(urls(project, port)), flush=True)
            reported = False
            while snapshot(project) == seen:
                if process.poll() is not None and not reported:
                    print(f"the host stopped (exit status {process.returncode}); waiting for a change", flush=True)
                    reported = True
                time.sleep(poll)
            print("source changed: restarting", flush=True)
            _stop(process)
    except KeyboardInterrupt:
        return 0
    finally:
        if process is not None:
            _stop(process)


def _interrupt(signum: int, frame: object) -> None:
    raise KeyboardInterrupt
