"""Each TLS option against a real HTTPS server with its own CA that requires a client certificate."""

from __future__ import annotations

from typing import Any

import httpx
import pytest

from grafana_plugin_sdk.httpclient import TLSConfigError, new_async_client, new_client
from grafana_plugin_sdk.testing import data_source_settings
from grafana_plugin_sdk.testing.upstream import CertPair, TestCA, Upstream

from .conftest import SERVER_NAME


def _settings(upstream: Upstream, json_data: dict[str, Any], secure: dict[str, str]) -> Any:
    return data_source_settings(url=upstream.url, json_data=json_data, secure_json_data=secure)


def _secure(ca: TestCA, client: CertPair) -> dict[str, str]:
    return {"tlsCACert": ca.cert, "tlsClientCert": client.cert, "tlsClientKey": client.key}


def test_ca_client_certificate_and_server_name(tls_upstream: Upstream, ca: TestCA, client_cert: CertPair) -> None:
    json_data = {"tlsAuth": True, "tlsAuthWithCACert": True, "serverName": SERVER_NAME}
    with new_client(_settings(tls_upstream, json_data, _secure(ca, client_cert))) as client:
        assert client.get("/ok").json() == {"ok": True}
    (seen,) = tls_upstream.requests
    assert seen.client_cert_subject == "commonName=plugin-client"


async def test_the_async_client_uses_the_same_tls(tls_upstream: Upstream, ca: TestCA, client_cert: CertPair) -> None:
    json_data = {"tlsAuth": True, "tlsAuthWithCACert": True, "serverName": SERVER_NAME}
    async with new_async_client(_settings(tls_upstream, json_data, _secure(ca, client_cert))) as client:
        assert (await client.get("/ok")).status_code == 200
    assert tls_upstream.requests[0].client_cert_subject == "commonName=plugin-client"


def test_without_server_name_the_certificate_does_not_match(
    tls_upstream: Upstream, ca: TestCA, client_cert: CertPair
) -> None:
    json_data = {"tlsAuth": True, "tlsAuthWithCACert": True}
    with (
        new_client(_settings(tls_upstream, json_data, _secure(ca, client_cert))) as client,
        pytest.raises(httpx.ConnectError, match=r"(?i)hostname|match"),
    ):
        client.get("/ok")
    assert tls_upstream.requests == []


def test_without_the_ca_the_server_is_not_trusted(tls_upstream: Upstream, client_cert: CertPair) -> None:
    secure = {"tlsClientCert": client_cert.cert, "tlsClientKey": client_cert.key}  # no tlsCACert: system CAs
    json_data = {"tlsAuth": True, "serverName": SERVER_NAME}
    with (
        new_client(_settings(tls_upstream, json_data, secure)) as client,
        pytest.raises(httpx.ConnectError, match=r"(?i)certificate verify failed"),
    ):
        client.get("/ok")
    assert tls_upstream.requests == []


def test_skip_verify_trusts_any_server(tls_upstream: Upstream, client_cert: CertPair) -> None:
    secure = {"tlsClientCert": client_cert.cert, "tlsClientKey": client_cert.key}
    with new_client(_settings(tls_upstream, {"tlsAuth": True, "tlsSkipVerify": True}, secure)) as client:
        assert client.get("/ok").status_code == 200
    assert tls_upstream.requests[0].client_cert_subject == "commonName=plugin-client"


def test_without_a_client_certificate_the_server_refuses(tls_upstream: Upstream, ca: TestCA) -> None:
    json_data = {"tlsAuthWithCACert": True, "serverName": SERVER_NAME}
    with (
        new_client(_settings(tls_upstream, json_data, {"tlsCACert": ca.cert})) as client,
        pytest.raises(httpx.TransportError),
    ):
        client.get("/ok")
    assert tls_upstream.requests == []


def test_a_certificate_from_another_ca_is_refused(tls_upstream: Upstream, ca: TestCA) -> None:
    stranger = TestCA("another CA").issue("intruder")
    secure = {"tlsCACert": ca.cert, "tlsClientCert": stranger.cert, "tlsClientKey": stranger.key}
    json_data = {"tlsAuth": True, "tlsAuthWithCACert": True, "serverName": SERVER_NAME}
    with new_client(_settings(tls_upstream, json_data, secure)) as client, pytest.raises(httpx.TransportError):
        client.get("/ok")
    assert tls_upstream.requests == []


def test_bad_pem_is_a_clear_error(client_cert: CertPair) -> None:
    with pytest.raises(TLSConfigError, match="CA PEM"):
        new_client(data_source_settings(json_data={"tlsAuthWithCACert": True}, secure_json_data={"tlsCACert": "x"}))
    other_key = TestCA().issue("other").key
    secure = {"tlsClientCert": client_cert.cert, "tlsClientKey": other_key}
    with pytest.raises(TLSConfigError, match="client certificate"):
        new_client(data_source_settings(json_data={"tlsAuth": True}, secure_json_data=secure))
