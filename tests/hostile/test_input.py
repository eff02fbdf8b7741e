"""Items 9 and 10: out-of-range numbers, deep nesting and NUL characters answer 400 on every backend."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import httpx
import pytest

from tests.host.api.conftest import BACKENDS, database_for
from tests.hostile.conftest import ADMIN, Env, assert_clean, raw_request, start_env, status_of


@pytest.fixture(scope="module", params=BACKENDS)
def backend_env(request: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory) -> Iterator[Env]:
    """The suite's host on SQLite and on PostgreSQL (when a server is configured)."""
    if request.param == "sqlite":
        yield request.getfixturevalue("env")
        return
    folder = tmp_path_factory.mktemp("input")
    with database_for(request.param, folder) as url:
        yield from start_env(folder, url)


def _query(env: Env, text: str) -> httpx.Response:
    with env.client() as client:
        return client.post("/api/ds/query", content=text, headers={"content-type": "application/json"})


def _q(env: Env, extra: str = "", query_extra: str = "") -> str:
    return f'{{"queries":[{{"refId":"A","datasource":{{"uid":"{env.backend_uid}"}}{query_extra}}}]{extra}}}'


BAD_QUERIES = {
    "from 1e308": (', "from": 1e308, "to": "now"', ""),
    "from 2^70": (', "from": 1180591620717411303424, "to": "now"', ""),
    "from now-1000000000y": (', "from": "now-1000000000y", "to": "now"', ""),
    "to -9999999999999999999": (', "from": "now-1h", "to": "-9999999999999999999"', ""),
    "to now+99999999999d": (', "from": "now-1h", "to": "now+99999999999d"', ""),
    "datasourceId 2^70": ("", ', "datasourceId": 1180591620717411303424'),
    "maxDataPoints 1e20": ("", ', "maxDataPoints": 1e20'),
    "intervalMs 1e300": ("", ', "intervalMs": 1e300'),
    "intervalMs 9e18": ("", ', "intervalMs": 9000000000000000000'),
    "500-deep array": ("", ', "deep": ' + "[" * 500 + "]" * 500),
    "1000-deep object": ("", ', "deep": ' + '{"a":' * 1000 + "1" + "}" * 1000),
}


@pytest.mark.parametrize("case", BAD_QUERIES)
def test_query_values_out_of_range_are_400_with_a_message(backend_env: Env, case: str) -> None:
    extra, query_extra = BAD_QUERIES[case]
    response = _query(backend_env, _q(backend_env, extra, query_extra))
    assert response.status_code == 400, response.text
    assert response.json()["message"]
    assert_clean(response)


def test_deep_json_data_and_a_huge_id_are_400(backend_env: Env) -> None:
    deep = '{"name":"deep","type":"x","access":"proxy","jsonData":' + '{"a":' * 1000 + "1" + "}" * 1000 + "}"
    with backend_env.client() as client:
        created = client.post("/api/datasources", content=deep, headers={"content-type": "application/json"})
        assert created.status_code == 400 and created.json()["message"]
        updated = client.put("/api/datasources/" + "9" * 10000, json={"name": "x", "type": "x", "access": "proxy"})
        assert updated.status_code == 400 and updated.json()["message"] == "id is invalid"
        assert_clean(created)


def _nul_bodies(env: Env) -> list[tuple[str, str, dict[str, Any]]]:
    with env.client() as client:
        account = client.post("/api/serviceaccounts", json={"name": f"sa-{env.tmp.name}", "role": "Viewer"})
        assert account.status_code == 201, account.text
    return [
        ("POST", "/api/serviceaccounts", {"name": "a\x00b", "role": "Viewer"}),
        ("PATCH", f"/api/serviceaccounts/{account.json()['id']}", {"name": "a\x00b"}),
        ("POST", f"/api/serviceaccounts/{account.json()['id']}/tokens", {"name": "t\x00"}),
        ("POST", "/api/orgs", {"name": "org\x00"}),
        ("POST", "/api/admin/users", {"login": "nul\x00user", "password": "long-enough-password"}),
        ("POST", "/api/org/users", {"loginOrEmail": "a\x00", "role": "Viewer"}),
        ("POST", "/api/datasources", {"name": "n\x00", "type": "x", "access": "proxy"}),
        ("POST", "/api/datasources", {"name": "ok", "type": "x", "access": "proxy", "jsonData": {"k\x00": 1}}),
    ]


def test_nul_in_any_json_text_is_400(backend_env: Env) -> None:
    with backend_env.client() as client:
        for method, path, body in _nul_bodies(backend_env):
            response = client.request(method, path, json=body)
            assert response.status_code == 400, (path, response.text)
            assert_clean(response)


def test_nul_in_a_basic_login_and_in_urls_is_400(backend_env: Env) -> None:
    with backend_env.client(auth=("ad\x00min", "admin")) as client:
        assert client.get("/api/datasources").status_code == 400
    for path in ("/api/orgs?query=a%00", "/api/datasources/name/a%00b", "/api/serviceaccounts/search?query=%00"):
        answer = raw_request(backend_env.port, f"GET {path} HTTP/1.1\r\nHost: x\r\n\r\n".encode())
        assert status_of(answer) == 400, (path, answer)
    with httpx.Client(base_url=backend_env.host.url, auth=ADMIN) as client:  # the host still serves
        assert client.get("/api/orgs?query=a").status_code == 200
