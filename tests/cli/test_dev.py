"""``grafana-plugin dev``: the host serves the plugin from source with a provisioned data source and restarts it
when the source changes; without the host it prints the install command."""

from __future__ import annotations

import signal
import socket
import subprocess
import sys
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

import httpx
import pytest

from grafana_plugin_sdk.cli import _host
from tests.cli.conftest import run_cli

pytest.importorskip(_host.HOST_MODULE, reason="grafana-plugin dev needs the host installed")


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port: int = sock.getsockname()[1]
        return port


def wait_for(check: Callable[[], Any], timeout: float = 60.0) -> Any:
    """The first truthy result of ``check`` (connection errors count as not yet)."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        try:
            result = check()
        except httpx.HTTPError:
            result = None
        if result:
            return result
        time.sleep(0.3)
    raise AssertionError("timed out")


def test_without_the_host_it_prints_the_install_command(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    monkeypatch.setattr(_host, "HOST_MODULE", "no_such_host_module")
    assert run_cli("dev", tmp_path) == 2
    assert "pip install ./host" in capsys.readouterr().err


def test_serves_the_plugin_and_restarts_it_on_change(tmp_path: Path) -> None:
    project = tmp_path / "acme-dev-datasource"
    assert run_cli("new", "acme-dev-datasource", "--directory", project) == 0
    port = free_port()
    base = f"http://127.0.0.1:{port}"
    dev = subprocess.Popen(
        [sys.executable, "-m", "grafana_plugin_sdk.cli", "dev", str(project), "--port", str(port)],
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        text=True,
    )
    try:
        with httpx.Client(base_url=base, auth=("admin", "admin"), timeout=10) as client:

            def health() -> Any:
                response = client.get("/api/datasources/uid/dev/health")
                return response.json() if response.status_code == 200 else None

            assert wait_for(health)["message"] == "Data source is working"
            query = {"from": "now-1h", "to": "now", "queries": [{"refId": "A", "datasource": {"uid": "dev"}}]}
            frames = client.post("/api/ds/query", json=query).json()["results"]["A"]["frames"]
            assert [f["name"] for f in frames[0]["schema"]["fields"]] == ["time", "value"]
            plugin = project / "acme_dev_datasource" / "plugin.py"
            plugin.write_text(plugin.read_text().replace('"Data source is working"', '"Edited and reloaded"'))
            wait_for(lambda: (health() or {}).get("message") == "Edited and reloaded")
        dev.send_signal(signal.SIGINT)
        assert dev.wait(30) == 0
    finally:
        if dev.poll() is None:
            dev.kill()
            dev.wait()
    output = dev.stdout.read() if dev.stdout else ""
    assert f"{base}/api/datasources/uid/dev/health" in output and "source changed: restarting" in output
    with pytest.raises(httpx.ConnectError):  # the host stopped with it
        httpx.get(f"{base}/api/health", timeout=2)
    assert not list(project.rglob("__pycache__")), "the dev run wrote bytecode into the project"
