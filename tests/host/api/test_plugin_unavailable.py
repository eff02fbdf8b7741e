"""A plugin that cannot start: callers get 503 ``Plugin unavailable``; callers with admin rights also get why."""

from __future__ import annotations

import json
import platform
from collections.abc import Iterator

import httpx
import pytest

from grafana_plugin_sdk.client import FetchError
from grafana_plugin_sdk.testing import Stack, start_stack

PLUGIN_ID = "broken-datasource"
REASON = "ModuleNotFoundError: No module named 'flask'"


@pytest.fixture(scope="module")
def stack(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Stack]:
    folder = tmp_path_factory.mktemp("plugins") / PLUGIN_ID
    folder.mkdir()
    manifest = {"id": PLUGIN_ID, "type": "datasource", "name": "Broken", "backend": True, "executable": "gpx_broken"}
    (folder / "plugin.json").write_text(json.dumps(manifest))
    arch = {"x86_64": "amd64", "aarch64": "arm64"}.get(platform.machine(), platform.machine())
    launcher = folder / f"gpx_broken_linux_{arch}"
    launcher.write_text(f'#!/bin/sh\necho "Traceback (most recent call last):" >&2\necho "{REASON}" >&2\nexit 1\n')
    launcher.chmod(0o755)
    datasources = [{"name": "Broken", "type": PLUGIN_ID, "uid": "broken"}]
    with start_stack(plugins=[folder], datasources=datasources) as running:
        yield running


def _viewer_token(stack: Stack) -> str:
    account = stack.client.post("/api/serviceaccounts", {"name": "viewer-robot", "role": "Viewer"})
    token: str = stack.client.post(f"/api/serviceaccounts/{account['id']}/tokens", {"name": "t"})["key"]
    return token


def test_admin_gets_the_plugins_last_error_line_others_the_generic_message(stack: Stack) -> None:
    query = {"queries": [{"refId": "A", "datasource": {"uid": "broken"}}], "from": "now-1h", "to": "now"}
    viewer = {"Authorization": f"Bearer {_viewer_token(stack)}"}
    with httpx.Client(base_url=stack.url, timeout=30) as http:
        for method, path, body in (
            ("POST", "/api/ds/query", query),
            ("GET", "/api/datasources/uid/broken/health", None),
        ):
            with pytest.raises(FetchError) as failed:  # the harness client is the server admin
                stack.client.post(path, body) if method == "POST" else stack.client.get(path)
            assert failed.value.status == 503 and failed.value.data["message"] == "Plugin unavailable"
            assert REASON in failed.value.data["error"] and "exited with code 1" in failed.value.data["error"]
            answer = http.request(method, path, json=body, headers=viewer)
            assert answer.status_code == 503 and answer.json() == {"message": "Plugin unavailable"}
