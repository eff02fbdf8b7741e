"""The centrifuge client protocol (version 2, JSON) that Grafana's frontend speaks on ``/api/live/ws``.

Commands and replies are JSON objects, several to a WebSocket text frame separated by newlines. A command carries
``id`` and one request (``connect``, ``subscribe``, ``unsubscribe``, ``publish``, ...); its reply carries the same
``id`` and the result under the same key, or ``error: {code, message}``. Replies without ``id`` are pushes
(``{"push": {"channel", "pub": {"data"}}}``); an empty object ``{}`` is the server's ping and the client's pong.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import orjson

# Error codes in replies. Grafana answers a plugin's stream status with the HTTP code (403, 404) instead.
ERROR_INTERNAL = 100
ERROR_PERMISSION_DENIED = 103
ERROR_METHOD_NOT_FOUND = 104
ERROR_ALREADY_SUBSCRIBED = 105
ERROR_LIMIT_EXCEEDED = 106
ERROR_BAD_REQUEST = 107
ERROR_NOT_AVAILABLE = 108

# WebSocket close codes. The client reconnects after codes below 3500 and gives up on 3500-3999.
DISCONNECT_SHUTDOWN = 3001
DISCONNECT_SLOW = 3008
DISCONNECT_BAD_REQUEST = 3501
DISCONNECT_STALE = 3502

#: The server's ping (and the client's pong).
PING = "{}"


class ProtocolError(ValueError):
    """A frame that is not newline-separated JSON command objects."""


@dataclass(frozen=True)
class Command:
    """One command: its id, which request it carries (None for a pong) and the request's parameters."""

    id: int
    method: str | None
    params: dict[str, Any]


def _command(raw: Any) -> Command:
    if not isinstance(raw, dict):
        raise ProtocolError("a command must be a JSON object")
    cid = raw.get("id", 0)
    if not isinstance(cid, int) or isinstance(cid, bool) or cid < 0:
        raise ProtocolError("a command id must be a non-negative integer")
    requests = [key for key in raw if key != "id"]
    if not requests:
        return Command(cid, None, {})
    method = requests[0]
    params = raw[method]
    if params is None:
        params = {}
    if not isinstance(params, dict):
        raise ProtocolError(f"the {method} request must be a JSON object")
    return Command(cid, method, params)


def parse_frame(text: str) -> list[Command]:
    """The commands of one text frame; ProtocolError if any line is not a command object."""
    commands = []
    for line in text.split("\n"):
        if not line.strip():
            continue
        try:
            raw = orjson.loads(line)
        except orjson.JSONDecodeError:
            raise ProtocolError("a command is not valid JSON") from None
        commands.append(_command(raw))
    return commands


def reply(cid: int, method: str, result: dict[str, Any] | None = None) -> str:
    """The successful reply to command ``cid``."""
    return orjson.dumps({"id": cid, method: result or {}}).decode()


def reply_raw(cid: int, method: str, fields: dict[str, str]) -> str:
    """A successful reply whose result fields are already-encoded JSON text (a plugin's data)."""
    inner = ",".join(f"{orjson.dumps(key).decode()}:{value}" for key, value in fields.items())
    return f'{{"id":{cid},{orjson.dumps(method).decode()}:{{{inner}}}}}'


def error(cid: int, code: int, message: str, *, temporary: bool = False) -> str:
    """The error reply to command ``cid``; ``temporary`` tells the client to try again."""
    body: dict[str, Any] = {"code": code, "message": message}
    if temporary:
        body["temporary"] = True
    return orjson.dumps({"id": cid, "error": body}).decode()


def publication(channel: str, data: str) -> str:
    """The push of one publication; ``data`` is JSON text (a frame), sent as it is."""
    return f'{{"push":{{"channel":{orjson.dumps(channel).decode()},"pub":{{"data":{data}}}}}}}'


def json_text(data: bytes) -> str:
    """``data`` as JSON text for a reply or push; ValueError unless it is one valid JSON value."""
    try:
        orjson.loads(data)
    except orjson.JSONDecodeError:
        raise ValueError("not valid JSON") from None
    return data.decode()
