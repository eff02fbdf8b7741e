"""A rate-limiting sampler: at most ``rate`` new traces per second (a token bucket, as Jaeger's)."""

from __future__ import annotations

import threading
import time
from collections.abc import Sequence
from typing import Any

from opentelemetry.sdk.trace.sampling import Decision, Sampler, SamplingResult
from opentelemetry.trace import get_current_span


class RateLimitingSampler(Sampler):
    """Keeps a trace while the bucket holds a token; the bucket refills ``rate`` tokens per second."""

    def __init__(self, rate: float) -> None:
        self._rate = rate
        self._capacity = max(rate, 1.0)
        self._balance = self._capacity
        self._last = time.monotonic()
        self._lock = threading.Lock()

    def should_sample(
        self,
        parent_context: Any,
        trace_id: int,
        name: str,
        kind: Any = None,
        attributes: Any = None,
        links: Sequence[Any] | None = None,
        trace_state: Any = None,
    ) -> SamplingResult:
        """Take a token if there is one."""
        with self._lock:
            now = time.monotonic()
            self._balance = min(self._capacity, self._balance + (now - self._last) * self._rate)
            self._last = now
            keep = self._balance >= 1
            if keep:
                self._balance -= 1
        state = get_current_span(parent_context).get_span_context().trace_state
        return SamplingResult(Decision.RECORD_AND_SAMPLE if keep else Decision.DROP, None, state)

    def get_description(self) -> str:
        """``RateLimitingSampler{<rate>}``."""
        return f"RateLimitingSampler{{{self._rate:g}}}"
