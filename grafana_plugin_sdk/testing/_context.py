"""What a host sends with every call, built for tests: data source settings, plugin context and queries."""

from __future__ import annotations

from collections.abc import Mapping
from datetime import UTC, datetime, timedelta
from typing import Any

import orjson

from grafana_plugin_sdk.backend import (
    DataQuery,
    DataSourceInstanceSettings,
    GrafanaConfig,
    PluginContext,
    TimeRange,
    User,
)
from grafana_plugin_sdk.wire.platform import user_agent

#: The user every harness call is made for unless a test says otherwise.
TEST_USER = User(login="admin", name="Admin", email="admin@localhost", role="Admin")
#: The Grafana version the harness claims in its user agent.

TimeRangeLike = TimeRange | tuple[datetime, datetime]


def data_source_settings(
    *,
    json_data: Mapping[str, Any] | None = None,
    secure_json_data: Mapping[str, str] | None = None,
    uid: str = "test-datasource",
    name: str = "Test data source",
    id: int = 1,
    type: str = "",
    url: str = "",
    user: str = "",
    database: str = "",
    basic_auth_user: str = "",
    updated: datetime | None = None,
) -> DataSourceInstanceSettings:
    """The settings of one configured data source (``secure_json_data`` as the plugin sees it: decrypted)."""
    return DataSourceInstanceSettings(
        id=id,
        uid=uid,
        type=type,
        name=name,
        url=url,
        user=user,
        database=database,
        basic_auth_enabled=bool(basic_auth_user),
        basic_auth_user=basic_auth_user,
        json_data_raw=orjson.dumps(dict(json_data or {})),
        decrypted_secure_json_data=dict(secure_json_data or {}),
        updated=updated or datetime(2024, 1, 1, tzinfo=UTC),
    )


def make_plugin_context(
    plugin_id: str = "",
    settings: DataSourceInstanceSettings | None = None,
    *,
    user: User | None = TEST_USER,
    org_id: int = 1,
    grafana_config: Mapping[str, str] | None = None,
) -> PluginContext:
    """The PluginContext of a call on ``settings``' data source by ``user``, as a host builds it."""
    config = {"GF_APP_URL": "http://localhost:3000/", "GF_CONCURRENT_QUERY_COUNT": "10", **(grafana_config or {})}
    return PluginContext(
        org_id=org_id,
        plugin_id=plugin_id,
        plugin_version="",
        user=user,
        data_source_instance_settings=settings,
        grafana_config=GrafanaConfig(config),
        user_agent=user_agent(),
    )


def last_hour() -> TimeRange:
    """The hour up to now (the default time range of harness queries), whole milliseconds."""
    now = datetime.now(UTC)
    now = now.replace(microsecond=now.microsecond // 1000 * 1000)
    return TimeRange(now - timedelta(hours=1), now)


def as_time_range(value: TimeRangeLike | None) -> TimeRange:
    """A TimeRange from a TimeRange, a ``(from, to)`` pair or None (the last hour)."""
    if value is None:
        return last_hour()
    if isinstance(value, TimeRange):
        return value
    start, end = value
    return TimeRange(start, end)


def data_query(
    model: Mapping[str, Any] | DataQuery,
    *,
    ref_id: str = "A",
    time_range: TimeRangeLike | None = None,
) -> DataQuery:
    """A DataQuery from a query model as a panel sends it (``refId``, ``queryType``, ``maxDataPoints``,
    ``intervalMs`` are read from the model; the whole model is the query's JSON). DataQuery passes through."""
    if isinstance(model, DataQuery):
        return model
    ref = str(model.get("refId") or ref_id)
    return DataQuery(
        ref_id=ref,
        time_range=as_time_range(time_range),
        query_type=str(model.get("queryType") or ""),
        max_data_points=int(model.get("maxDataPoints") or 100),
        interval=timedelta(milliseconds=int(model.get("intervalMs") or 1000)),
        json=orjson.dumps({**model, "refId": ref}),
    )


def ref_ids(count: int) -> list[str]:
    """Grafana's default refIds for ``count`` queries: A, B, ..., Z, AA, AB..."""
    names = []
    for i in range(count):
        name, n = "", i
        while True:
            name = chr(ord("A") + n % 26) + name
            n = n // 26 - 1
            if n < 0:
                break
        names.append(name)
    return names
