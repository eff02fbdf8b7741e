"""End to end: every /api/datasources endpoint and error of HTTP_API.md §1, over HTTP against a running host."""

from __future__ import annotations

import re
from collections.abc import Iterator
from typing import Any

import httpx
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from tests.host.api.conftest import HostProcess

DTO_KEYS = {
    "id",
    "uid",
    "orgId",
    "name",
    "type",
    "typeLogoUrl",
    "access",
    "url",
    "user",
    "database",
    "basicAuth",
    "basicAuthUser",
    "withCredentials",
    "isDefault",
    "jsonData",
    "secureJsonFields",
    "version",
    "readOnly",
    "apiVersion",
}
LIST_KEYS = {
    "id",
    "uid",
    "orgId",
    "name",
    "type",
    "typeName",
    "typeLogoUrl",
    "access",
    "url",
    "user",
    "database",
    "basicAuth",
    "isDefault",
    "jsonData",
    "readOnly",
}
UID_INVALID = {"message": "Invalid datasource UID.", "messageId": "datasource.uidInvalid", "statusCode": 400}


@pytest.fixture
def api(shared_host: HostProcess, org: int) -> Iterator[httpx.Client]:
    """A client acting in an org of its own on the module's host."""
    with shared_host.client(org) as client:
        yield client


def body(name: str = "ds", **extra: Any) -> dict[str, Any]:
    """A valid create/update body."""
    return {"name": name, "type": "testdata", "access": "proxy", **extra}


def create(api: httpx.Client, name: str = "ds", **extra: Any) -> dict[str, Any]:
    """Create a data source and return its DTO."""
    response = api.post("/api/datasources", json=body(name, **extra))
    assert response.status_code == 200, response.text
    dto: dict[str, Any] = response.json()["datasource"]
    return dto


def expect(response: httpx.Response, status: int, message: str) -> dict[str, Any]:
    """Assert a JSON error response and return its body."""
    assert response.status_code == status, response.text
    assert response.headers["content-type"].startswith("application/json")
    data: dict[str, Any] = response.json()
    assert data["message"] == message
    return data


# --- create ---------------------------------------------------------------------------------------------------


def test_create_answers_grafanas_shape(api: httpx.Client, org: int) -> None:
    response = api.post(
        "/api/datasources",
        json=body(
            "graphite-1",
            type="graphite",
            url="http://mydatasource.com",
            basicAuth=True,
            basicAuthUser="basicuser",
            jsonData={"graphiteVersion": "1.1", "nested": {"a": [1, 2.5, None]}},
            secureJsonData={"basicAuthPassword": "basicpassword", "empty": ""},
        ),
    )
    assert response.status_code == 200
    data = response.json()
    assert set(data) == {"message", "id", "name", "datasource"}
    assert data["message"] == "Datasource added" and data["name"] == "graphite-1"
    dto = data["datasource"]
    assert set(dto) == DTO_KEYS
    assert dto["id"] == data["id"] and dto["orgId"] == org
    assert dto["version"] == 1 and dto["readOnly"] is False
    assert dto["basicAuth"] is True and dto["basicAuthUser"] == "basicuser"
    assert dto["jsonData"] == {"graphiteVersion": "1.1", "nested": {"a": [1, 2.5, None]}}
    assert dto["secureJsonFields"] == {"basicAuthPassword": True}
    assert dto["typeLogoUrl"] == "public/img/icn-datasource.svg"
    assert "basicpassword" not in response.text


def test_generated_uid_is_a_uuid_starting_with_a_letter(api: httpx.Client) -> None:
    uids = {create(api, f"gen-{i}")["uid"] for i in range(5)}
    assert len(uids) == 5
    for uid in uids:
        assert re.fullmatch(r"[a-f][0-9a-f]{7}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}", uid), uid


def test_first_data_source_of_an_org_is_default_and_only_one_default(api: httpx.Client) -> None:
    first = create(api, "first")
    assert first["isDefault"] is True
    second = create(api, "second")
    assert second["isDefault"] is False
    third = create(api, "third", isDefault=True)
    assert third["isDefault"] is True
    defaults = [ds["name"] for ds in api.get("/api/datasources").json() if ds["isDefault"]]
    assert defaults == ["third"]
    api.put(f"/api/datasources/uid/{second['uid']}", json=body("second", isDefault=True)).raise_for_status()
    defaults = [ds["name"] for ds in api.get("/api/datasources").json() if ds["isDefault"]]
    assert defaults == ["second"]


