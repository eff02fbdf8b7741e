"""How missing points are filled when series are aligned (the Go SDK's ``data.FillMissing``)."""

from __future__ import annotations

import enum
from dataclasses import dataclass
from typing import Any

import numpy as np


class FillMode(enum.StrEnum):
    """What a missing point becomes: null, the series' previous value, or a fixed value."""

    NULL = "null"
    PREVIOUS = "previous"
    VALUE = "value"


@dataclass(frozen=True)
class FillMissing:
    """A fill mode and, for ``FillMode.VALUE``, the value."""

    mode: FillMode = FillMode.NULL
    value: float = 0.0


def previous_rows(present: np.ndarray[Any, Any]) -> np.ndarray[Any, Any]:
    """For each position, the index of the last position at or before it where ``present`` is true (-1: none)."""
    index = np.where(present, np.arange(len(present)), -1)
    return np.maximum.accumulate(index) if len(index) else index
