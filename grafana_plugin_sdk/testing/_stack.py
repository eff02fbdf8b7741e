"""Full-stack depth: the host CLI in a subprocess on a free port, with given plugin folders, a temporary data folder
and provisioned data sources; tests talk to it with :class:`grafana_plugin_sdk.client.GrafanaClient`."""

from __future__ import annotations

import contextlib
import os
import re
import shutil
import signal
import subprocess
import sys
import tempfile
import threading
from collections.abc import Mapping, Sequence
from pathlib import Path
from types import TracebackType
from typing import TYPE_CHECKING, Any

import orjson

from grafana_plugin_sdk._hints import HOST_INSTALL

if TYPE_CHECKING:
    from grafana_plugin_sdk.client import AsyncGrafanaClient, GrafanaClient

#: The admin account of every harness host.
ADMIN = ("admin", "harness-admin-password")
_LISTENING = re.compile(r"listening on (http://\S+)")
_MISSING_MODULE = re.compile(r"No module named '([^']+)'")
#: How to install the host that start_stack runs.


class StackStartError(RuntimeError):
    """The host did not start (exited, or printed no ``listening on`` line in time); the message has its log tail."""


def _plugin_id(folder: Path) -> str:
    raw = orjson.loads((folder / "plugin.json").read_bytes())
    return str(raw.get("id", folder.name)) if isinstance(raw, dict) else folder.name


def prepare_paths(
    root: Path, plugins: Sequence[str | Path], datasources: Sequence[Mapping[str, Any]]
) -> tuple[dict[str, str], list[str]]:
    """Lay out ``root`` (data, plugins as links to the given folders, provisioning) and return the ``GF_*``
    variables pointing the host at it, plus the plugin ids found."""
    data, plugin_dir, provisioning = root / "data", root / "plugins", root / "provisioning"
    for folder in (data, plugin_dir, provisioning / "datasources"):
        folder.mkdir(parents=True, exist_ok=True)
    ids = []
    for given in plugins:
        folder = Path(given).resolve()
        if not (folder / "plugin.json").is_file():
            raise FileNotFoundError(f"{folder} has no plugin.json")
        (plugin_dir / folder.name).symlink_to(folder, target_is_directory=True)
        ids.append(_plugin_id(folder))
    document = {"apiVersion": 1, "datasources": [dict(ds) for ds in datasources]}
    (provisioning / "datasources" / "harness.yaml").write_bytes(orjson.dumps(document))  # JSON is YAML
    env = {
        "GF_PATHS_DATA": str(data),
        "GF_PATHS_PLUGINS": str(plugin_dir),
        "GF_PATHS_PROVISIONING": str(provisioning),
        "GF_SERVER_HTTP_ADDR": "127.0.0.1",
        "GF_SERVER_HTTP_PORT": "0",
        "GF_SECURITY_ADMIN_USER": ADMIN[0],
        "GF_SECURITY_ADMIN_PASSWORD": ADMIN[1],
        "GF_PLUGINS_ALLOW_LOADING_UNSIGNED_PLUGINS": ",".join(ids),
        "GF_LOG_LEVEL": "info",
        "GF_PLUGIN_PYTHON": sys.executable,
    }
    return env, ids


