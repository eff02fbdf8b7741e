"""``manage_app``'s instance management: one instance per org, rebuilt when the org's app settings change."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest

from grafana_plugin_sdk.app import app_instance_manager
from grafana_plugin_sdk.backend import AppInstanceSettings, CheckHealthRequest, CheckHealthResult, PluginContext
from grafana_plugin_sdk.datasource import ManagedHandler

T0, T1 = datetime(2024, 1, 1, tzinfo=UTC), datetime(2024, 1, 2, tzinfo=UTC)


class Site:
    built: list[str] = []

    def __init__(self, settings: AppInstanceSettings) -> None:
        self.site = str(settings.json_data["site"])
        self.secret = settings.decrypted_secure_json_data.get("apiKey", "")
        Site.built.append(self.site)

    def check_health(self, request: CheckHealthRequest) -> CheckHealthResult:
        return CheckHealthResult.ok(self.site, {"org": request.plugin_context.org_id, "secret": bool(self.secret)})


def call(org: int, site: str, updated: datetime) -> CheckHealthRequest:
    settings = AppInstanceSettings(
        json_data_raw=f'{{"site": "{site}"}}'.encode(), decrypted_secure_json_data={"apiKey": "k"}, updated=updated
    )
    return CheckHealthRequest(PluginContext(org_id=org, plugin_id="app", app_instance_settings=settings))


async def test_one_instance_per_org_rebuilt_on_new_settings() -> None:
    Site.built = []
    handler = ManagedHandler(app_instance_manager(Site, dispose_delay=0))
    assert (await handler.check_health(call(1, "a", T0))).message == "a"
    assert (await handler.check_health(call(1, "ignored", T0))).message == "a"  # same update time: same instance
    assert (await handler.check_health(call(2, "b", T0))).details == {"org": 2, "secret": True}
    assert (await handler.check_health(call(1, "c", T1))).message == "c"
    assert Site.built == ["a", "b", "c"]


async def test_a_call_without_app_settings_is_an_error() -> None:
    handler = ManagedHandler(app_instance_manager(Site))
    result = await handler.check_health(CheckHealthRequest(PluginContext(org_id=1, plugin_id="app")))
    assert result.message == "the request carries no app settings"


@pytest.mark.parametrize("org", [1, 7])
async def test_settings_are_read_from_the_context(org: int) -> None:
    handler = ManagedHandler(app_instance_manager(Site))
    assert (await handler.check_health(call(org, "x", T0))).details == {"org": org, "secret": True}
