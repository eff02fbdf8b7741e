"""``GET /api/live/ws`` (the centrifuge WebSocket) and ``POST /api/live/publish``."""

from __future__ import annotations

import asyncio
import contextlib
import fnmatch
import logging
from typing import Any
from urllib.parse import urlsplit

import orjson
from starlette.requests import Request
from starlette.responses import Response
from starlette.routing import BaseRoute, Route, WebSocketRoute
from starlette.websockets import WebSocket, WebSocketDisconnect

from grafana_plugin_host.config import Settings
from grafana_plugin_host.errors import ApiError
from grafana_plugin_host.models import Identity
from grafana_plugin_host.services import ServicesNotReadyError, services_of
from grafana_plugin_host.web import JSONResponse, identity_of, read_json
from grafana_plugin_sdk.wire.platform import GRAFANA_VERSION

from . import protocol
from .access import ChannelRef, LiveError, parse_channel
from .hub import LiveHub
from .session import Session

log = logging.getLogger(__name__)

#: The server pings every this many seconds; the client expects a ping within this plus its own margin.
PING_INTERVAL = 25
#: A client must send its connect command this soon after the WebSocket opens.
CONNECT_TIMEOUT = 10.0


def _hub(conn: Request | WebSocket) -> LiveHub:
    hub = services_of(conn).live
    if hub is None:
        raise ServicesNotReadyError("Grafana Live is not set up")
    return hub


def origin_allowed(origin: str | None, host: str | None, settings: Settings) -> bool:
    """Browsers send ``Origin``: it must be this host (as addressed, or ``root_url``) or match a glob of
    ``[live] allowed_origins`` (``*`` for any); other clients send none."""
    if origin is None:
        return True
    netloc = urlsplit(origin).netloc.lower()
    if netloc and netloc in {(host or "").lower(), urlsplit(settings.app_url).netloc.lower()}:
        return True
    return any(fnmatch.fnmatchcase(origin.lower(), pattern.lower()) for pattern in settings.live_allowed_origins)


def _data_bytes(params: dict[str, Any]) -> bytes:
    return orjson.dumps(params["data"]) if params.get("data") is not None else b""


def _channel_param(params: dict[str, Any]) -> str:
    channel = params.get("channel")
    if not isinstance(channel, str) or not channel:
        raise LiveError(protocol.ERROR_BAD_REQUEST, "bad request")
    return channel


async def _command(websocket: WebSocket, session: Session, command: protocol.Command) -> None:
    """Answer one command after connect (errors become error replies)."""
    hub, params, cid = _hub(websocket), command.params, command.id
    try:
        if command.method == "subscribe":
            initial = await hub.subscribe(websocket, session, _channel_param(params), _data_bytes(params))
            session.send(protocol.reply_raw(cid, "subscribe", {"data": initial} if initial else {}))
        elif command.method == "unsubscribe":
            hub.unsubscribe(session, _channel_param(params))
            session.send(protocol.reply(cid, "unsubscribe"))
        elif command.method == "publish":
            ref = ChannelRef.parse(_channel_param(params))
            await hub.publish(websocket, session.identity, ref, _data_bytes(params))
            session.send(protocol.reply(cid, "publish"))
        else:
            raise LiveError(protocol.ERROR_METHOD_NOT_FOUND, "method not found")
    except LiveError as exc:
        session.send(protocol.error(cid, exc.code, exc.message, temporary=exc.temporary))


async def _receive(websocket: WebSocket) -> list[protocol.Command] | None:
    """The next frame's commands; None when the client went away."""
    message = await websocket.receive()
    if message["type"] == "websocket.disconnect":
        return None
    text = message.get("text")
    if text is None:
        raise protocol.ProtocolError("the JSON protocol uses text frames")
    return protocol.parse_frame(text)


async def _read(websocket: WebSocket, session: Session) -> None:
    """Connect handshake, then every command in order until the client leaves or breaks the protocol."""
    try:
        async with asyncio.timeout(CONNECT_TIMEOUT):
            first = await _receive(websocket)
        if first is None:
            session.gone()
            return
        if not first:
            raise protocol.ProtocolError("empty frame")
        if first[0].method != "connect" or first[0].id == 0:
            raise protocol.ProtocolError("the first command must be connect")
        result = {"client": session.client_id, "version": GRAFANA_VERSION, "ping": PING_INTERVAL, "pong": True}
        session.send(protocol.reply(first[0].id, "connect", result))
        pending = first[1:]
        while not session.closing:
            for command in pending:
                if command.method == "connect":
                    raise protocol.ProtocolError("already connected")
                if command.method is not None or command.id:
                    await _command(websocket, session, command)
            received = await _receive(websocket)
            if received is None:
                session.gone()
                return
            pending = received
    except TimeoutError:
        session.disconnect(protocol.DISCONNECT_STALE, "stale")
    except protocol.ProtocolError as exc:
        log.info("live client %s: %s; disconnecting", session.client_id, exc)
        session.disconnect(protocol.DISCONNECT_BAD_REQUEST, "bad request")
    except WebSocketDisconnect:
        session.gone()


async def _ping(session: Session) -> None:
    while True:
        await asyncio.sleep(PING_INTERVAL)
        session.send(protocol.PING)


async def live_ws(websocket: WebSocket) -> None:
    """GET /api/live/ws: one centrifuge client connection for the authenticated caller."""
    identity = websocket.scope.get("state", {}).get("identity")
    settings = services_of(websocket).settings
    hub = _hub(websocket)
    if not isinstance(identity, Identity):
        await websocket.send_denial_response(JSONResponse({"message": "Unauthorized"}, status_code=401))
        return
    if not origin_allowed(websocket.headers.get("origin"), websocket.headers.get("host"), settings):
        await websocket.send_denial_response(JSONResponse({"message": "Request origin is not authorized"}, 403))
        return
    limit = settings.live_max_connections
    if 0 <= limit <= len(hub.sessions):
        await websocket.send_denial_response(JSONResponse({"message": "Live connection limit reached"}, 503))
        return
    await websocket.accept()
    session = Session(websocket, identity, settings.live_client_queue_max_size)
    hub.join(session)
    reader = asyncio.create_task(_read(websocket, session))
    tasks = [reader, asyncio.create_task(_ping(session)), asyncio.create_task(session.closed.wait())]
    writer = asyncio.create_task(session.write())
    try:
        await asyncio.wait([reader, tasks[2]], return_when=asyncio.FIRST_COMPLETED)
    finally:
        hub.leave(session)
        session.disconnect(1000, "")
        for task in tasks:
            task.cancel()
        await asyncio.gather(*tasks, return_exceptions=True)
        with contextlib.suppress(Exception):
            await writer


async def publish(request: Request) -> Response:
    """POST /api/live/publish ``{"channel": "<scope>/<namespace>/<path>", "data": {...}}`` in the caller's org."""
    identity = identity_of(request)
    body = await read_json(request)
    if not isinstance(body, dict) or not isinstance(body.get("channel"), str):
        raise ApiError(400, "Bad channel address")
    try:
        ref = ChannelRef(identity.org_id, parse_channel(body["channel"]))
        await _hub(request).publish(request, identity, ref, _data_bytes(body))
    except LiveError as exc:
        status = exc.http_status
        messages = {400: "Bad channel address", 403: "Forbidden", 404: "Not found", 503: "Plugin unavailable"}
        raise ApiError(status, messages.get(status, "Internal Server Error")) from None
    return JSONResponse({})


routes: list[BaseRoute] = [
    WebSocketRoute("/api/live/ws", live_ws),
    Route("/api/live/publish", publish, methods=["POST"]),
]
