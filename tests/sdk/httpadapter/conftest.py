"""Helpers for the httpadapter tests: a list-collecting sender, request building, calling a handler."""

from __future__ import annotations

import inspect
from collections.abc import Mapping
from typing import Any

from grafana_plugin_sdk.backend import (
    CallResourceHandler,
    CallResourceRequest,
    CallResourceResponse,
    DataSourceInstanceSettings,
    PluginContext,
    User,
)

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

    async def send_async(self, response: CallResourceResponse) -> None:
        self.send(response)

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
