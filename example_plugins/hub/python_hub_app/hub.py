"""The hub: the org's app settings (``jsonData.site``, ``secureJsonData.apiKey``) and a device registry."""

from __future__ import annotations

import re
import threading
from typing import Any

import orjson

from grafana_plugin_sdk.backend import (
    AppInstanceSettings,
    CallResourceRequest,
    CallResourceResponse,
    CallResourceResponseSender,
    CheckHealthRequest,
    CheckHealthResult,
)

_DEVICE_ID = re.compile(r"^[a-z0-9][a-z0-9_-]{0,62}$")
MAX_DEVICES = 1000


class Hub:
    """One instance per org; rebuilt (devices forgotten) when the org's app settings change."""

    def __init__(self, settings: AppInstanceSettings) -> None:
        self.site = str(settings.json_data.get("site") or "unnamed site")
        self.api_key_set = bool(settings.decrypted_secure_json_data.get("apiKey"))
        self.devices: dict[str, str] = {}
        self._lock = threading.Lock()

    def check_health(self, request: CheckHealthRequest) -> CheckHealthResult:
        """OK once an API key is configured; details name the site."""
        if not self.api_key_set:
            return CheckHealthResult.error("Set secureJsonData.apiKey in the app's settings")
        return CheckHealthResult.ok(f"Hub for {self.site} is configured", {"site": self.site})

    def call_resource(self, request: CallResourceRequest, sender: CallResourceResponseSender) -> None:
        """``GET settings``, ``GET devices``, ``POST devices`` (``{"id": "heater-1", "name": "Heater"}``)."""
        sender.send(self._answer(request.path.strip("/"), request.method.upper(), request.body))

    def _answer(self, path: str, method: str, body: bytes) -> CallResourceResponse:
        routes = {"settings": ("GET",), "devices": ("GET", "POST")}
        if path not in routes:
            return CallResourceResponse.json({"message": f"no resource {path!r}: try settings or devices"}, 404)
        if method not in routes[path]:
            allowed = ", ".join(routes[path])
            return CallResourceResponse.json({"message": f"{path} answers {allowed}"}, 405, {"allow": [allowed]})
        if path == "settings":
            return CallResourceResponse.json({"site": self.site, "apiKeySet": self.api_key_set})
        if method == "GET":
            with self._lock:
                return CallResourceResponse.json([{"id": k, "name": v} for k, v in sorted(self.devices.items())])
        return self._register(body)

    def _register(self, body: bytes) -> CallResourceResponse:
        try:
            device: Any = orjson.loads(body)
        except orjson.JSONDecodeError:
            return CallResourceResponse.json({"message": "the body must be JSON"}, 400)
        if not isinstance(device, dict) or not isinstance(device.get("id"), str) or not _DEVICE_ID.match(device["id"]):
            return CallResourceResponse.json({"message": "id must be 1-63 of a-z, 0-9, _ and -"}, 400)
        name = device.get("name", device["id"])
        if not isinstance(name, str) or len(name) > 200:
            return CallResourceResponse.json({"message": "name must be text of at most 200 characters"}, 400)
        with self._lock:
            if device["id"] not in self.devices and len(self.devices) >= MAX_DEVICES:
                return CallResourceResponse.json({"message": f"the hub holds at most {MAX_DEVICES} devices"}, 409)
            self.devices[device["id"]] = name
        return CallResourceResponse.json({"id": device["id"], "name": name}, 201)
