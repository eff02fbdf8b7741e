"""Property tests over every route of the host: any path parameters, any JSON body, any method it accepts.

Whatever arrives, the answer is below 500, carries no stored secret and no stack trace. The routes come from
the host's own route table, so a route added later is covered without editing this file.
"""

from __future__ import annotations

import json
import re
from collections.abc import Iterator
from typing import Any
from urllib.parse import quote

import httpx
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from starlette.routing import Route

from grafana_plugin_host.api import routes
from tests.hostile.conftest import ADMIN, VIEWER, Env, assert_clean, start_env

_PARAM = re.compile(r"\{(\w+)(?::\w+)?\}")
#: Every (method, path template) the host serves.
ENDPOINTS = sorted(
    (method, route.path)
    for route in routes
    if isinstance(route, Route)
    for method in sorted(route.methods or ())
    if method != "HEAD"
)
#: Field names the routes read, so generated bodies reach past the first type check.
KEYS = [
    "name", "type", "access", "url", "uid", "version", "jsonData", "secureJsonData", "basicAuth", "isDefault",
    "queries", "from", "to", "refId", "datasource", "datasourceId", "maxDataPoints", "intervalMs", "login",
    "email", "password", "role", "OrgId", "loginOrEmail", "secondsToLive", "isDisabled", "query",
]  # fmt: skip

JSON = st.recursive(
    st.none()
    | st.booleans()
    | st.integers(min_value=-(1 << 80), max_value=1 << 80)
    | st.floats(allow_nan=False, allow_infinity=False)
    | st.text(max_size=20),
    lambda children: st.lists(children, max_size=4) | st.dictionaries(st.text(max_size=8), children, max_size=4),
    max_leaves=12,
)
BODIES = st.one_of(
    st.dictionaries(st.sampled_from(KEYS), JSON, max_size=6),
    JSON,
    st.binary(max_size=64),
)
SEGMENTS = st.one_of(
    st.text(max_size=30),
    st.integers(min_value=-(1 << 70), max_value=1 << 70).map(str),
    st.sampled_from(["..", ".", "%2e%2e", "1", "0", "-1", "9" * 400, "a/b", "uid", "\\", "\u2028", "%00"]),
)


@pytest.fixture(scope="module")
def prop_env(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Env]:
    """A host of its own: generated requests may delete or rename anything on it."""
    yield from start_env(tmp_path_factory.mktemp("properties"))


def _path(template: str, values: list[str]) -> str:
    parts = iter(values)
    return _PARAM.sub(lambda m: quote(next(parts, "x"), safe="") or "x", template)


def _content(body: Any) -> bytes:
    return body if isinstance(body, bytes) else json.dumps(body).encode()  # json: integers past 64 bits too


@settings(max_examples=100, deadline=None, suppress_health_check=list(HealthCheck))
@given(endpoint=st.sampled_from(ENDPOINTS), segments=st.lists(SEGMENTS, min_size=3, max_size=3), body=BODIES)
def test_any_body_and_path_on_any_route(
    prop_env: Env, endpoint: tuple[str, str], segments: list[str], body: Any
) -> None:
    method, template = endpoint
    url = _path(template, segments)
    for auth in (ADMIN, VIEWER):
        with httpx.Client(base_url=prop_env.host.url, auth=auth, timeout=30) as client:
            response = client.request(method, url, content=_content(body), headers={"content-type": "application/json"})
        assert_clean(response)


@settings(max_examples=60, deadline=None, suppress_health_check=list(HealthCheck))
@given(
    endpoint=st.sampled_from(ENDPOINTS),
    org=st.one_of(st.text(max_size=12), st.integers(min_value=-(1 << 70), max_value=1 << 70).map(str)),
    auth=st.one_of(st.text(max_size=20), st.binary(max_size=20).map(lambda b: b.hex())),
)
def test_any_org_header_and_authorization_on_any_route(
    prop_env: Env, endpoint: tuple[str, str], org: str, auth: str
) -> None:
    method, template = endpoint
    raw = {b"X-Grafana-Org-Id": org.encode("utf-8", "replace"), b"Authorization": ("Basic " + auth).encode()}
    headers = {k: v for k, v in raw.items() if not any(c in v for c in b"\r\n\x00")}
    with httpx.Client(base_url=prop_env.host.url, timeout=30) as client:
        try:
            response = client.request(method, _path(template, ["1", "1", "1"]), headers=headers)
        except httpx.LocalProtocolError:
            return  # a header httpx itself refuses to send
    assert_clean(response)
