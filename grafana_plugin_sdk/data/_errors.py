"""The data package's error type."""

from __future__ import annotations


class FrameError(ValueError):
    """A frame or field is malformed: unequal lengths, unsupported types, values that do not fit, bad encodings."""
