"""What the upstream sees: custom headers, basic auth, user agent, forwarded identity; metrics and the size limit."""

from __future__ import annotations

import time
from collections.abc import Iterator
from typing import Any

import httpx
import pytest
from prometheus_client import REGISTRY

from grafana_plugin_sdk.backend.call import Call, serving
from grafana_plugin_sdk.httpclient import ResponseTooLargeError, new_async_client, new_client
from grafana_plugin_sdk.testing import data_source_settings, make_plugin_context
from grafana_plugin_sdk.testing.upstream import RecordedRequest, Reply, Upstream


@pytest.fixture
def upstream() -> Iterator[Upstream]:
    routes = {
        "/echo": lambda r: Reply.json({"path": r.path}),
        "/big": lambda _: Reply(200, b"x" * 5000),
    }
    with Upstream(routes) as server:
        yield server


def _settings(upstream: Upstream, json_data: dict[str, Any] | None = None, **kw: Any) -> Any:
    return data_source_settings(url=upstream.url, type="my-api", json_data=json_data, **kw)


def _call(settings: Any, headers: dict[str, str]) -> Call:
    ctx = make_plugin_context("my-api-datasource", settings)
    ctx = type(ctx)(**{**ctx.__dict__, "plugin_version": "1.2.3"})
    return Call("queryData", ctx, headers)


def _only(upstream: Upstream) -> RecordedRequest:
    (request,) = upstream.requests
    return request


def test_custom_headers_replace_and_basic_auth_is_sent(upstream: Upstream) -> None:
    json_data = {"httpHeaderName1": "X-Api-Key", "httpHeaderName2": "Accept"}
    secure = {"httpHeaderValue1": "k-123", "httpHeaderValue2": "text/csv", "basicAuthPassword": "s3cret"}
    settings = _settings(upstream, json_data, secure_json_data=secure, basic_auth_user="bob")
    with new_client(settings) as client:
        client.get("/echo", headers={"Accept": "application/json"})
    seen = _only(upstream).headers
    assert seen["x-api-key"] == "k-123" and seen["accept"] == "text/csv"
    assert seen["authorization"] == "Basic Ym9iOnMzY3JldA=="  # bob:s3cret
    assert seen["user-agent"] == "Grafana"


def test_a_request_authorization_wins_over_basic_auth(upstream: Upstream) -> None:
    settings = _settings(upstream, secure_json_data={"basicAuthPassword": "pw"}, basic_auth_user="bob")
    with new_client(settings) as client:
        client.get("/echo", headers={"Authorization": "Bearer mine"})
    assert _only(upstream).headers["authorization"] == "Bearer mine"


def test_user_agent_names_grafana_and_the_plugin_during_a_call(upstream: Upstream) -> None:
    settings = _settings(upstream)
    with new_client(settings) as client, serving(_call(settings, {})):
        client.get("/echo")
    agent = _only(upstream).headers["user-agent"]
    assert agent.startswith("Grafana/") and agent.endswith(" my-api-datasource/1.2.3")


async def test_forwarded_identity_only_when_the_data_source_forwards(upstream: Upstream) -> None:
    forwarded = {"Authorization": "Bearer user-token", "X-Id-Token": "id-tok", "http_X-Dashboard-Uid": "dash"}
    plain = _settings(upstream)
    with new_client(plain) as client, serving(_call(plain, forwarded)):
        client.get("/echo")
    assert "authorization" not in upstream.requests[0].headers
    passing = _settings(upstream, {"oauthPassThru": True})
    async with new_async_client(passing) as client:
        with serving(_call(passing, forwarded)):
            await client.get("/echo")
            await client.get("/echo", headers={"X-Id-Token": "explicit"})
        await client.get("/echo")  # outside a call nothing is forwarded
    inside, explicit, outside = upstream.requests[1:]
    assert inside.headers["authorization"] == "Bearer user-token" and inside.headers["x-id-token"] == "id-tok"
    assert inside.headers["x-dashboard-uid"] == "dash"
    assert explicit.headers["x-id-token"] == "explicit"
    assert "authorization" not in outside.headers


def test_metrics_count_requests_and_sizes_per_data_source_type(upstream: Upstream) -> None:
    labels = {"datasource_type": "my_api", "code": "200", "method": "get"}
    labels |= {"secure_socks_ds_proxy_enabled": "false", "endpoint": "queryData"}
    before = REGISTRY.get_sample_value("plugins_datasource_request_total", labels) or 0
    settings = _settings(upstream)
    settings = type(settings)(**{**settings.__dict__, "type": "my api"})
    with new_client(settings) as client, serving(_call(settings, {})):
        assert len(client.get("/big").content) == 5000
    assert REGISTRY.get_sample_value("plugins_datasource_request_total", labels) == before + 1
    size = {"datasource_type": "my_api", "secure_socks_ds_proxy_enabled": "false", "endpoint": "queryData"}
    assert REGISTRY.get_sample_value("plugins_datasource_response_size", size) == 5000
    assert REGISTRY.get_sample_value("plugins_datasource_request_in_flight", size) == 0


def test_response_limit_from_grafana_config_and_environment(
    upstream: Upstream, monkeypatch: pytest.MonkeyPatch
) -> None:
    settings = _settings(upstream)
    call = _call(settings, {})
    ctx = type(call.plugin_context)(**{**call.plugin_context.__dict__, "grafana_config": {"GF_RESPONSE_LIMIT": "4096"}})
    with new_client(settings) as client:
        assert len(client.get("/big").content) == 5000
        with serving(Call("queryData", ctx)), pytest.raises(ResponseTooLargeError, match="4096"):
            client.get("/big")
    monkeypatch.setenv("GF_DATAPROXY_RESPONSE_LIMIT", "100")
    with new_client(settings) as client, pytest.raises(ResponseTooLargeError, match="100"):
        client.get("/big")


def test_env_proxy_is_used_and_no_proxy_skips_it(upstream: Upstream, monkeypatch: pytest.MonkeyPatch) -> None:
    with Upstream({}) as proxy:
        monkeypatch.setenv("HTTP_PROXY", proxy.url)
        monkeypatch.setenv("NO_PROXY", "127.0.0.1")
        with new_client(_settings(upstream)) as client:
            client.get("http://api.example.invalid/v1/items")
            client.get("/echo")
        (proxied,) = proxy.requests
    assert proxied.path == "http://api.example.invalid/v1/items"
    assert _only(upstream).path == "/echo"


def test_timeouts_come_from_the_settings() -> None:
    def slow(_: RecordedRequest) -> Reply:
        time.sleep(1.5)
        return Reply()

    with Upstream({"/slow": slow}) as server:
        client = new_client(_settings(server, {"timeout": 1}))
        with client, pytest.raises(httpx.ReadTimeout):
            client.get("/slow")


def test_duplicate_middleware_names_are_refused() -> None:
    from grafana_plugin_sdk.httpclient import BasicAuth

    with pytest.raises(ValueError, match="BasicAuth"):
        new_client(data_source_settings(), middlewares=[BasicAuth(), BasicAuth()])
