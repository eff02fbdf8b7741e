"""A certificate authority, a client certificate and an HTTPS upstream that requires one, made per module."""

from __future__ import annotations

from collections.abc import Iterator

import pytest

from grafana_plugin_sdk.testing.upstream import CertPair, Reply, TestCA, Upstream

#: The only name the upstream's certificate carries (no IP address): reaching 127.0.0.1 needs ``serverName``.
SERVER_NAME = "upstream.test"


@pytest.fixture(scope="module")
def ca() -> TestCA:
    """The CA that signed the upstream's and the client's certificates."""
    return TestCA()


@pytest.fixture(scope="module")
def client_cert(ca: TestCA) -> CertPair:
    """The plugin's client certificate."""
    return ca.issue("plugin-client")


@pytest.fixture
def tls_upstream(ca: TestCA) -> Iterator[Upstream]:
    """HTTPS on 127.0.0.1 with a certificate for ``upstream.test`` only, requiring a client certificate."""
    routes = {"/ok": lambda _: Reply.json({"ok": True})}
    with Upstream(routes, tls=ca.issue(SERVER_NAME, dns=(SERVER_NAME,)), client_ca=ca.cert) as upstream:
        yield upstream
