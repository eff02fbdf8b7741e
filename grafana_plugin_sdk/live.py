"""Grafana Live helpers for stream plugins: channel names (the Go SDK's ``live.Channel``) and frame sending.

A channel is ``<scope>/<namespace>/<path>``: ``ds/<data source uid>/<path>`` for a data source's streams,
``plugin/<plugin id>/<path>`` for an app plugin's. The plugin sees only ``path`` in its stream requests.

In ``run_stream``, :class:`FrameSender` sends the schema once and then data only, as Grafana's own streams do;
``subscribe_stream`` can hand new subscribers the schema with :func:`initial_data`::

    def subscribe_stream(self, request):
        return SubscribeStreamResponse(StreamStatus.OK, live.initial_data(empty_frame()))

    async def run_stream(self, request, sender):
        frames = live.FrameSender(sender)
        while True:
            frames.send_frame(next_frame())
            await asyncio.sleep(1)
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from grafana_plugin_sdk.backend import StreamSender
from grafana_plugin_sdk.data import Frame, FrameInclude

SCOPE_GRAFANA = "grafana"
SCOPE_PLUGIN = "plugin"
SCOPE_DATASOURCE = "ds"
SCOPE_STREAM = "stream"

#: Longest valid channel name.
MAX_CHANNEL_LENGTH = 160

# Grafana's own patterns, kept byte for byte: ``A-z`` also admits the six ASCII characters between ``Z`` and ``a``.
_SCOPE_NAMESPACE = re.compile(r"[A-z0-9_\-]*")
_PATH = re.compile(r"[A-z0-9_\-/=.,]*")


class InvalidChannelError(ValueError):
    """A channel name that is not ``<scope>/<namespace>/<path>`` with valid characters and length."""


@dataclass(frozen=True)
class Channel:
    """A channel name split into its parts; ``str(channel)`` gives the name back."""

    scope: str
    namespace: str
    path: str

    @classmethod
    def parse(cls, name: str) -> Channel:
        """The parts of ``name``; InvalidChannelError unless it is valid (see :meth:`is_valid`)."""
        if not name or len(name) > MAX_CHANNEL_LENGTH:
            raise InvalidChannelError(f"invalid channel ID: {name[:MAX_CHANNEL_LENGTH]!r}")
        parts = name.split("/", 2)
        if len(parts) != 3:
            raise InvalidChannelError(f"invalid channel ID: {name!r}")
        channel = cls(*parts)
        if not channel.is_valid():
            raise InvalidChannelError(f"invalid channel ID: {name!r}")
        return channel

    def is_valid(self) -> bool:
        """All three parts present; scope and namespace of ``[A-z0-9_-]``, path also ``/``, ``=``, ``.``, ``,``."""
        if not (self.scope and self.namespace and self.path):
            return False
        return bool(
            _SCOPE_NAMESPACE.fullmatch(self.scope)
            and _SCOPE_NAMESPACE.fullmatch(self.namespace)
            and _PATH.fullmatch(self.path)
        )

    def __str__(self) -> str:
        return "/".join(part for part in (self.scope, self.namespace, self.path) if part)


def initial_data(frame: Frame) -> bytes:
    """The frame's schema as frame JSON, for ``SubscribeStreamResponse.data`` (Go's ``NewInitialFrame``)."""
    return frame.to_json(FrameInclude.SCHEMA_ONLY)


class FrameSender:
    """Sends frames on a ``run_stream`` sender: schema and data the first time and whenever the schema changes,
    data only otherwise (Go's ``StreamSender.SendFrame`` with the include chosen for you)."""

    def __init__(self, sender: StreamSender) -> None:
        self._sender = sender
        self._schema: bytes | None = None

    def send_frame(self, frame: Frame) -> None:
        """Send one frame as one packet."""
        schema = frame.to_json(FrameInclude.SCHEMA_ONLY)
        changed = schema != self._schema
        self._schema = schema
        self._sender.send_frame(frame, include_schema=changed)


__all__ = [
    "MAX_CHANNEL_LENGTH",
    "SCOPE_DATASOURCE",
    "SCOPE_GRAFANA",
    "SCOPE_PLUGIN",
    "SCOPE_STREAM",
    "Channel",
    "FrameSender",
    "InvalidChannelError",
    "initial_data",
]
