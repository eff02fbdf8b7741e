"""The device API as a Starlette (ASGI) app: ``GET devices`` and ``POST device {"id": ..., "state": "on"}``; each
device comes back as ``{"id", "state", "since"}`` with ``since`` in epoch milliseconds, like frame times."""

from __future__ import annotations

import json

from starlette.applications import Starlette
from starlette.requests import Request
from starlette.responses import JSONResponse
from starlette.routing import Route

from grafana_plugin_sdk import httpadapter

from .store import DeviceError, DeviceStore


def create_app(store: DeviceStore, default_device: str) -> Starlette:
    """The resource routes over ``store``; ``default_device`` is switched when a POST names none."""

    async def devices(request: Request) -> JSONResponse:
        return JSONResponse([{"id": c.device, "state": c.state, "since": c.epoch_ms} for c in store.devices().values()])

    async def device(request: Request) -> JSONResponse:
        try:
            body = await request.json()
        except json.JSONDecodeError:
            return JSONResponse({"message": "the body must be JSON"}, 400)
        if not isinstance(body, dict):
            return JSONResponse({"message": 'the body must be an object like {"state": "on"}'}, 400)
        try:
            change = store.switch(str(body.get("id") or default_device), str(body.get("state", "")))
        except DeviceError as exc:
            return JSONResponse({"message": str(exc)}, 400)
        user = httpadapter.plugin_context(request.scope).user
        return JSONResponse(
            {"id": change.device, "state": change.state, "since": change.epoch_ms, "by": user.login if user else ""}
        )

    return Starlette(routes=[Route("/devices", devices, methods=["GET"]), Route("/device", device, methods=["POST"])])
