"""Calling handlers that may be plain or ``async``, and turning their exceptions into responses."""

from __future__ import annotations

import asyncio
import contextvars
import functools
import inspect
from collections.abc import Callable

from ._http_errors import http_error_response
from ._responses import DataResponse, DownstreamError, ErrorSource


def error_response_for(exc: BaseException) -> DataResponse:
    """The DataResponse for an exception a handler raised: downstream with its status (HTTP call failures too),
    else 500 plugin."""
    if (http := http_error_response(exc)) is not None:
        return http
    if isinstance(exc, DownstreamError):
        return DataResponse.error_response(str(exc) or "downstream error", exc.status, ErrorSource.DOWNSTREAM)
    return DataResponse.error_response(f"{type(exc).__name__}: {exc}" if str(exc) else type(exc).__name__)


async def call_maybe_async(fn: Callable[..., object], *args: object) -> object:
    """Call ``fn``: await it when async, else run it in the loop's default executor with the current context."""
    if inspect.iscoroutinefunction(fn):
        return await fn(*args)
    loop = asyncio.get_running_loop()
    result = await loop.run_in_executor(None, functools.partial(contextvars.copy_context().run, fn, *args))
    if inspect.isawaitable(result):
        return await result
    return result
