"""hclog-compatible JSON logging on stderr, as Grafana reads plugin logs.

Every record becomes one JSON line: ``@level`` (trace/debug/info/warn/error), ``@message``, ``@timestamp``
(``YYYY-MM-DDTHH:MM:SS.ffffff`` then ``Z`` or ``±hh:mm``), ``@module`` (the logger name), then flat keys: the
request's context fields (pluginId, endpoint, dsUid, uname...), the fields bound to a :class:`Logger`, and any
``extra`` a stdlib call passed.

Use :func:`get_logger` for hclog-style calls (``logger.info("query done", rows=10)``) or plain
``logging.getLogger(__name__)``: :func:`setup` (called by ``serve``) installs :class:`HclogHandler` on the root logger.
"""

from __future__ import annotations

import contextlib
import contextvars
import logging
import sys
import time
from collections.abc import Iterator, Mapping
from datetime import datetime, timedelta
from types import MappingProxyType
from typing import IO, Any

import orjson

__all__ = [
    "TRACE",
    "HclogFormatter",
    "HclogHandler",
    "Logger",
    "context_fields",
    "format_timestamp",
    "get_logger",
    "log_context",
    "setup",
]

TRACE = 5
"""Level number of hclog's ``trace`` (below ``logging.DEBUG``)."""
logging.addLevelName(TRACE, "TRACE")

_CONTEXT: contextvars.ContextVar[Mapping[str, Any]] = contextvars.ContextVar(
    "grafana_plugin_log_context", default=MappingProxyType({})
)
# Attributes every LogRecord has; anything else on a record came from ``extra`` and is logged as a field.
_RECORD_ATTRS = frozenset(logging.LogRecord("", 0, "", 0, "", None, None).__dict__) | {"message", "asctime", "taskName"}
_FIELDS_ATTR = "_hclog_fields"


def format_timestamp(moment: datetime) -> str:
    """hclog's timestamp: microseconds and ``Z`` for UTC, else the offset as ``±hh:mm``."""
    text = moment.strftime("%Y-%m-%dT%H:%M:%S.%f")
    offset = moment.utcoffset()
    if offset is None or offset == timedelta(0):
        return text + "Z"
    sign = "-" if offset < timedelta(0) else "+"
    minutes = abs(int(offset.total_seconds())) // 60
    return f"{text}{sign}{minutes // 60:02d}:{minutes % 60:02d}"


#: The last whole second formatted by :func:`_utc_timestamp`, and its text (one strftime per second of logging).
_LAST_SECOND: tuple[int, str] = (-1, "")


def _utc_timestamp(created: float) -> str:
    """:func:`format_timestamp` of a UTC Unix time (a record's ``created``), the second's text reused."""
    global _LAST_SECOND
    second = int(created)
    last, text = _LAST_SECOND
    if second != last:
        text = time.strftime("%Y-%m-%dT%H:%M:%S", time.gmtime(second))
        _LAST_SECOND = (second, text)
    return f"{text}.{int((created - second) * 1_000_000):06d}Z"


def _level_name(levelno: int) -> str:
    if levelno >= logging.ERROR:
        return "error"
    if levelno >= logging.WARNING:
        return "warn"
    if levelno >= logging.INFO:
        return "info"
    if levelno >= logging.DEBUG:
        return "debug"
    return "trace"


def context_fields() -> Mapping[str, Any]:
    """The fields the current request (or task) adds to every log line."""
    return _CONTEXT.get()


@contextlib.contextmanager
def log_context(**fields: Any) -> Iterator[None]:
    """Add ``fields`` to every line logged inside the block (per thread / asyncio task, via contextvars)."""
    token = _CONTEXT.set({**_CONTEXT.get(), **fields})
    try:
        yield
    finally:
        _CONTEXT.reset(token)


def _jsonable(value: Any) -> Any:
    if value is None or isinstance(value, str | int | float | bool):
        return value
    if isinstance(value, BaseException):
        return str(value)
    if isinstance(value, Mapping):
        return {str(k): _jsonable(v) for k, v in value.items()}
    if isinstance(value, list | tuple):
        return [_jsonable(v) for v in value]
    return str(value)


