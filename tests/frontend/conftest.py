"""The frontend tests' shared pieces: node and the installed npm packages, and a host running the examples."""

from __future__ import annotations

import shutil
from collections.abc import Iterator
from pathlib import Path

import pytest
import yaml

from grafana_plugin_sdk.testing import Stack, start_stack

ROOT = Path(__file__).resolve().parents[2]
FRONTEND = ROOT / "frontend"
EXAMPLES = sorted(p.parent for p in (ROOT / "example_plugins").glob("*/plugin.json"))
PROVISIONING = ROOT / "conf" / "provisioning" / "datasources" / "examples.yaml"


@pytest.fixture(scope="session")
def node() -> str:
    """The node executable, with frontend/node_modules installed; skips where either is missing."""
    found = shutil.which("node")
    if found is None:
        pytest.skip("node is not installed (CI installs it: .ci/setup.d/40-node.sh)")
    if not (FRONTEND / "node_modules" / "@grafana" / "ui").is_dir():
        pytest.skip("frontend/node_modules is missing: run `npm ci` in frontend/ (CI does: .ci/setup.d/40-node.sh)")
    return found


@pytest.fixture(scope="session")
def stack(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Stack]:
    """The host with the three examples, provisioned as `make run` does."""
    data = tmp_path_factory.mktemp("editors-data")
    datasources = yaml.safe_load(PROVISIONING.read_text().replace("${GF_PATHS_DATA}", str(data)))["datasources"]
    with start_stack(plugins=EXAMPLES, datasources=datasources) as running:
        yield running


@pytest.fixture(scope="session")
def editor_token(stack: Stack) -> str:
    """A new service account token with the Editor role: what the browser's session is to the frontend."""
    account = stack.client.post("/api/serviceaccounts", {"name": "editors-frontend", "role": "Editor"})
    token: str = stack.client.post(f"/api/serviceaccounts/{account['id']}/tokens", {"name": "frontend"})["key"]
    return token
