"""A plugin's stdout and stderr, read for its whole life and turned into log records
(logger ``plugin.<id>``).

Lines are split without limit on what a plugin writes (very long lines are cut into pieces), hclog JSON lines
keep their level, message and fields; plain lines are classified by a ``[LEVEL]`` prefix or a panic.
"""

from __future__ import annotations

import asyncio
import collections
import logging
import re
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

import orjson

#: Lines longer than this are cut into pieces of this size (go-plugin reads with a 64 KiB buffer).
MAX_LINE = 64 * 1024
_READ_SIZE = 64 * 1024
_LEVELS = {
    "trace": logging.DEBUG,
    "debug": logging.DEBUG,
    "info": logging.INFO,
    "warn": logging.WARNING,
    "error": logging.ERROR,
}
_PREFIXES = tuple((f"[{name.upper()}]", level) for name, level in _LEVELS.items())
_TIMESTAMP_RE = re.compile(r"^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}\.\d{6}(Z|[+-]\d{2}:\d{2})$")
_PANIC_STARTS = ("panic: ", "fatal error: ", "Traceback (most recent call last):")
_HCLOG_KEYS = ("@level", "@message", "@timestamp")
#: How hclog JSON lines (the Go SDK's and ours) begin, by level: a line below the logger's level is dropped on sight.
_LEVEL_PREFIXES = tuple((f'{{"@level":"{name}",'.encode(), level) for name, level in _LEVELS.items())


class LineSplitter:
    """Bytes in, complete lines out (without ``\\n`` / ``\\r\\n``); lines over ``max_line`` are cut."""

    def __init__(self, max_line: int = MAX_LINE) -> None:
        self._max = max_line
        self._buffer = bytearray()

    def feed(self, data: bytes) -> list[bytes]:
        """Add bytes; return the lines they complete."""
        self._buffer += data
        lines = self._buffer.split(b"\n")
        rest = lines.pop()
        out: list[bytes] = []
        for line in lines:
            out.extend(self._cut(bytes(line.removesuffix(b"\r"))))
        while len(rest) > self._max:
            out.append(bytes(rest[: self._max]))
            rest = rest[self._max :]
        self._buffer = bytearray(rest)
        return out

    def flush(self) -> list[bytes]:
        """The unterminated last line, if any (call at end of stream)."""
        rest, self._buffer = bytes(self._buffer), bytearray()
        return [rest.removesuffix(b"\r")] if rest else []

    def _cut(self, line: bytes) -> list[bytes]:
        if len(line) <= self._max:
            return [bytes(line)]
        return [bytes(line[i : i + self._max]) for i in range(0, len(line), self._max)]


@dataclass(frozen=True)
class LogLine:
    """One classified plugin log line."""

    level: int
    message: str
    fields: dict[str, Any] = field(default_factory=dict)


def parse_hclog_json(text: str) -> LogLine | None:
    """An hclog JSON line's level, message and other keys; None when the line is not hclog JSON.

    Like go-plugin: an ``@timestamp`` not in hclog's exact format makes the line non-JSON; a missing or
    unknown ``@level`` keeps the whole line as the message at debug.
    """
    if not text.startswith("{"):
        return None
    try:
        value = orjson.loads(text)
    except orjson.JSONDecodeError:
        return None
    if not isinstance(value, dict):
        return None
    stamp = value.get("@timestamp")
    if stamp is not None and not (isinstance(stamp, str) and _TIMESTAMP_RE.match(stamp)):
        return None
    name = value.get("@level")
    level = _LEVELS.get(name) if isinstance(name, str) else None
    if level is None:
        return LogLine(logging.DEBUG, text)
    message = value.get("@message", "")
    fields = {k: v for k, v in value.items() if k not in _HCLOG_KEYS}
    return LogLine(level, message if isinstance(message, str) else str(message), fields)


def _format_value(value: Any) -> str:
    if isinstance(value, str) and value and not any(c in value for c in ' ="\n'):
        return value
    return orjson.dumps(value, default=str).decode()


def render(line: LogLine) -> str:
    """The message followed by its fields as ``key=value`` (values JSON-quoted when needed)."""
    if not line.fields:
        return line.message
    pairs = " ".join(f"{key}={_format_value(value)}" for key, value in line.fields.items())
    return f"{line.message} {pairs}" if line.message else pairs


class StderrClassifier:
    """Classifies one stream's lines; remembers a panic so that the lines after it are errors too."""

    def __init__(self) -> None:
        self._panicking = False

    def level_at_a_glance(self, raw: bytes) -> int | None:
        """The level of an hclog JSON line read from how it begins, without parsing it; None when unsure."""
        if not self._panicking:
            for prefix, level in _LEVEL_PREFIXES:
                if raw.startswith(prefix):
                    return level
        return None

    def classify(self, text: str) -> LogLine:
        """The level and message of one line."""
        parsed = parse_hclog_json(text)
        if parsed is not None:
            return parsed
        for prefix, level in _PREFIXES:
            if text.startswith(prefix):
                return LogLine(level, text[len(prefix) :].lstrip())
        if text.startswith(_PANIC_STARTS):
            self._panicking = True
        return LogLine(logging.ERROR if self._panicking else logging.DEBUG, text)


class PluginLog:
    """Writes a plugin's output into the host log (logger ``plugin.<id>``) and keeps its last lines."""

    def __init__(self, plugin_id: str, keep: int = 5) -> None:
        self.plugin_id = plugin_id
        self.logger = logging.getLogger(f"plugin.{plugin_id}")
        self._stderr = StderrClassifier()
        self._recent: collections.deque[str] = collections.deque(maxlen=keep)

    def stderr_line(self, raw: bytes) -> None:
        """Log one stderr line at its level."""
        glance = self._stderr.level_at_a_glance(raw)
        if glance is not None and not self.logger.isEnabledFor(glance):  # the Go SDK's per-call debug line
            self._recent.append(raw[:300].decode("utf-8", "replace"))
            return
        text = raw.decode("utf-8", "replace")
        line = self._stderr.classify(text)
        if text.strip():
            self._recent.append(text[:300])
        if self.logger.isEnabledFor(line.level):
            extra = {"plugin_id": self.plugin_id, "plugin_fields": line.fields}
            self.logger.log(line.level, "%s", render(line), extra=extra)

    def stdout_line(self, raw: bytes) -> None:
        """Log a stdout line after the handshake (plugins should not print there) at debug."""
        if self.logger.isEnabledFor(logging.DEBUG):
            text = raw.decode("utf-8", "replace")
            self.logger.debug("stdout: %s", text, extra={"plugin_id": self.plugin_id, "plugin_fields": {}})

    def recent(self) -> list[str]:
        """The last few non-empty stderr lines (for start-failure messages)."""
        return list(self._recent)


async def pump_lines(stream: asyncio.StreamReader, on_line: Callable[[bytes], None]) -> None:
    """Read ``stream`` until EOF, calling ``on_line`` for every line; never stops reading early."""
    splitter = LineSplitter()
    while chunk := await stream.read(_READ_SIZE):
        for line in splitter.feed(chunk):
            _deliver(on_line, line)
    for line in splitter.flush():
        _deliver(on_line, line)


def _deliver(on_line: Callable[[bytes], None], line: bytes) -> None:
    try:
        on_line(line)
    except Exception:  # a failing handler must not stop the reader, or the plugin would block on a full pipe
        logging.getLogger("grafana_plugin_sdk.wire").exception("cannot handle a plugin output line")
