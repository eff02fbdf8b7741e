"""The PluginContext the host sends with every call, built as Grafana builds it."""

from __future__ import annotations

from collections.abc import Mapping
from datetime import UTC, datetime

import orjson

from grafana_plugin_host.config import Settings
from grafana_plugin_host.models import DataSource, Identity
from grafana_plugin_sdk.backend import DataSourceInstanceSettings, GrafanaConfig, PluginContext, User
from grafana_plugin_sdk.plugin_json import PluginMeta
from grafana_plugin_sdk.wire.platform import user_agent

_EPOCH = datetime(1970, 1, 1, tzinfo=UTC)
# Grafana's defaults for settings this host does not make configurable.
_FIXED_CONFIG = {
    "GF_USER_FACING_DEFAULT_ERROR": "Please inspect the Grafana server log for details",
    "GF_SQL_ROW_LIMIT": "1000000",
    "GF_SQL_MAX_OPEN_CONNS_DEFAULT": "100",
    "GF_SQL_MAX_IDLE_CONNS_DEFAULT": "100",
    "GF_SQL_MAX_CONN_LIFETIME_SECONDS_DEFAULT": "14400",
}


def grafana_config(settings: Settings) -> GrafanaConfig:
    """The ``grafanaConfig`` map: app URL, concurrent query count, sorted feature toggles and Grafana defaults."""
    config = GrafanaConfig(
        GF_APP_URL=settings.app_url,
        GF_CONCURRENT_QUERY_COUNT=str(settings.concurrent_query_count),
        **_FIXED_CONFIG,
    )
    if settings.feature_toggles:
        config["GF_INSTANCE_FEATURE_TOGGLES_ENABLE"] = ",".join(sorted(settings.feature_toggles))
    return config


def _instance_settings(ds: DataSource, secrets: Mapping[str, str]) -> DataSourceInstanceSettings:
    updated = ds.updated or _EPOCH
    return DataSourceInstanceSettings(
        id=ds.id,
        uid=ds.uid,
        type=ds.type,
        name=ds.name,
        url=ds.url,
        user=ds.user,
        database=ds.database,
        basic_auth_enabled=ds.basic_auth,
        basic_auth_user=ds.basic_auth_user,
        json_data_raw=orjson.dumps(ds.json_data),
        decrypted_secure_json_data=dict(secrets),
        updated=updated if updated.tzinfo else updated.replace(tzinfo=UTC),
        api_version=ds.api_version,
    )


def build_plugin_context(
    meta: PluginMeta,
    settings: Settings,
    *,
    identity: Identity | None,
    datasource: DataSource | None = None,
    secrets: Mapping[str, str] | None = None,
) -> PluginContext:
    """The PluginContext for a call by ``identity`` (None: a host-initiated call, no user) on ``datasource``."""
    user = None
    if identity is not None:
        user = User(login=identity.login, name=identity.name, email=identity.email, role=str(identity.org_role))
    org_id = identity.org_id if identity is not None else datasource.org_id if datasource is not None else 0
    return PluginContext(
        org_id=org_id,
        plugin_id=meta.id,
        plugin_version=meta.version,
        user=user,
        data_source_instance_settings=_instance_settings(datasource, secrets or {}) if datasource else None,
        grafana_config=grafana_config(settings),
        user_agent=user_agent(),
    )
