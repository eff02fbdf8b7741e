"""Calling handlers that may be plain or ``async``."""

from __future__ import annotations

import asyncio
import contextvars
import functools
import inspect
from collections.abc import Callable


async def call_maybe_async(fn: Callable[..., object], *args: object) -> object:
    """Call ``fn``: await it when async, else run it in the loop's default executor with the current context."""
    if inspect.iscoroutinefunction(fn):
        return await fn(*args)
    loop = asyncio.get_running_loop()
    result = await loop.run_in_executor(None, functools.partial(contextvars.copy_context().run, fn, *args))
    if inspect.isawaitable(result):
        return await result
    return result
