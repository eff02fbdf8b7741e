# grafana-client ships py.typed but leaves its methods unannotated.
# mypy: disable-error-code="no-untyped-call"
"""The ``grafana-client`` package from PyPI against the running host: every data source call it has."""

from __future__ import annotations

from collections.abc import Iterator
from urllib.parse import urlsplit

import pytest
from grafana_client.api import AsyncGrafanaApi, GrafanaApi
from grafana_client.client import GrafanaBadInputError, GrafanaClientError
from grafana_client.model import DatasourceIdentifier

from tests.host.api.conftest import HostProcess


def _address(host: HostProcess) -> tuple[str, int]:
    parts = urlsplit(host.url)
    assert parts.hostname is not None and parts.port is not None
    return parts.hostname, parts.port


@pytest.fixture
def grafana(shared_host: HostProcess, org: int) -> Iterator[GrafanaApi]:
    """A grafana-client API object for the host, acting in a fresh org."""
    address, port = _address(shared_host)
    yield GrafanaApi(auth=("admin", "admin"), host=address, port=port, organization_id=org, timeout=30)


def test_datasource_calls(grafana: GrafanaApi, org: int) -> None:
    assert grafana.version.count(".") == 2
    assert grafana.health.check()["version"] == grafana.version
    created = grafana.datasource.create_datasource(
        {
            "name": "client-ds",
            "type": "testdata",
            "access": "proxy",
            "url": "http://example.invalid",
            "jsonData": {"a": 1},
            "secureJsonData": {"password": "client-secret"},
        }
    )
    assert created["message"] == "Datasource added"
    ds = created["datasource"]
    assert ds["orgId"] == org and ds["secureJsonFields"] == {"password": True}
    ds_id, uid = ds["id"], ds["uid"]

    assert grafana.datasource.get_datasource_by_id(ds_id) == ds
    assert grafana.datasource.get_datasource_by_uid(uid) == ds
    assert grafana.datasource.get_datasource_by_name("client-ds") == ds
    assert grafana.datasource.find_datasource("client-ds") == ds
    assert grafana.datasource.get_datasource_id_by_name("client-ds") == {"id": ds_id}
    for ident in (
        DatasourceIdentifier(id=str(ds_id)),
        DatasourceIdentifier(uid=uid),
        DatasourceIdentifier(name="client-ds"),
    ):
        assert grafana.datasource.get(ident) == ds
    assert [item["uid"] for item in grafana.datasource.list_datasources()] == [uid]

    update = {"name": "client-ds", "type": "testdata", "access": "proxy", "url": "http://other.invalid"}
    updated = grafana.datasource.update_datasource(ds_id, {**update, "version": 1})
    assert updated["message"] == "Datasource updated" and updated["datasource"]["version"] == 2
    assert updated["datasource"]["secureJsonFields"] == {"password": True}
    by_uid = grafana.datasource.update_datasource_by_uid(uid, {**update, "name": "renamed", "version": 2})
    assert by_uid["datasource"]["name"] == "renamed"
    with pytest.raises(GrafanaClientError) as conflict:
        grafana.datasource.update_datasource_by_uid(uid, {**update, "version": 1})
    assert conflict.value.status_code == 409
    with pytest.raises(GrafanaBadInputError):
        grafana.datasource.create_datasource({"name": "no type"})
    with pytest.raises(GrafanaClientError) as missing:
        grafana.datasource.get_datasource_by_uid("no-such-uid")
    assert missing.value.status_code == 404

    assert grafana.datasource.delete_datasource_by_uid(uid) == {"message": "Data source deleted", "id": ds_id}
    second = grafana.datasource.create_datasource({"name": "two", "type": "testdata", "access": "proxy"})
    assert grafana.datasource.delete_datasource_by_name("two")["id"] == second["id"]
    third = grafana.datasource.create_datasource({"name": "three", "type": "testdata", "access": "proxy"})
    assert grafana.datasource.delete_datasource_by_id(third["id"]) == {"message": "Data source deleted"}
    assert grafana.datasource.list_datasources() == []


async def test_async_client(shared_host: HostProcess, org: int) -> None:
    address, port = _address(shared_host)
    grafana = AsyncGrafanaApi(auth=("admin", "admin"), host=address, port=port, organization_id=org, timeout=30)
    created = await grafana.datasource.create_datasource({"name": "async-ds", "type": "testdata", "access": "proxy"})
    uid = created["datasource"]["uid"]
    assert (await grafana.datasource.get_datasource_by_uid(uid))["name"] == "async-ds"
    assert [item["name"] for item in await grafana.datasource.list_datasources()] == ["async-ds"]
    assert (await grafana.datasource.delete_datasource_by_uid(uid))["id"] == created["id"]
