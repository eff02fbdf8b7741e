"""An event loop in a background thread, so that synchronous tests can drive the asyncio harness."""

from __future__ import annotations

import asyncio
import threading
from collections.abc import Coroutine
from typing import Any, TypeVar

_T = TypeVar("_T")


class LoopThread:
    """Runs coroutines to completion on its own loop thread; :meth:`close` stops the thread."""

    def __init__(self, name: str = "grafana-plugin-harness") -> None:
        self._loop = asyncio.new_event_loop()
        self._thread = threading.Thread(target=self._loop.run_forever, name=name, daemon=True)
        self._thread.start()

    def run(self, coro: Coroutine[Any, Any, _T]) -> _T:
        """Run ``coro`` on the loop thread and return its result (its exception is raised here)."""
        if self._loop.is_closed():
            coro.close()
            raise RuntimeError("the harness client is closed")
        return asyncio.run_coroutine_threadsafe(coro, self._loop).result()

    def close(self) -> None:
        """Shut down the loop's executor, stop the loop and join the thread; safe to call twice."""
        if self._loop.is_closed():
            return
        self.run(self._loop.shutdown_default_executor())
        self._loop.call_soon_threadsafe(self._loop.stop)
        self._thread.join()
        self._loop.close()