class HclogFormatter(logging.Formatter):
    """Formats a record as one hclog JSON line (no trailing newline)."""

    def format(self, record: logging.LogRecord) -> str:
        """The record as hclog JSON."""
        line: dict[str, Any] = {
            "@level": _level_name(record.levelno),
            "@message": record.getMessage(),
            "@timestamp": _utc_timestamp(record.created),
        }
        if record.name and record.name != "root":
            line["@module"] = record.name
        line.update(_CONTEXT.get())
        line.update(getattr(record, _FIELDS_ATTR, {}))
        for key, value in record.__dict__.items():
            if key not in _RECORD_ATTRS and key != _FIELDS_ATTR:
                line[key] = value
        if record.exc_info:
            line["error"] = self.formatException(record.exc_info)
        return orjson.dumps(line, default=_jsonable, option=orjson.OPT_NON_STR_KEYS).decode()


class HclogHandler(logging.StreamHandler):  # type: ignore[type-arg]
    """A stream handler writing hclog JSON lines, by default to the process's stderr."""

    def __init__(self, stream: IO[str] | None = None) -> None:
        super().__init__(stream if stream is not None else sys.stderr)
        self.setFormatter(HclogFormatter())


class Logger:
    """hclog-style logger: ``logger.info("message", key=value)``; ``with_fields`` returns a logger with more fields."""

    def __init__(self, logger: logging.Logger, fields: Mapping[str, Any] | None = None) -> None:
        self._logger = logger
        self._fields = dict(fields or {})

    def with_fields(self, **fields: Any) -> Logger:
        """A logger that adds ``fields`` to every line."""
        return Logger(self._logger, {**self._fields, **fields})

    def _log(self, level: int, message: str, fields: dict[str, Any], exc_info: bool = False) -> None:
        if self._logger.isEnabledFor(level):
            # Made here rather than by logging.Logger.log: hclog lines carry no caller, so no stack walk to find it.
            record = self._logger.makeRecord(
                self._logger.name,
                level,
                "(unknown file)",
                0,
                message,
                (),
                sys.exc_info() if exc_info else None,
                extra={_FIELDS_ATTR: {**self._fields, **fields}},
            )
            self._logger.handle(record)

    def trace(self, message: str, **fields: Any) -> None:
        """Log at trace level."""
        self._log(TRACE, message, fields)

    def debug(self, message: str, **fields: Any) -> None:
        """Log at debug level."""
        self._log(logging.DEBUG, message, fields)

    def info(self, message: str, **fields: Any) -> None:
        """Log at info level."""
        self._log(logging.INFO, message, fields)

    def warn(self, message: str, **fields: Any) -> None:
        """Log at warn level."""
        self._log(logging.WARNING, message, fields)

    def error(self, message: str, **fields: Any) -> None:
        """Log at error level."""
        self._log(logging.ERROR, message, fields)

    def exception(self, message: str, **fields: Any) -> None:
        """Log at error level with the current exception's traceback in ``error``."""
        self._log(logging.ERROR, message, fields, exc_info=True)


def get_logger(name: str = "plugin", **fields: Any) -> Logger:
    """An hclog-style logger named ``name`` (``@module``), with optional fields on every line."""
    return Logger(logging.getLogger(name), fields)


def setup(level: int = logging.DEBUG, stream: IO[str] | None = None) -> None:
    """Send all logging through one :class:`HclogHandler` on the root logger (idempotent); debug as the Go SDK."""
    root = logging.getLogger()
    for handler in root.handlers[:]:
        if isinstance(handler, HclogHandler):
            root.removeHandler(handler)
    root.addHandler(HclogHandler(stream))
    root.setLevel(level)
    # Libraries' own debug chatter is not the plugin's.
    for noisy in ("asyncio", "grpc"):
        logging.getLogger(noisy).setLevel(max(root.level, logging.INFO))