def test_create_conflicts(api: httpx.Client) -> None:
    create(api, "taken", uid="taken-uid")
    expect(api.post("/api/datasources", json=body("taken")), 409, "data source with the same name already exists")
    expect(
        api.post("/api/datasources", json=body("other", uid="taken-uid")),
        409,
        "data source with the same uid already exists",
    )


@pytest.mark.parametrize(
    ("extra", "expected"),
    [
        ({"uid": "has space"}, UID_INVALID),
        ({"uid": "a" * 41}, UID_INVALID),
        ({"uid": "ünïcode"}, UID_INVALID),
        ({"name": "n" * 191}, {"message": "Invalid datasource name.", "messageId": "datasource.nameInvalid"}),
        (
            {"url": "http://x/" + "p" * 250},
            {"message": "Invalid datasource url.", "messageId": "datasource.urlInvalid"},
        ),
        ({"url": "http://host:port/"}, {"message": "Validation error, invalid URL"}),
        ({"url": "http://bad host/"}, {"message": "Validation error, invalid URL"}),
        ({"url": "http://x/%zz"}, {"message": "Validation error, invalid URL"}),
        ({"url": "http://x/\u0001"}, {"message": "Validation error, invalid URL"}),
        ({"url": "http://[::1"}, {"message": "Validation error, invalid URL"}),
    ],
)
def test_create_validation(api: httpx.Client, extra: dict[str, Any], expected: dict[str, Any]) -> None:
    response = api.post("/api/datasources", json={**body("v"), **extra})
    assert response.status_code == 400, response.text
    assert expected.items() <= response.json().items()
    assert api.get("/api/datasources").json() == []


def test_create_accepts_valid_uids_and_urls(api: httpx.Client) -> None:
    assert create(api, "a", uid="A-z_0-9" + "x" * 33)["uid"] == "A-z_0-9" + "x" * 33
    assert create(api, "b", url="localhost:9090")["url"] == "localhost:9090"
    assert create(api, "c", url="https://user:pw@[::1]:8443/p?q=1#f")["url"].startswith("https://")
    # An unknown plugin type is accepted (Grafana ignores non-existing plugins for now).
    assert create(api, "d", type="no-such-plugin")["type"] == "no-such-plugin"
    # A type that requires a URL may be created without one (only a non-empty URL is validated on create).
    assert create(api, "e", type="prometheus")["url"] == ""


BAD_BODIES: list[tuple[str, bytes]] = [
    ("malformed", b'{"name": "x",'),
    ("not an object", b'["name"]'),
    ("a number", b"5"),
    ("empty body", b""),
    ("invalid utf-8", b'{"name": "\xff\xfe", "type": "t", "access": "proxy"}'),
    ("missing name", b'{"type": "t", "access": "proxy"}'),
    ("missing type", b'{"name": "n", "access": "proxy"}'),
    ("missing access", b'{"name": "n", "type": "t"}'),
    ("empty name", b'{"name": "", "type": "t", "access": "proxy"}'),
    ("name not a string", b'{"name": 5, "type": "t", "access": "proxy"}'),
    ("bool not a bool", b'{"name": "n", "type": "t", "access": "proxy", "isDefault": "yes"}'),
    ("jsonData a list", b'{"name": "n", "type": "t", "access": "proxy", "jsonData": [1]}'),
    ("secret not a string", b'{"name": "n", "type": "t", "access": "proxy", "secureJsonData": {"a": 1}}'),
    ("secureJsonData a string", b'{"name": "n", "type": "t", "access": "proxy", "secureJsonData": "x"}'),
    ("version a string", b'{"name": "n", "type": "t", "access": "proxy", "version": "1"}'),
    ("version a float", b'{"name": "n", "type": "t", "access": "proxy", "version": 1.5}'),
    ("version too big", b'{"name": "n", "type": "t", "access": "proxy", "version": 99999999999999999999999}'),
    ("NUL in a name", b'{"name": "a\\u0000b", "type": "t", "access": "proxy"}'),
    ("type too long", b'{"name": "n", "type": "' + b"t" * 256 + b'", "access": "proxy"}'),
    ("deep nesting", b'{"name": "n", "type": "t", "access": "proxy", "jsonData": ' + b"[" * 5000 + b"]" * 5000 + b"}"),
]


