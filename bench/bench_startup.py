"""Plugin start-up: time from process start to the handshake line, and idle resident memory.

Runs each plugin program RUNS times as a host would (magic cookie, unix socket dir) and prints medians beside the
goals (0.5 s, 60 MB) and beside a bare ``python -c pass`` for scale. Not a test: ``python bench/bench_startup.py``.
"""

from __future__ import annotations

import os
import select
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
RUNS = int(os.environ.get("RUNS", "7"))
IDLE_SECONDS = 1.0
PROGRAMS = {
    "no handlers (serve(object()))": ROOT / "tests/sdk/plugins/bare_plugin.py",
    "sync handlers": ROOT / "tests/sdk/plugins/sync_plugin.py",
    "async handlers + QueryTypeMux": ROOT / "tests/sdk/plugins/async_plugin.py",
    "datasource.manage": ROOT / "tests/sdk/plugins/instances_plugin.py",
}
GOAL_SECONDS = 0.5
GOAL_MB = 60.0


def rss_mb(pid: int) -> float:
    """Resident set size of ``pid`` in MB (Linux /proc)."""
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        if line.startswith("VmRSS:"):
            return int(line.split()[1]) / 1024
    raise RuntimeError("no VmRSS")


def one_run(argv: list[str], workdir: str, base_env: dict[str, str] | None = None) -> tuple[float, float]:
    """Seconds to the handshake line and idle RSS (MB) of one plugin process started with ``argv``."""
    env = {
        **(base_env if base_env is not None else os.environ),
        "grafana_plugin_type": "datasource",
        "PLUGIN_PROTOCOL_VERSIONS": "2",
        "PLUGIN_UNIX_SOCKET_DIR": workdir,
        "INSTANCE_LOG": os.path.join(workdir, "instances.log"),
        "PYTHONPATH": (base_env or os.environ).get("PYTHONPATH", str(ROOT)),
    }
    start = time.perf_counter()
    proc = subprocess.Popen(argv, stdout=subprocess.PIPE, stderr=subprocess.DEVNULL, env=env)
    try:
        assert proc.stdout is not None
        line = b""
        while not line.endswith(b"\n"):
            if not select.select([proc.stdout], [], [], 30)[0]:
                raise RuntimeError("no handshake within 30 s")
            line += os.read(proc.stdout.fileno(), 256)
        elapsed = time.perf_counter() - start
        time.sleep(IDLE_SECONDS)
        return elapsed, rss_mb(proc.pid)
    finally:
        proc.terminate()
        proc.wait(10)


def baseline() -> tuple[float, float]:
    """A bare interpreter: start-up seconds and RSS at exit (MB)."""
    start = time.perf_counter()
    out = subprocess.run(
        [sys.executable, "-c", "import resource; print(resource.getrusage(resource.RUSAGE_SELF).ru_maxrss)"],
        capture_output=True,
        check=True,
    )
    return time.perf_counter() - start, int(out.stdout) / 1024


def main() -> None:
    """Print the medians of every program as a table."""
    base_s, base_mb = baseline()
    print(
        f"{RUNS} runs each; median; python {sys.version.split()[0]}; bare interpreter {base_s:.3f} s, {base_mb:.1f} MB"
    )
    print(f"{'plugin':34} {'to handshake':>13} {'x goal':>7} {'x bare':>7} {'idle RSS':>10} {'x goal':>7}")
    with tempfile.TemporaryDirectory(prefix="gpb-") as workdir:
        for name, program in PROGRAMS.items():
            runs = [one_run([sys.executable, str(program)], workdir) for _ in range(RUNS)]
            seconds = statistics.median(r[0] for r in runs)
            mb = statistics.median(r[1] for r in runs)
            print(
                f"{name:34} {seconds:11.3f} s {seconds / GOAL_SECONDS:7.2f} {seconds / base_s:7.1f} "
                f"{mb:7.1f} MB {mb / GOAL_MB:7.2f}"
            )


if __name__ == "__main__":
    main()
