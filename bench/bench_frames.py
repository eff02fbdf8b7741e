"""Frame codec benchmark: Arrow encode/decode and Arrow -> frame JSON beside a naive json.dumps baseline.

Run: ``PYTHONPATH=. python bench/bench_frames.py`` (numbers are best-of-N wall times on this machine).
"""

from __future__ import annotations

import json
import sys
import time
from collections.abc import Callable
from typing import Any

import numpy as np
import pyarrow as pa

from grafana_plugin_sdk.data import Field, FieldType, Frame

SIZES = (1_000, 100_000, 1_000_000)
START_NS = 1_700_000_000_000_000_000


def mixed_frame(rows: int) -> Frame:
    """time, float64, nullable float64 with NaN (every 7th row null, every 11th NaN), string."""
    rng = np.random.default_rng(0)
    times = START_NS + np.arange(rows, dtype=np.int64) * 1_000_000_000
    values = rng.normal(size=rows)
    nullable = rng.normal(size=rows)
    nullable[::11] = np.nan
    mask = np.zeros(rows, dtype=bool)
    mask[::7] = True
    return Frame(
        "bench",
        [
            Field("time", pa.array(times).view(pa.timestamp("ns"))),
            Field("value", values),
            Field("maybe", pa.array(nullable, mask=mask), nullable=True),
            Field("host", pa.array([f"host-{i % 100}" for i in range(rows)])),
        ],
        ref_id="A",
    )


def time_frame(rows: int) -> Frame:
    """The issue's goal case: (time, float64)."""
    times = START_NS + np.arange(rows, dtype=np.int64) * 1_000_000_000
    return Frame(
        "", [Field("time", times, type=FieldType.TIME), Field("value", np.random.default_rng(1).normal(size=rows))]
    )


def best(fn: Callable[[], Any], repeat: int) -> tuple[float, Any]:
    """Best wall time (s) of ``repeat`` calls, and the last result."""
    result, fastest = None, float("inf")
    for _ in range(repeat):
        start = time.perf_counter()
        result = fn()
        fastest = min(fastest, time.perf_counter() - start)
    return fastest, result


def naive_json(table: pa.Table) -> bytes:
    return json.dumps(table.to_pylist(), default=str).encode()


def main() -> None:
    print(f"python {sys.version.split()[0]}, pyarrow {pa.__version__}, numpy {np.__version__}")
    header = f"{'frame':<22}{'rows':>10}  {'op':<26}{'ms':>10}{'MB/s':>10}{'x naive':>9}"
    print(header)
    print("-" * len(header))
    for build, label in ((mixed_frame, "time,f64,f64?,string"), (time_frame, "time,f64")):
        for rows in SIZES:
            frame = build(rows)
            repeat = 10 if rows <= 100_000 else 3
            enc_s, arrow = best(frame.to_arrow, repeat)
            dec_s, _ = best(lambda: Frame.from_arrow(arrow), repeat)  # noqa: B023
            ours_s, doc = best(lambda: Frame.from_arrow(arrow).to_json(), repeat)  # noqa: B023
            table = pa.ipc.open_file(arrow).read_all()
            naive_s, naive_doc = best(lambda: naive_json(table), 1 if rows >= 1_000_000 else 3)  # noqa: B023
            for op, seconds, size in (
                ("arrow encode", enc_s, len(arrow)),
                ("arrow decode", dec_s, len(arrow)),
                ("arrow -> frame JSON", ours_s, len(doc)),
                ("naive json.dumps(to_pylist)", naive_s, len(naive_doc)),
            ):
                ratio = f"{naive_s / seconds:8.1f}x" if op.startswith("arrow ->") else ""
                print(f"{label:<22}{rows:>10}  {op:<26}{seconds * 1e3:>10.2f}{size / seconds / 1e6:>10.0f}{ratio:>9}")
        print()


if __name__ == "__main__":
    main()
