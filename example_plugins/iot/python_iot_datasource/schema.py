"""The IoT data source's editors: the API key as a secret, and a device picked from the ``devices`` resource."""

from __future__ import annotations

from dataclasses import dataclass

from grafana_plugin_sdk import editors


@dataclass(frozen=True)
class IoTSettings:
    """Settings of an IoT data source (the health check explains a missing key, so it is not required here)."""

    api_key: str = editors.secret("API key", key="apiKey", description="At least 16 characters")
    store_path: str = editors.text(
        "Store file", key="storePath", description="SQLite file holding device states (a temp file when empty)"
    )


@dataclass(frozen=True)
class IoTQuery:
    """A device's state history (every device's when none is picked)."""

    device: str = editors.select(
        "Device", options_resource=editors.ResourceOptions("devices", value_key="id"), description="Empty: all devices"
    )


SETTINGS = editors.SettingsSchema(IoTSettings)
QUERY = editors.QuerySchema(IoTQuery)
