"""Where publications travel and who runs a channel's stream: this process alone, or every host through Redis.

A broker carries each publication to every host with subscribers of the channel (including this one) and grants
the lease that lets exactly one host run the channel's RunStream.
"""

from __future__ import annotations

import asyncio
from collections.abc import Callable
from typing import Protocol

#: Called with (org-qualified channel, push text) for each publication that reaches this host.
Deliver = Callable[[str, str], None]


class Lease(Protocol):
    """The right to run one channel's stream; ``lost`` is set if another host may have taken it over."""

    lost: asyncio.Event

    async def release(self) -> None:
        """Give the lease back (at once, so another host can take over)."""


class Broker(Protocol):
    """Publication transport and stream leadership for the hub."""

    async def start(self, deliver: Deliver) -> None:
        """Connect; publications of watched channels are handed to ``deliver`` from now on."""

    async def close(self) -> None:
        """Disconnect and stop delivering."""

    async def publish(self, channel: str, payload: str) -> None:
        """Send a push to every host watching ``channel``."""

    async def watch(self, channel: str) -> None:
        """Start receiving publications of ``channel`` (its first local subscriber arrived)."""

    async def unwatch(self, channel: str) -> None:
        """Stop receiving publications of ``channel`` (its last local subscriber left)."""

    async def acquire(self, channel: str) -> Lease:
        """Wait until this host may run ``channel``'s stream."""


class _LocalLease:
    def __init__(self) -> None:
        self.lost = asyncio.Event()

    async def release(self) -> None:
        """Nothing to give back: one process, one runner."""


class LocalBroker:
    """The single-host default: publications go straight to local subscribers; every lease is granted at once."""

    def __init__(self) -> None:
        self._deliver: Deliver | None = None

    async def start(self, deliver: Deliver) -> None:
        """Remember where publications go."""
        self._deliver = deliver

    async def close(self) -> None:
        """Stop delivering."""
        self._deliver = None

    async def publish(self, channel: str, payload: str) -> None:
        """Deliver to this host's subscribers."""
        if self._deliver is not None:
            self._deliver(channel, payload)

    async def watch(self, channel: str) -> None:
        """Every local channel is delivered already."""

    async def unwatch(self, channel: str) -> None:
        """Nothing to stop."""

    async def acquire(self, channel: str) -> Lease:
        """Granted: no other host competes."""
        return _LocalLease()
