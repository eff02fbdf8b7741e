"""Helpers for the httpadapter tests: a list-collecting sender, request building, the test apps."""

from __future__ import annotations

import importlib.util
import inspect
import sys
from collections.abc import Mapping
from pathlib import Path
from types import ModuleType
from typing import Any

import pytest

from grafana_plugin_sdk.backend import (
    CallResourceHandler,
    CallResourceRequest,
    CallResourceResponse,
    DataSourceInstanceSettings,
    PluginContext,
    User,
)

HERE = Path(__file__).resolve().parent
APPS_MODULE = "httpadapter_test_apps"

PLUGIN_CONTEXT = PluginContext(
    org_id=7,
    plugin_id="test-resource-datasource",
    user=User(login="alice", name="Alice", email="alice@example.com", role="Editor"),
    data_source_instance_settings=DataSourceInstanceSettings(id=3, uid="ds-uid-1", name="Resources"),
)


class ListSender:
    """A CallResourceResponseSender that keeps every message it is given, in order."""

    def __init__(self) -> None:
        self.messages: list[CallResourceResponse] = []

    def send(self, response: CallResourceResponse) -> None:
        self.messages.append(response)

    def send_json(self, value: Any, status: int = 200) -> None:
        self.send(CallResourceResponse.json(value, status))

    def send_text(self, text: str, status: int = 200) -> None:
        self.send(CallResourceResponse.text(text, status))


def resource_request(
    url: str,
    method: str = "GET",
    headers: Mapping[str, list[str]] | None = None,
    body: bytes = b"",
    plugin_context: PluginContext = PLUGIN_CONTEXT,
) -> CallResourceRequest:
    """A request as the host builds it: ``path`` is ``url`` without its query string."""
    return CallResourceRequest(
        plugin_context=plugin_context,
        path=url.partition("?")[0],
        method=method,
        url=url,
        headers=dict(headers or {}),
        body=body,
    )


async def call(handler: CallResourceHandler, request: CallResourceRequest) -> list[CallResourceResponse]:
    """Run a handler (plain or async) and return the messages it sent."""
    sender = ListSender()
    result = handler.call_resource(request, sender)
    if inspect.isawaitable(result):
        await result
    return sender.messages


def load_apps() -> ModuleType:
    """The Flask and Starlette test apps (``apps.py`` beside this file)."""
    if APPS_MODULE not in sys.modules:
        spec = importlib.util.spec_from_file_location(APPS_MODULE, HERE / "apps.py")
        assert spec is not None and spec.loader is not None
        module = importlib.util.module_from_spec(spec)
        sys.modules[APPS_MODULE] = module
        spec.loader.exec_module(module)
    return sys.modules[APPS_MODULE]


@pytest.fixture
def apps() -> ModuleType:
    """The test apps module."""
    return load_apps()