class Stack:
    """A running host: its ``url``, a logged-in ``client``, its log; :meth:`close` stops it and every plugin."""

    def __init__(self, proc: subprocess.Popen[str], root: Path, *, owns_root: bool) -> None:
        self._proc = proc
        self.root = root
        self._owns_root = owns_root
        self._lines: list[str] = []
        self._listening = threading.Event()
        self.url = ""
        self._reader = threading.Thread(target=self._read, name="grafana-stack-log", daemon=True)
        self._reader.start()
        self._client: GrafanaClient | None = None

    def _read(self) -> None:
        assert self._proc.stderr is not None
        for line in self._proc.stderr:
            self._lines.append(line.rstrip("\n"))
            if not self._listening.is_set() and (match := _LISTENING.search(line)):
                self.url = match.group(1)
                self._listening.set()
        self._listening.set()  # EOF: the host exited

    def wait_listening(self, timeout: float) -> None:
        """Wait for the host's ``listening on`` line; StackStartError (host stopped) if it does not come."""
        self._listening.wait(timeout)
        if not self.url:
            self.close()
            tail = "\n".join(self._lines[-15:])
            state = f"exited with code {self._proc.returncode}" if self._proc.returncode is not None else "timed out"
            raise StackStartError(f"the host did not start ({state}){self._missing_hint()}; its log ends with:\n{tail}")

    def _missing_hint(self) -> str:
        missing = next((m[1] for line in self._lines if (m := _MISSING_MODULE.search(line))), None)
        if missing is None:
            return ""
        return f": {missing!r} is not installed; start_stack runs grafana-plugin-host, install it with `{HOST_INSTALL}`"

    @property
    def pid(self) -> int:
        """The host's process id."""
        return self._proc.pid

    @property
    def client(self) -> GrafanaClient:
        """A blocking client logged in as the admin (made on first use, closed with the stack)."""
        if self._client is None:
            from grafana_plugin_sdk.client import GrafanaClient

            self._client = GrafanaClient(self.url, auth=ADMIN)
        return self._client

    def async_client(self) -> AsyncGrafanaClient:
        """A new awaitable client logged in as the admin (close it yourself: ``async with``)."""
        from grafana_plugin_sdk.client import AsyncGrafanaClient

        return AsyncGrafanaClient(self.url, auth=ADMIN)

    def logs(self) -> list[str]:
        """The host's log lines so far (its plugins' lines included, tagged with the plugin id)."""
        return list(self._lines)

    def close(self, grace: float = 10.0) -> None:
        """SIGTERM (the host stops its plugins), then SIGKILL the process group after ``grace`` s; safe twice."""
        if self._client is not None:
            self._client.close()
            self._client = None
        if self._proc.poll() is None:
            self._proc.send_signal(signal.SIGTERM)
            with contextlib.suppress(subprocess.TimeoutExpired):
                self._proc.wait(grace)
        with contextlib.suppress(ProcessLookupError, PermissionError):
            os.killpg(self._proc.pid, signal.SIGKILL)  # anything the host left behind
        self._proc.wait()
        self._reader.join(5)
        if self._owns_root:
            shutil.rmtree(self.root, ignore_errors=True)

    def __enter__(self) -> Stack:
        return self

    def __exit__(
        self, exc_type: type[BaseException] | None, exc: BaseException | None, tb: TracebackType | None
    ) -> None:
        self.close()


def start_stack(
    *,
    plugins: Sequence[str | Path] = (),
    datasources: Sequence[Mapping[str, Any]] = (),
    data_dir: str | Path | None = None,
    env: Mapping[str, str] | None = None,
    start_timeout: float = 60.0,
) -> Stack:
    """Start the host (``python -m grafana_plugin_host.cli``) with ``plugins`` (plugin folders) and ``datasources`` provisioned
    (Grafana's provisioning keys: ``name``, ``type``, ``uid``, ``jsonData``, ``secureJsonData``...).

    ``data_dir`` holds the database and the layout (a temporary folder by default, removed on close); ``env``
    adds ``GF_<SECTION>_<KEY>`` settings. Returns once the host listens; use as a ``with`` block or call close().
    """
    owns_root = data_dir is None
    root = Path(tempfile.mkdtemp(prefix="gp-stack-") if data_dir is None else data_dir)
    host_env, _ = prepare_paths(root, plugins, datasources)
    full_env = {**os.environ, **host_env, **(env or {})}
    proc = subprocess.Popen(
        [sys.executable, "-m", "grafana_plugin_host.cli"],
        cwd=root,
        env=full_env,
        stdin=subprocess.DEVNULL,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.PIPE,
        text=True,
        start_new_session=True,
    )
    stack = Stack(proc, root, owns_root=owns_root)
    stack.wait_listening(start_timeout)
    return stack