@pytest.mark.parametrize(("case", "raw"), BAD_BODIES, ids=[case for case, _ in BAD_BODIES])
def test_bad_bodies_are_400_bad_request_data(api: httpx.Client, case: str, raw: bytes) -> None:
    created = create(api, "existing")
    headers = {"content-type": "application/json"}
    expect(api.post("/api/datasources", content=raw, headers=headers), 400, "bad request data")
    expect(api.put(f"/api/datasources/uid/{created['uid']}", content=raw, headers=headers), 400, "bad request data")
    expect(api.put(f"/api/datasources/{created['id']}", content=raw, headers=headers), 400, "bad request data")
    assert [ds["name"] for ds in api.get("/api/datasources").json()] == ["existing"]


def test_oversize_body_is_413(api: httpx.Client) -> None:
    big = body("big", jsonData={"blob": "x" * 70_000})
    response = api.post("/api/datasources", json=big)
    assert response.status_code == 413 and "limit 65536" in response.json()["message"]

    def chunks() -> Iterator[bytes]:  # no Content-Length: the limit applies while reading
        yield b'{"name": "big", "type": "t", "access": "proxy", "jsonData": {"blob": "'
        for _ in range(10):
            yield b"x" * 10_000
        yield b'"}}'

    assert api.post("/api/datasources", content=chunks()).status_code == 413
    assert api.get("/api/datasources").json() == []


def test_json_with_charset_and_case_insensitive_keys(api: httpx.Client) -> None:
    response = api.post(
        "/api/datasources",
        content=b'{"Name": "cased", "TYPE": "t", "access": "proxy", "isdefault": true}',
        headers={"content-type": "application/json;charset=utf-8"},
    )
    assert response.status_code == 200, response.text
    assert response.json()["datasource"]["name"] == "cased"


# --- get and list ---------------------------------------------------------------------------------------------


def test_get_by_id_uid_name_and_id_by_name(api: httpx.Client) -> None:
    dto = create(api, "a name/with slash & ünïcode", secureJsonData={"token": "t0ken"})
    ds_id, uid = dto["id"], dto["uid"]
    for path in (f"/api/datasources/{ds_id}", f"/api/datasources/uid/{uid}"):
        got = api.get(path)
        assert got.status_code == 200 and got.json() == dto
    by_name = api.get("/api/datasources/name/a%20name%2Fwith%20slash%20%26%20%C3%BCn%C3%AFcode")
    assert by_name.json() == dto
    assert api.get("/api/datasources/id/a name/with slash & ünïcode").json() == {"id": ds_id}


def test_access_control_is_reported_on_request(api: httpx.Client) -> None:
    dto = create(api, "ac")
    assert "accessControl" not in api.get(f"/api/datasources/uid/{dto['uid']}").json()
    for path in (f"/api/datasources/uid/{dto['uid']}", f"/api/datasources/{dto['id']}"):
        access = api.get(path, params={"accesscontrol": "true"}).json()["accessControl"]
        assert access["datasources:read"] is True and access["datasources:write"] is True


def test_get_errors(api: httpx.Client) -> None:
    create(api, "exists")
    for path in ("/api/datasources/999999", "/api/datasources/uid/nope", "/api/datasources/name/nope"):
        expect(api.get(path), 404, "Data source not found")
    expect(api.get("/api/datasources/id/nope"), 404, "Data source not found")
    for bad in ("abc", "1.5", "99999999999999999999999", "1_0"):
        expect(api.get(f"/api/datasources/{bad}"), 400, "id is invalid")
    expect(api.get("/api/datasources/name/a%00b"), 400, "NUL character in the URL")  # refused by the server


def test_list_is_sorted_case_insensitively_with_list_keys(api: httpx.Client, org: int) -> None:
    assert api.get("/api/datasources").json() == []
    for name in ("beta", "Alpha", "gamma", "Delta"):
        create(api, name, secureJsonData={"k": "v"})
    listed = api.get("/api/datasources").json()
    assert [ds["name"] for ds in listed] == ["Alpha", "beta", "Delta", "gamma"]
    for item in listed:
        assert set(item) == LIST_KEYS and item["orgId"] == org and item["typeName"] == "testdata"


def test_orgs_are_isolated(shared_host: HostProcess, org: int) -> None:
    with shared_host.client(org) as mine, shared_host.client(org + 50_000) as theirs:
        dto = create(mine, "private")
        assert theirs.get("/api/datasources").json() == []
        for path in (
            f"/api/datasources/{dto['id']}",
            f"/api/datasources/uid/{dto['uid']}",
            "/api/datasources/name/private",
        ):
            expect(theirs.get(path), 404, "Data source not found")
            expect(theirs.delete(path), 404, "Data source not found")
        expect(theirs.put(f"/api/datasources/uid/{dto['uid']}", json=body("x")), 404, "Data source not found")
        # The same name and uid are free in another org.
        assert create(theirs, "private", uid=dto["uid"])["uid"] == dto["uid"]
        assert mine.get(f"/api/datasources/uid/{dto['uid']}").json() == dto


