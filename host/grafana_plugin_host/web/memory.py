"""Giving freed memory back to the operating system after a burst of large answers.

glibc keeps freed heap memory for reuse, and after a large block is freed it serves blocks of that size from the
heap instead of separate mappings; a burst of large answers would leave the process at its peak size for good.
``malloc_trim`` returns the free pages. Elsewhere (another C library) this does nothing.
"""

from __future__ import annotations

import asyncio
import ctypes
import ctypes.util
import logging
from collections.abc import Callable

log = logging.getLogger(__name__)


def _find_trim() -> Callable[[int], int] | None:
    name = ctypes.util.find_library("c")
    if name is None:
        return None
    try:
        trim: Callable[[int], int] = ctypes.CDLL(name).malloc_trim
    except (OSError, AttributeError):
        return None
    return trim


_TRIM = _find_trim()


def return_freed_memory() -> None:
    """Hand the C heap's free pages back to the system (on a worker thread: it walks the heap)."""
    if _TRIM is None:
        return
    asyncio.get_running_loop().run_in_executor(None, _TRIM, 0).add_done_callback(_report)


def _report(done: asyncio.Future[int]) -> None:
    if (error := done.exception()) is not None:
        log.warning("malloc_trim failed: %s", error)
