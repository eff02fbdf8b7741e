"""FetchError: a failed request to the host, shaped after Grafana's ``FetchError`` (status, message, data)."""

from __future__ import annotations

from typing import Any


class FetchError(Exception):
    """A request that failed: the HTTP status (0 when no response came), a message and the parsed body.

    As with BackendSrv's ``isHandled``, code that deals with the error sets ``handled = True`` (or calls
    :meth:`mark_handled`) so that outer layers, which report unhandled errors, leave it alone.
    """

    def __init__(
        self,
        status: int,
        message: str,
        data: Any = None,
        *,
        status_text: str = "",
        method: str = "",
        url: str = "",
    ) -> None:
        super().__init__(message)
        self.status = status
        self.message = message
        self.data = data
        self.status_text = status_text
        self.method = method
        self.url = url
        self.handled = False

    def mark_handled(self) -> FetchError:
        """Set ``handled`` and return the error (``raise err.mark_handled()`` re-raises it handled)."""
        self.handled = True
        return self

    def __str__(self) -> str:
        where = f"{self.method} {self.url}: ".lstrip() if self.url else ""
        status = f"{self.status} " if self.status else ""
        return f"{where}{status}{self.message}"

    def __repr__(self) -> str:
        return f"FetchError(status={self.status}, message={self.message!r}, url={self.url!r})"