# --- update ---------------------------------------------------------------------------------------------------


def test_update_by_uid_and_by_id(api: httpx.Client) -> None:
    dto = create(api, "upd", url="http://old", jsonData={"a": 1})
    response = api.put(f"/api/datasources/uid/{dto['uid']}", json=body("renamed", url="http://new", version=1))
    assert response.status_code == 200, response.text
    data = response.json()
    assert set(data) == {"message", "id", "name", "datasource"}
    assert data["message"] == "Datasource updated" and data["name"] == "renamed" and data["id"] == dto["id"]
    updated = data["datasource"]
    assert updated["version"] == 2 and updated["url"] == "http://new" and updated["jsonData"] == {}
    assert api.get(f"/api/datasources/uid/{dto['uid']}").json() == updated
    response = api.put(f"/api/datasources/{dto['id']}", json=body("by-id", jsonData={"b": 2}, version=2))
    assert response.status_code == 200, response.text
    again = response.json()["datasource"]
    assert again["name"] == "by-id" and again["url"] == "http://new" and again["jsonData"] == {"b": 2}
    assert again["version"] == 3 and again["uid"] == dto["uid"]


def test_update_changes_uid_when_given(api: httpx.Client) -> None:
    dto = create(api, "moving", secureJsonData={"s": "kept"})
    moved = api.put(f"/api/datasources/{dto['id']}", json=body("moving", uid="new-uid")).json()["datasource"]
    assert moved["uid"] == "new-uid" and moved["secureJsonFields"] == {"s": True}
    expect(api.get(f"/api/datasources/uid/{dto['uid']}"), 404, "Data source not found")
    create(api, "other", uid="other-uid")
    expect(
        api.put("/api/datasources/uid/new-uid", json=body("moving", uid="other-uid")),
        409,
        "data source with the same uid already exists",
    )
    response = api.put("/api/datasources/uid/new-uid", json=body("moving", uid="bad uid!"))
    assert response.status_code == 400 and UID_INVALID.items() <= response.json().items()


def test_update_secrets_are_merged_and_cleared_by_empty_string(api: httpx.Client) -> None:
    dto = create(api, "sec", secureJsonData={"password": "p1", "apiKey": "k1"})
    assert dto["secureJsonFields"] == {"apiKey": True, "password": True}
    merged = api.put(f"/api/datasources/uid/{dto['uid']}", json=body("sec", secureJsonData={"token": "t"}))
    assert merged.json()["datasource"]["secureJsonFields"] == {"apiKey": True, "password": True, "token": True}
    cleared = api.put(f"/api/datasources/uid/{dto['uid']}", json=body("sec", secureJsonData={"password": ""}))
    assert cleared.json()["datasource"]["secureJsonFields"] == {"apiKey": True, "token": True}
    assert "k1" not in cleared.text and "p1" not in cleared.text


def test_update_version_lock(api: httpx.Client) -> None:
    uid = create(api, "ver")["uid"]
    path = f"/api/datasources/uid/{uid}"
    assert api.put(path, json=body("ver", version=1)).json()["datasource"]["version"] == 2
    stale = "Datasource has already been updated by someone else. Please reload and try again"
    expect(api.put(path, json=body("ver", version=1)), 409, stale)
    # A higher version than stored is allowed on purpose (provisioning); the stored one becomes version + 1.
    assert api.put(path, json=body("ver", version=7)).json()["datasource"]["version"] == 8
    # Without a version there is no check and the version still increments (our deviation: Grafana resets to 1).
    assert api.put(path, json=body("ver")).json()["datasource"]["version"] == 9
    assert api.put(path, json=body("ver", version=0)).json()["datasource"]["version"] == 10


def test_update_errors(api: httpx.Client) -> None:
    dto = create(api, "one", type="prometheus", url="http://prom")
    create(api, "two")
    expect(
        api.put(f"/api/datasources/uid/{dto['uid']}", json=body("two", type="prometheus", url="http://p")),
        409,
        "Failed to update datasource: data source with the same name already exists",
    )
    # The URL is always validated on update: a type that needs one may not drop it.
    expect(
        api.put(f"/api/datasources/uid/{dto['uid']}", json=body("one", type="prometheus")),
        400,
        "Validation error, invalid URL",
    )
    expect(api.put("/api/datasources/uid/missing", json=body("x")), 404, "Data source not found")
    expect(api.put("/api/datasources/424242", json=body("x")), 404, "Data source not found")
    expect(api.put("/api/datasources/abc", json=body("x")), 400, "id is invalid")
    response = api.put(f"/api/datasources/uid/{dto['uid']}", json=body("n" * 191, type="prometheus", url="http://p"))
    assert response.status_code == 400 and response.json()["messageId"] == "datasource.nameInvalid"


