"""The middleware chain: one implementation serves the sync and the async client.

A step is a generator (like an ``httpx.Auth`` flow): it edits the request, ``yield``s it, receives the response
(or has the exception thrown in at the ``yield``), and returns the response. The chain runs the steps in order
around the real transport.
"""

from __future__ import annotations

from collections.abc import Callable, Generator, Sequence
from typing import Protocol

import httpx

from ._options import Options

Flow = Generator[httpx.Request, httpx.Response, httpx.Response]
Step = Callable[[httpx.Request], Flow]


class Middleware(Protocol):
    """Builds a step for a client's options, or None when it has nothing to do for them."""

    @property
    def name(self) -> str:
        """Unique in a chain."""
        ...

    def __call__(self, options: Options) -> Step | None:
        """The step for clients built with ``options``."""
        ...


class _Done(Exception):
    def __init__(self, response: httpx.Response) -> None:
        self.response = response


def _resume(flow: Flow, response: httpx.Response | None, error: Exception | None) -> httpx.Request:
    """Send the response (or throw the error) into ``flow``: the next request to try, or _Done with the answer."""
    try:
        if error is not None:
            return flow.throw(error)
        assert response is not None
        return flow.send(response)
    except StopIteration as stop:
        raise _Done(stop.value) from None


class ChainTransport(httpx.BaseTransport, httpx.AsyncBaseTransport):
    """Runs ``steps`` around ``transport`` (an ``httpx.HTTPTransport`` or ``httpx.AsyncHTTPTransport``)."""

    def __init__(self, steps: Sequence[Step], transport: httpx.BaseTransport | httpx.AsyncBaseTransport) -> None:
        self._steps = list(steps)
        self._transport = transport

    def handle_request(self, request: httpx.Request) -> httpx.Response:
        """Sync client entry point."""
        return self._run(0, request)

    async def handle_async_request(self, request: httpx.Request) -> httpx.Response:
        """Async client entry point."""
        return await self._run_async(0, request)

    def _run(self, index: int, request: httpx.Request) -> httpx.Response:
        if index == len(self._steps):
            assert isinstance(self._transport, httpx.BaseTransport)
            return self._transport.handle_request(request)
        flow = self._steps[index](request)
        request = next(flow)
        while True:
            try:
                response, error = self._run(index + 1, request), None
            except Exception as exc:
                response, error = None, exc
            try:
                request = _resume(flow, response, error)
            except _Done as done:
                return done.response

    async def _run_async(self, index: int, request: httpx.Request) -> httpx.Response:
        if index == len(self._steps):
            assert isinstance(self._transport, httpx.AsyncBaseTransport)
            return await self._transport.handle_async_request(request)
        flow = self._steps[index](request)
        request = next(flow)
        while True:
            try:
                response, error = await self._run_async(index + 1, request), None
            except Exception as exc:
                response, error = None, exc
            try:
                request = _resume(flow, response, error)
            except _Done as done:
                return done.response

    def close(self) -> None:
        """Close the sync transport."""
        if isinstance(self._transport, httpx.BaseTransport):
            self._transport.close()

    async def aclose(self) -> None:
        """Close the async transport."""
        if isinstance(self._transport, httpx.AsyncBaseTransport):
            await self._transport.aclose()
