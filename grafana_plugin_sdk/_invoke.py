"""Calling handlers that may be plain or ``async``, and logging what they raise."""

from __future__ import annotations

import asyncio
import contextvars
import functools
import inspect
import logging
from collections.abc import Callable
from typing import Any


def log_handler_error(logger: logging.Logger, message: str, exc: BaseException, **fields: Any) -> None:
    """Log an exception a handler raised at ERROR, the level of the Go SDK's failed-request line.

    A DownstreamError (bad user input, a failing remote system: not a plugin bug) is one line with its message in
    ``error`` and ``statusSource=downstream``, without a traceback; anything else carries its traceback.
    """
    from grafana_plugin_sdk.backend import DownstreamError, ErrorSource  # the backend package imports this module

    if isinstance(exc, DownstreamError):
        logger.error(message, extra={**fields, "error": str(exc), "statusSource": ErrorSource.DOWNSTREAM.value})
    else:
        logger.error(message, exc_info=exc, extra={**fields, "statusSource": ErrorSource.PLUGIN.value})


async def call_maybe_async(fn: Callable[..., object], *args: object) -> object:
    """Call ``fn``: await it when async, else run it in the loop's default executor with the current context."""
    if inspect.iscoroutinefunction(fn):
        return await fn(*args)
    loop = asyncio.get_running_loop()
    result = await loop.run_in_executor(None, functools.partial(contextvars.copy_context().run, fn, *args))
    if inspect.isawaitable(result):
        return await result
    return result
