"""Forwarded identity end to end: ``/api/ds/query`` and health on a real host process, the HTTP API example as a
real plugin process, and the upstream seeing the caller's token only where the data source forwards OAuth."""

from __future__ import annotations

import base64
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import httpx
import pytest

from grafana_plugin_sdk.testing import Stack, start_stack
from grafana_plugin_sdk.testing._stack import ADMIN
from grafana_plugin_sdk.testing.upstream import RecordedRequest, Reply, Upstream

FOLDER = Path(__file__).resolve().parents[2] / "example_plugins" / "httpapi"
TOKEN = "e2e-api-token"


def _series(request: RecordedRequest) -> Reply:
    return Reply.json({"metric": "cpu", "points": [[1_700_000_000_000, 1.0]]})


@pytest.fixture(scope="module")
def upstream() -> Iterator[Upstream]:
    routes = {"/series": _series, "/metrics": lambda _: Reply.json({"metrics": ["cpu"]})}
    with Upstream(routes) as server:
        yield server


@pytest.fixture(scope="module")
def stack(upstream: Upstream) -> Iterator[Stack]:
    common = {"type": "python-httpapi-datasource", "access": "proxy", "url": upstream.url}
    datasources = [
        {**common, "name": "API forwarding", "uid": "api-fwd", "jsonData": {"oauthPassThru": True}},
        {**common, "name": "API", "uid": "api-plain", "secureJsonData": {"apiToken": TOKEN}},
    ]
    with start_stack(plugins=[FOLDER], datasources=datasources) as running:
        yield running


@pytest.fixture(scope="module")
def bearer(stack: Stack) -> str:
    """A service account token: the caller's credentials, forwarded as its OAuth identity."""
    account = stack.client.post("/api/serviceaccounts", {"name": "robot", "role": "Viewer"})
    key: str = stack.client.post(f"/api/serviceaccounts/{account['id']}/tokens", {"name": "t"})["key"]
    return key


def _query(stack: Stack, uid: str, headers: dict[str, str]) -> httpx.Response:
    body: dict[str, Any] = {
        "from": "now-1h",
        "to": "now",
        "queries": [{"refId": "A", "datasource": {"uid": uid}, "metric": "cpu"}],
    }
    return httpx.post(f"{stack.url}/api/ds/query", json=body, headers=headers, timeout=30)


def test_the_callers_token_reaches_the_upstream_of_a_forwarding_data_source(
    stack: Stack, upstream: Upstream, bearer: str
) -> None:
    upstream.requests.clear()
    headers = {"Authorization": f"Bearer {bearer}", "X-Id-Token": "id-1", "X-Dashboard-Uid": "dash-1"}
    answer = _query(stack, "api-fwd", headers)
    assert answer.status_code == 200, answer.text
    assert answer.json()["results"]["A"]["frames"][0]["schema"]["name"] == "cpu"
    (seen,) = upstream.requests
    assert seen.headers["authorization"] == f"Bearer {bearer}" and seen.headers["x-id-token"] == "id-1"
    assert seen.headers["x-dashboard-uid"] == "dash-1"
    assert (
        seen.headers["user-agent"].startswith("Grafana/")
        and "python-httpapi-datasource/0.1.0" in seen.headers["user-agent"]
    )
    health = httpx.get(f"{stack.url}/api/datasources/uid/api-fwd/health", headers=headers, timeout=30)
    assert health.status_code == 200 and health.json()["message"] == "1 metrics available"
    assert upstream.requests[-1].headers["authorization"] == f"Bearer {bearer}"


def test_without_pass_through_only_the_data_sources_own_token_goes_out(
    stack: Stack, upstream: Upstream, bearer: str
) -> None:
    upstream.requests.clear()
    answer = _query(stack, "api-plain", {"Authorization": f"Bearer {bearer}", "X-Id-Token": "id-1"})
    assert answer.status_code == 200, answer.text
    (seen,) = upstream.requests
    assert "authorization" not in seen.headers and "x-id-token" not in seen.headers
    assert seen.headers["x-api-token"] == TOKEN


def test_an_oversized_id_token_is_not_forwarded_and_basic_credentials_never_are(
    stack: Stack, upstream: Upstream, bearer: str
) -> None:
    upstream.requests.clear()
    huge = {"Authorization": f"Bearer {bearer}", "X-Id-Token": "x" * 20_000}
    assert _query(stack, "api-fwd", huge).status_code == 200
    credentials = base64.b64encode(":".join(ADMIN).encode()).decode()
    basic = _query(stack, "api-fwd", {"Authorization": f"Basic {credentials}", "X-Id-Token": "id-1"})
    assert basic.status_code == 200, basic.text
    first, second = upstream.requests
    assert "x-id-token" not in first.headers and first.headers["authorization"] == f"Bearer {bearer}"
    assert "authorization" not in second.headers and second.headers["x-id-token"] == "id-1"