# --- delete ---------------------------------------------------------------------------------------------------


def test_delete_by_id_uid_and_name(api: httpx.Client) -> None:
    a, b, c = (create(api, name) for name in ("del-a", "del-b", "del-c"))
    response = api.delete(f"/api/datasources/{a['id']}")
    assert response.status_code == 200 and response.json() == {"message": "Data source deleted"}
    assert api.delete(f"/api/datasources/uid/{b['uid']}").json() == {"message": "Data source deleted", "id": b["id"]}
    assert api.delete("/api/datasources/name/del-c").json() == {"message": "Data source deleted", "id": c["id"]}
    assert api.get("/api/datasources").json() == []
    expect(api.delete(f"/api/datasources/{a['id']}"), 404, "Data source not found")
    expect(api.delete(f"/api/datasources/uid/{b['uid']}"), 404, "Data source not found")
    expect(api.delete("/api/datasources/name/del-c"), 404, "Data source not found")


def test_delete_errors(api: httpx.Client) -> None:
    expect(api.delete("/api/datasources/abc"), 400, "id is invalid")
    expect(api.delete("/api/datasources/0"), 400, "Missing valid datasource id")
    expect(api.delete("/api/datasources/-3"), 400, "Missing valid datasource id")
    expect(api.delete("/api/datasources/uid/"), 400, "Missing datasource uid")
    expect(api.delete("/api/datasources/name/"), 400, "Missing valid datasource name")


# --- routing and service endpoints ----------------------------------------------------------------------------


def test_unknown_routes_and_methods_answer_json(api: httpx.Client) -> None:
    expect(api.get("/api/no/such/route"), 404, "Not found")
    expect(api.patch("/api/datasources"), 405, "Method Not Allowed")
    expect(api.post("/api/datasources/uid/x"), 405, "Method Not Allowed")


def test_health_frontend_settings_and_metrics(api: httpx.Client) -> None:
    health = api.get("/api/health")
    assert health.status_code == 200
    assert health.json()["database"] == "ok" and re.fullmatch(r"\d+\.\d+\.\d+", health.json()["version"])
    assert "commit" in health.json()
    dto = create(api, "visible", isDefault=True)
    settings = api.get("/api/frontend/settings").json()
    assert settings["buildInfo"]["version"] == health.json()["version"]
    assert settings["datasources"]["visible"]["uid"] == dto["uid"]
    assert settings["defaultDatasource"] == "visible"
    metrics = api.get("/metrics")
    assert metrics.headers["content-type"].startswith("text/plain")
    assert (
        'grafana_http_request_duration_seconds_count{handler="/api/datasources",method="POST",status_code="200"}'
        in (metrics.text)
    )
    assert re.search(r'grafana_stat_totals_datasource\{plugin_id="testdata"\} [1-9]', metrics.text)


_json_values = st.recursive(
    st.none() | st.booleans() | st.integers() | st.floats(allow_nan=False, allow_infinity=False) | st.text(max_size=30),
    lambda inner: st.lists(inner, max_size=3) | st.dictionaries(st.text(max_size=8), inner, max_size=3),
    max_leaves=8,
)
_keys = st.sampled_from(
    [
        "name",
        "type",
        "access",
        "url",
        "uid",
        "user",
        "database",
        "basicAuth",
        "basicAuthUser",
        "withCredentials",
        "isDefault",
        "jsonData",
        "secureJsonData",
        "version",
        "apiVersion",
        "readOnly",
        "orgId",
        "id",
    ]
)


@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(payload=st.dictionaries(_keys, _json_values, max_size=10))
def test_random_bodies_never_cause_a_server_error(api: httpx.Client, payload: dict[str, Any]) -> None:
    created = api.post("/api/datasources", json={**body("fuzz"), **payload})
    assert created.status_code in (200, 400, 409), created.text
    target = api.get("/api/datasources/name/fuzz")
    if target.status_code == 200:
        updated = api.put(f"/api/datasources/uid/{target.json()['uid']}", json=payload)
        assert updated.status_code in (200, 400, 409), updated.text
    for ds in api.get("/api/datasources").json():
        assert api.delete(f"/api/datasources/{ds['id']}").status_code == 200
