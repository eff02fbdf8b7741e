"""The HTTP API example at both depths against a JSON service the test starts: HTTPS with its own CA and a
client-certificate requirement, a secret token, forwarded OAuth identity, downstream errors, golden frames."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from pathlib import Path
from urllib.parse import parse_qs, urlsplit

import pytest
from python_httpapi_datasource import PLUGIN_ID
from python_httpapi_datasource import datasource as httpapi_ds

from grafana_plugin_sdk.backend import DataSourceInstanceSettings, ErrorSource, HealthStatus
from grafana_plugin_sdk.testing import PluginTestClient, assert_golden, data_source_settings, in_process, start_plugin
from grafana_plugin_sdk.testing.upstream import RecordedRequest, Reply, TestCA, Upstream

FOLDER = Path(__file__).resolve().parents[2] / "example_plugins" / "httpapi"
TOKEN = "api-token-0123456789"
SERVER_NAME = "api.test"
START = datetime(2024, 1, 1, tzinfo=UTC)


def series(request: RecordedRequest) -> Reply:
    """``maxDataPoints`` evenly spaced points over the range; some metrics fail on purpose."""
    if request.headers.get("x-api-token") != TOKEN:
        return Reply.json({"message": "bad token"}, 401)
    query = {k: v[0] for k, v in parse_qs(urlsplit(request.path).query).items()}
    metric = query["metric"]
    if metric == "broken":
        return Reply.json({"message": "backend overloaded"}, 503)
    if metric == "garbage":
        return Reply(200, b"<html>not json</html>", {"Content-Type": "text/html"})
    start, end, count = int(query["from"]), int(query["to"]), int(query["maxDataPoints"])
    step = (end - start) // count
    points = [[start + i * step, None if i == 2 else round(i * 1.5, 1)] for i in range(count)]
    return Reply.json({"metric": metric, "labels": {"host": "web-1"}, "points": points})


def metrics(request: RecordedRequest) -> Reply:
    if request.headers.get("x-api-token") != TOKEN:
        return Reply.json({"message": "bad token"}, 401)
    return Reply.json({"metrics": ["cpu", "mem"]})


@pytest.fixture(scope="module")
def ca() -> TestCA:
    return TestCA()


@pytest.fixture
def api(ca: TestCA) -> Iterator[Upstream]:
    """The JSON service: HTTPS for ``api.test`` only, client certificate required."""
    routes = {"/series": series, "/metrics": metrics}
    with Upstream(routes, tls=ca.issue(SERVER_NAME, dns=(SERVER_NAME,)), client_ca=ca.cert) as server:
        yield server


def settings_for(api: Upstream, ca: TestCA, token: str = TOKEN) -> DataSourceInstanceSettings:
    client = ca.issue("httpapi-plugin")
    return data_source_settings(
        uid="httpapi",
        type=PLUGIN_ID,
        url=api.url,
        json_data={"tlsAuth": True, "tlsAuthWithCACert": True, "serverName": SERVER_NAME, "oauthPassThru": True},
        secure_json_data={
            "apiToken": token,
            "tlsCACert": ca.cert,
            "tlsClientCert": client.cert,
            "tlsClientKey": client.key,
        },
    )


@pytest.fixture(params=["in-process", "subprocess"])
def plugin(request: pytest.FixtureRequest, api: Upstream, ca: TestCA) -> Iterator[PluginTestClient]:
    settings = settings_for(api, ca)
    if request.param == "in-process":
        client = in_process(factory=httpapi_ds.HttpApiDataSource, plugin_id=PLUGIN_ID, settings=settings)
    else:
        client = start_plugin(FOLDER, settings=settings)
    with client:
        yield client


def test_series_golden_with_token_client_certificate_and_forwarded_identity(
    plugin: PluginTestClient, api: Upstream
) -> None:
    headers = {"Authorization": "Bearer user-oauth-token", "X-Id-Token": "user-id-token"}
    resp = plugin.query(
        {"metric": "cpu", "maxDataPoints": 5}, time_range=(START, START + timedelta(minutes=5)), headers=headers
    )
    assert_golden(resp["A"], "httpapi_cpu")
    (seen,) = api.requests
    assert seen.headers["x-api-token"] == TOKEN and seen.client_cert_subject == "commonName=httpapi-plugin"
    assert seen.headers["authorization"] == "Bearer user-oauth-token"
    assert seen.headers["x-id-token"] == "user-id-token"
    assert seen.headers["user-agent"].endswith(f" {PLUGIN_ID}/")  # the harness sends no plugin version


def test_each_failure_answers_its_own_refid(plugin: PluginTestClient) -> None:
    resp = plugin.query({"metric": "broken"}, {"metric": "garbage"}, {}, {"metric": "mem"})
    assert (resp["A"].status, resp["A"].error_source) == (503, ErrorSource.DOWNSTREAM)
    assert "503 Service Unavailable" in (resp["A"].error or "")
    assert (resp["B"].status, resp["B"].error_source) == (502, ErrorSource.DOWNSTREAM)
    assert (resp["C"].status, resp["C"].error, resp["C"].error_source) == (
        400,
        "the query needs a metric",
        ErrorSource.PLUGIN,
    )
    assert resp["D"].error is None and resp["D"].frames[0].name == "mem"


def test_health_and_metric_names(plugin: PluginTestClient) -> None:
    health = plugin.check_health()
    assert health.status is HealthStatus.OK and health.message == "2 metrics available"
    assert plugin.get_resource("metrics") == ["cpu", "mem"]


def test_a_wrong_token_or_an_unreachable_api(api: Upstream, ca: TestCA) -> None:
    with in_process(factory=httpapi_ds.HttpApiDataSource, settings=settings_for(api, ca, "wrong")) as plugin:
        health = plugin.check_health()
        assert health.status is HealthStatus.ERROR and "401 Unauthorized" in health.message
        failed = plugin.query({"metric": "cpu"})["A"]
        assert (failed.status, failed.error_source) == (401, ErrorSource.DOWNSTREAM)
    unreachable = data_source_settings(url="https://127.0.0.1:9", json_data={"tlsSkipVerify": True})
    with in_process(factory=httpapi_ds.HttpApiDataSource, settings=unreachable) as plugin:
        failed = plugin.query({"metric": "cpu"})["A"]
        assert (failed.status, failed.error_source) == (502, ErrorSource.DOWNSTREAM)
        assert plugin.check_health().status is HealthStatus.ERROR
