"""App plugin settings over real HTTP: ``/api/plugins/:id/settings`` on the real host with the real hub app
plugin process; provisioning from ``plugins/*.yaml``; secrets encrypted at rest; RBAC; hostile input."""

from __future__ import annotations

import sqlite3
from collections.abc import Iterator
from pathlib import Path

import httpx
import pytest

from grafana_plugin_sdk.testing import Stack, start_stack

ROOT = Path(__file__).resolve().parents[3]
HUB = ROOT / "example_plugins" / "hub"
APP = "python-hub-app"
PROVISIONED_SECRET = "provisioned-key-7f3a9c"
NEW_SECRET = "updated-key-41be07d2"
ADMIN = ("admin", "app-settings-admin-password")
PROVISIONING = f"""apiVersion: 1
apps:
  - type: {APP}
    org_id: 1
    jsonData:
      site: $HUB_SITE
    secureJsonData:
      apiKey: {PROVISIONED_SECRET}
"""


@pytest.fixture(scope="module")
def stack(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Stack]:
    root = tmp_path_factory.mktemp("apps")
    (root / "provisioning" / "plugins").mkdir(parents=True)
    (root / "provisioning" / "plugins" / "hub.yaml").write_text(PROVISIONING)
    env = {"HUB_SITE": "Greenhouse", "GF_SECURITY_ADMIN_PASSWORD": ADMIN[1]}
    with start_stack(plugins=[HUB], data_dir=root, env=env) as running:
        yield running


@pytest.fixture(scope="module")
def admin(stack: Stack) -> Iterator[httpx.Client]:
    with httpx.Client(base_url=stack.url, auth=ADMIN, timeout=30) as client:
        yield client


def stored_bytes(stack: Stack) -> bytes:
    """Every byte of the database files (WAL included)."""
    return b"".join(p.read_bytes() for p in (stack.root / "data").glob("grafana.db*"))


def test_provisioned_settings_reach_the_app_and_secrets_stay_encrypted(stack: Stack, admin: httpx.Client) -> None:
    settings = admin.get(f"/api/plugins/{APP}/settings")
    assert settings.status_code == 200
    body = settings.json()
    assert (body["id"], body["type"], body["enabled"], body["pinned"]) == (APP, "app", True, True)
    assert body["jsonData"] == {"site": "Greenhouse"} and body["secureJsonFields"] == {"apiKey": True}
    assert PROVISIONED_SECRET not in settings.text
    resource = admin.get(f"/api/plugins/{APP}/resources/settings")
    assert resource.json() == {"site": "Greenhouse", "apiKeySet": True}
    assert PROVISIONED_SECRET.encode() not in stored_bytes(stack)


def test_update_reaches_the_next_call_and_merges_secrets(stack: Stack, admin: httpx.Client) -> None:
    update = {"enabled": True, "pinned": False, "jsonData": {"site": "Lab"}, "secureJsonData": {"apiKey": NEW_SECRET}}
    response = admin.post(f"/api/plugins/{APP}/settings", json=update)
    assert response.status_code == 200 and response.json() == {"message": "Plugin settings updated"}
    assert admin.get(f"/api/plugins/{APP}/resources/settings").json() == {"site": "Lab", "apiKeySet": True}
    health = admin.get(f"/api/plugins/{APP}/health").json()
    assert health["status"] == "OK" and health["message"] == "Hub for Lab is configured"
    # The secret is stored encrypted: the column holds a token per key, never the value.
    with sqlite3.connect(stack.root / "data" / "grafana.db") as db:
        (stored,) = db.execute("SELECT secure_json_data FROM plugin_setting WHERE plugin_id = ?", (APP,)).fetchone()
    assert '"apiKey"' in stored and NEW_SECRET not in stored
    assert NEW_SECRET.encode() not in stored_bytes(stack)
    # Settings without secrets keep the stored ones; jsonData is replaced.
    assert admin.post(f"/api/plugins/{APP}/settings", json={"jsonData": {"site": "Barn"}}).status_code == 200
    assert admin.get(f"/api/plugins/{APP}/resources/settings").json() == {"site": "Barn", "apiKeySet": True}
    body = admin.get(f"/api/plugins/{APP}/settings").json()
    assert (body["pinned"], body["secureJsonFields"]) == (False, {"apiKey": True})


def test_the_app_resource_api(admin: httpx.Client) -> None:
    base = f"/api/plugins/{APP}/resources"
    created = admin.post(f"{base}/devices", json={"id": "heater-1", "name": "Heater"})
    assert created.status_code == 201
    assert {"id": "heater-1", "name": "Heater"} in admin.get(f"{base}/devices").json()
    for method, path, body, status in [
        ("POST", "devices", b"{not json", 400),
        ("POST", "devices", b'{"id": "../../x"}', 400),
        ("POST", "devices", b'{"id": "ok", "name": 5}', 400),
        ("DELETE", "settings", b"", 405),
        ("GET", "nowhere", b"", 404),
    ]:
        assert admin.request(method, f"{base}/{path}", content=body).status_code == status, (method, path)


def test_rbac_as_grafana(stack: Stack, admin: httpx.Client) -> None:
    user = {"name": "Vera", "login": "vera", "password": "vera-password-1"}
    assert admin.post("/api/admin/users", json=user).status_code == 200
    with httpx.Client(base_url=stack.url, auth=("vera", "vera-password-1"), timeout=30) as viewer:
        read = viewer.get(f"/api/plugins/{APP}/settings")
        assert read.status_code == 200 and PROVISIONED_SECRET not in read.text and NEW_SECRET not in read.text
        denied = viewer.post(f"/api/plugins/{APP}/settings", json={"jsonData": {"site": "mine"}})
        assert denied.status_code == 403 and "plugins:write" in denied.json()["message"]
    with httpx.Client(base_url=stack.url, timeout=30) as anonymous:
        assert anonymous.get(f"/api/plugins/{APP}/settings").status_code == 401


@pytest.mark.parametrize(
    ("method", "path", "body", "status"),
    [
        ("POST", f"/api/plugins/{APP}/settings", b"[]", 400),
        ("POST", f"/api/plugins/{APP}/settings", b"{oops", 400),
        ("POST", f"/api/plugins/{APP}/settings", b'{"jsonData": 5}', 400),
        ("POST", f"/api/plugins/{APP}/settings", b'{"secureJsonData": {"apiKey": 1}}', 400),
        ("POST", f"/api/plugins/{APP}/settings", b'{"enabled": "yes"}', 400),
        ("POST", f"/api/plugins/{APP}/settings", b'{"pluginVersion": []}', 400),
        ("POST", f"/api/plugins/{APP}/settings", b'{"jsonData": {"x": "' + b"a" * 30_000_000 + b'"}}', 413),
        ("GET", "/api/plugins/no-such-app/settings", b"", 404),
        ("POST", "/api/plugins/no-such-app/settings", b"{}", 404),
        ("GET", "/api/plugins/%00/settings", b"", 400),  # the server refuses a NUL in the URL
    ],
)
def test_hostile_input_gets_a_clear_4xx(admin: httpx.Client, method: str, path: str, body: bytes, status: int) -> None:
    response = admin.request(method, path, content=body, headers={"content-type": "application/json"})
    assert response.status_code == status and "message" in response.json()
    assert "Traceback" not in response.text
