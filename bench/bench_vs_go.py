"""The host and the Python plugin runtime side by side with Grafana's Go stack, in one run.

Builds the Go programs in ``tests/interop/go`` (``gofront``: net/http + go-plugin + the Go SDK's QueryData client and
JSON, no authentication; ``gotestdata``: a Go SDK plugin with TestData's benchmark scenarios), then measures:

1. ``POST /api/ds/query`` (a small ``random_walk`` query) with ``wrk`` at 1, 8 and 64 connections against four
   fronts: our host + the Python TestData plugin, gofront + the same Python plugin, our host + the Go plugin,
   gofront + the Go plugin. Rounds are interleaved (every configuration once per round, order rotated); min and
   median req/s, median p50/p99, and the CPU each process used per request (the load generator's included).
2. Plugin-side QueryData calls/s over gRPC from one Go client (gofront's load mode), Python vs Go plugin, small
   frame at 1 and 8 callers and a 1M-row frame at 1 caller.
3. Plugin start to handshake and idle RSS: the Go plugin, the Python TestData plugin (which loads frames, numpy and
   pyarrow with its first data source instance) and a Python plugin that imports frames at start.

Everything shares the machine's cores; the summary says how many. Usage (from the project root):
``PYTHONPATH=. python bench/bench_vs_go.py [--seconds 5] [--rounds 3] [--only http,plugin,startup] [--stacks]``.
``--stacks`` adds our host under each uvicorn event loop / HTTP parser pair (asyncio or uvloop, h11 or httptools).
"""

from __future__ import annotations

import argparse
import base64
import contextlib
import json
import os
import resource
import shutil
import signal
import socket
import statistics
import subprocess
import sys
import tempfile
import time
import urllib.request
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from bench.bench_startup import baseline, one_run

ROOT = Path(__file__).resolve().parent.parent
GO_DIR = ROOT / "tests" / "interop" / "go"
PY_PLUGIN = "python-testdata-datasource"
GO_PLUGIN = "go-testdata-datasource"
PY_LAUNCHER = ROOT / "example_plugins" / "testdata" / "gpx_testdata_linux_amd64"
FRAMES_PLUGIN = ROOT / "tests" / "sdk" / "plugins" / "sync_plugin.py"
#: Subprocesses import this checkout (SDK and host) even where another copy is installed.
PYTHONPATH = os.pathsep.join([str(ROOT), str(ROOT / "host")])
AUTH = ("admin", "admin")
SMALL_QUERY = {"refId": "A", "scenarioId": "random_walk", "maxDataPoints": 100, "intervalMs": 1000}
BIG_QUERY = {"refId": "A", "scenarioId": "large_frame", "rows": 1_000_000}
CLIENTS = (1, 8, 64)
#: The event loop and HTTP parser of ``grafana-plugin-host serve``, which the default rows run.
SERVE_STACK = ("uvloop", "httptools")
#: Our host under another loop/parser pair (``--stacks``), without the serve command's head limits.
HOST_SERVER = """
import uvicorn
from grafana_plugin_host.app import create_app
from grafana_plugin_host.config import load_settings
from grafana_plugin_host.plugins import PluginManager
settings = load_settings("")
app = create_app(settings, plugins=PluginManager(settings))
uvicorn.run(app, host="127.0.0.1", port={port}, loop="{loop}", http="{http}", log_level="warning", access_log=False)
"""
WRK_SCRIPT = """
wrk.method = "{method}"
wrk.body = [[{body}]]
wrk.headers["Content-Type"] = "application/json"
wrk.headers["Authorization"] = "{authorization}"
done = function(summary, latency, requests)
  local e = summary.errors
  io.write(string.format('{{"requests":%d,"us":%d,"p50":%d,"p99":%d,"status":%d,"socket":%d}}\\n',
    summary.requests, summary.duration, latency:percentile(50), latency:percentile(99), e.status,
    e.connect + e.read + e.write + e.timeout))
end
"""


def free_port() -> int:
    """A free TCP port on loopback."""
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port: int = sock.getsockname()[1]
        return port


def build_go(out: Path) -> tuple[Path, Path]:
    """``go build`` gofront and gotestdata into ``out``."""
    subprocess.run(["go", "build", "-o", f"{out}/", "./gofront", "./gotestdata"], cwd=GO_DIR, check=True)
    return out / "gofront", out / "gotestdata"


def plugin_folder(parent: Path, plugin_id: str, target: Path) -> None:
    """A Grafana plugin folder ``parent/plugin_id`` whose executable execs ``target``."""
    folder = parent / plugin_id
    folder.mkdir(parents=True)
    manifest = {"id": plugin_id, "type": "datasource", "name": plugin_id, "backend": True, "executable": "gpx_bench"}
    (folder / "plugin.json").write_text(json.dumps(manifest))
    launcher = folder / "gpx_bench_linux_amd64"
    launcher.write_text(f'#!/bin/sh\nexec "{target}" "$@"\n')
    launcher.chmod(0o755)


def cpu_seconds(pid: int) -> tuple[float, float]:
    """CPU seconds (user + system) of ``pid`` and of all its descendants (Linux /proc)."""
    tick = os.sysconf("SC_CLK_TCK")
    stats: dict[int, tuple[int, float]] = {}
    for entry in Path("/proc").iterdir():
        if entry.name.isdigit():
            with contextlib.suppress(OSError):
                fields = (entry / "stat").read_text().rsplit(")", 1)[1].split()
                stats[int(entry.name)] = (int(fields[1]), (int(fields[11]) + int(fields[12])) / tick)
    children: dict[int, list[int]] = {}
    for child, (parent, _) in stats.items():
        children.setdefault(parent, []).append(child)
    below, todo = 0.0, list(children.get(pid, []))
    while todo:
        current = todo.pop()
        below += stats[current][1]
        todo.extend(children.get(current, []))
    return stats.get(pid, (0, 0.0))[1], below


@dataclass
class Front:
    """A running server (host or gofront) with its plugin, in its own process group."""

    name: str
    proc: subprocess.Popen[bytes]
    url: str
    body: bytes
    #: Request headers beyond the content type and authorization.
    headers: dict[str, str] = field(default_factory=dict)

    def stop(self) -> None:
        """SIGTERM the process group, SIGKILL after 10 s."""
        with contextlib.suppress(ProcessLookupError):
            os.killpg(self.proc.pid, signal.SIGTERM)
        try:
            self.proc.wait(10)
        except subprocess.TimeoutExpired:
            os.killpg(self.proc.pid, signal.SIGKILL)
            self.proc.wait()


def admin_request(url: str, body: dict[str, Any] | None = None) -> Any:
    """A JSON request to the host as its admin; the parsed answer."""
    token = base64.b64encode(":".join(AUTH).encode()).decode()
    data = json.dumps(body).encode() if body is not None else None
    req = urllib.request.Request(url, data=data, headers={"Authorization": f"Basic {token}"})
    if data is not None:
        req.add_header("Content-Type", "application/json")
    with urllib.request.urlopen(req, timeout=60) as response:
        return json.loads(response.read())


def _wait(check: Any, what: str, seconds: float = 60.0) -> None:
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        with contextlib.suppress(OSError, ValueError):
            if check():
                return
        time.sleep(0.1)
    raise RuntimeError(f"{what} did not start within {seconds:g} s")


def start_host(name: str, env: dict[str, str], data: Path, loop: str, http: str, plugin_id: str | None) -> Front:
    """Our host (uvicorn with ``loop``/``http``) on a free port; with ``plugin_id``, one data source of it, and
    the front's request is a small query to it (else ``GET /api/datasources``)."""
    port = free_port()
    host_env = {**env, "GF_PATHS_DATA": str(data), "GF_PLUGINS_START": "lazy"}
    data.mkdir(parents=True, exist_ok=True)
    if (loop, http) == SERVE_STACK:  # exactly what operators run: the serve command (head limits in the protocol)
        argv = [sys.executable, "-c", "import sys; from grafana_plugin_host.cli import main; sys.exit(main())"]
        host_env |= {"GF_SERVER_HTTP_ADDR": "127.0.0.1", "GF_SERVER_HTTP_PORT": str(port), "GF_LOG_LEVEL": "warn"}
    else:
        argv = [sys.executable, "-c", HOST_SERVER.format(port=port, loop=loop, http=http)]
    with (data.parent / f"{data.name}.log").open("ab") as log:  # the host's log lines, kept out of the tables
        proc = subprocess.Popen(argv, env=host_env, stderr=log, start_new_session=True)
    base = f"http://127.0.0.1:{port}"
    _wait(lambda: admin_request(f"{base}/api/health"), name)
    if plugin_id is None:
        return Front(name, proc, f"{base}/api/datasources", b"")
    created = admin_request(f"{base}/api/datasources", {"name": "bench", "type": plugin_id, "access": "proxy"})
    body = {"queries": [{**SMALL_QUERY, "datasource": {"uid": created["datasource"]["uid"]}}], "from": "now-1h"}
    return Front(name, proc, f"{base}/api/ds/query", json.dumps({**body, "to": "now"}).encode())


def start_gofront(name: str, env: dict[str, str], gofront: Path, plugin: Path) -> Front:
    """gofront on a free port serving ``plugin``."""
    port = free_port()
    proc = subprocess.Popen(
        [str(gofront), "-listen", f"127.0.0.1:{port}", "--", str(plugin)],
        env=env,
        stdout=subprocess.PIPE,
        start_new_session=True,
    )
    assert proc.stdout is not None
    if proc.stdout.readline().strip() != b"ready":
        raise RuntimeError(f"{name} did not start")
    body = {"queries": [SMALL_QUERY], "from": "now-1h", "to": "now"}
    return Front(name, proc, f"http://127.0.0.1:{port}/api/ds/query", json.dumps(body).encode())


@dataclass
class Sample:
    """One wrk run: rate, latency percentiles, CPU per request of wrk, the front and its plugin."""

    rate: float
    p50_ms: float
    p99_ms: float
    errors: int
    cpu_ms: dict[str, float] = field(default_factory=dict)


def run_wrk(front: Front, clients: int, seconds: float, script_dir: Path) -> Sample:
    """Drive ``front`` with ``wrk`` (``clients`` connections, up to 2 threads) for ``seconds``."""
    script = script_dir / f"{abs(hash((front.body, tuple(front.headers.items()))))}.lua"
    authorization = "Basic " + base64.b64encode(":".join(AUTH).encode()).decode()
    method = "POST" if front.body else "GET"
    extra = "".join(f'wrk.headers["{k}"] = "{v}"\n' for k, v in front.headers.items())
    script.write_text(WRK_SCRIPT.format(method=method, body=front.body.decode(), authorization=authorization) + extra)
    threads = min(clients, 2)
    before_self = resource.getrusage(resource.RUSAGE_CHILDREN)
    before_front, before_plugin = cpu_seconds(front.proc.pid)
    duration = f"{max(1, round(seconds))}s"
    out = subprocess.run(
        ["wrk", f"-t{threads}", f"-c{clients}", f"-d{duration}", "--timeout", "30s", "-s", str(script), front.url],
        capture_output=True,
        text=True,
        check=True,
    )
    after_self = resource.getrusage(resource.RUSAGE_CHILDREN)
    after_front, after_plugin = cpu_seconds(front.proc.pid)
    result = json.loads(out.stdout.strip().splitlines()[-1])
    requests = max(1, result["requests"])
    wrk_cpu = (after_self.ru_utime + after_self.ru_stime) - (before_self.ru_utime + before_self.ru_stime)
    cpu = {
        "wrk": wrk_cpu * 1000 / requests,
        "front": (after_front - before_front) * 1000 / requests,
        "plugin": (after_plugin - before_plugin) * 1000 / requests,
    }
    rate = result["requests"] / (result["us"] / 1e6)
    return Sample(rate, result["p50"] / 1000, result["p99"] / 1000, result["status"] + result["socket"], cpu)


@dataclass
class Series:
    """Samples of one configuration at one level."""

    samples: list[Sample] = field(default_factory=list)

    def rate(self) -> tuple[float, float]:
        """Min and median req/s."""
        rates = [s.rate for s in self.samples]
        return min(rates), statistics.median(rates)

    def median(self, attr: str) -> float:
        """Median of a Sample attribute."""
        return float(statistics.median(getattr(s, attr) for s in self.samples))

    def cpu(self, part: str) -> float:
        """Median CPU ms per request of ``part``."""
        return statistics.median(s.cpu_ms[part] for s in self.samples)


def http_rounds(fronts: list[Front], rounds: int, seconds: float, tmp: Path) -> dict[tuple[str, int], Series]:
    """Every front at every level once per round, the order rotated each round."""
    results: dict[tuple[str, int], Series] = {}
    for front in fronts:  # warm up: plugin start, connections, caches
        run_wrk(front, 8, 1, tmp)
    for n in range(rounds):
        order = fronts[n % len(fronts) :] + fronts[: n % len(fronts)]
        for clients in CLIENTS:
            for front in order:
                sample = run_wrk(front, clients, seconds, tmp)
                results.setdefault((front.name, clients), Series()).samples.append(sample)
                print(
                    f"  round {n + 1} {front.name:28} c={clients:<3} {sample.rate:7.0f} req/s "
                    f"p50 {sample.p50_ms:6.1f} p99 {sample.p99_ms:7.1f} ms errors {sample.errors}",
                    flush=True,
                )
    return results


def print_http(results: dict[tuple[str, int], Series], names: list[str]) -> None:
    """The HTTP table, then the ratios of each host configuration to its Go reference."""
    print("\n/api/ds/query, small random_walk (median of rounds; CPU ms per request: wrk / front / plugin)")
    print(f"{'configuration':28} {'c':>3} {'min r/s':>8} {'med r/s':>8} {'p50 ms':>7} {'p99 ms':>8}  cpu ms/req")
    for name in names:
        for clients in CLIENTS:
            s = results[(name, clients)]
            low, med = s.rate()
            cpu = " / ".join(f"{s.cpu(p):.2f}" for p in ("wrk", "front", "plugin"))
            print(
                f"{name:28} {clients:>3} {low:8.0f} {med:8.0f} {s.median('p50_ms'):7.1f} {s.median('p99_ms'):8.1f}  {cpu}"
            )
    print("\nratios (median req/s; p99 ours / reference)")
    for ours, ref in (("host + py", "gofront + py"), ("host + go", "gofront + go")):
        for name in [n for n in names if n.startswith(ours)]:
            for clients in CLIENTS:
                a, b = results[(name, clients)], results[(ref, clients)]
                ratio = a.rate()[1] / b.rate()[1]
                p99 = a.median("p99_ms") / b.median("p99_ms")
                print(f"  {name:28} vs {ref:14} c={clients:<3} {ratio:5.2f}x  (p99 x{p99:.2f})")


def plugin_rounds(gofront: Path, plugins: dict[str, Path], env: dict[str, str], rounds: int, seconds: float) -> None:
    """QueryData calls/s from gofront's load mode, plugins interleaved, then the ratios."""
    cases = [("small", SMALL_QUERY, 1), ("small", SMALL_QUERY, 8), ("1M rows", BIG_QUERY, 1)]
    results: dict[tuple[str, str, int], list[dict[str, Any]]] = {}
    for n in range(rounds):
        for label, query, callers in cases:
            for name, plugin in sorted(plugins.items(), reverse=n % 2 == 1):
                load = ["-load-seconds", str(seconds), "-load-callers", str(callers), "-query", json.dumps(query)]
                out = subprocess.run(
                    [str(gofront), *load, "--", str(plugin)],
                    env=env,
                    capture_output=True,
                    text=True,
                    check=True,
                )
                result = json.loads(out.stdout)
                results.setdefault((name, label, callers), []).append(result)
                rate = result["calls"] / result["seconds"]
                print(f"  round {n + 1} {name:7} {label:8} callers={callers} {rate:8.1f} calls/s", flush=True)
    print("\nplugin QueryData over gRPC (median of rounds)")
    for label, _, callers in cases:
        rates = {}
        for name in plugins:
            runs = results[(name, label, callers)]
            rates[name] = statistics.median(r["calls"] / r["seconds"] for r in runs)
            p50 = statistics.median(r["p50Ms"] for r in runs)
            print(
                f"  {label:8} callers={callers} {name:7} {rates[name]:8.1f} calls/s (min {min(r['calls'] / r['seconds'] for r in runs):.1f}) p50 {p50:.2f} ms"
            )
        print(f"  {label:8} callers={callers} python / go: {rates['python'] / rates['go']:.2f}x")


def startup(programs: dict[str, list[str]], env: dict[str, str], runs: int) -> None:
    """Median start-to-handshake time and idle RSS of each plugin program."""
    bare = baseline()
    print(
        f"\nplugin start -> handshake, idle RSS (median); a bare `python -c` takes {bare[0] * 1000:.0f} ms, {bare[1]:.1f} MB"
    )
    medians: dict[str, tuple[float, float]] = {}
    with tempfile.TemporaryDirectory(prefix="gpb-") as workdir:
        samples: dict[str, list[tuple[float, float]]] = {name: [] for name in programs}
        for _ in range(runs):
            for name, argv in programs.items():
                samples[name].append(one_run(argv, workdir, env))
        for name, values in samples.items():
            medians[name] = statistics.median(v[0] for v in values), statistics.median(v[1] for v in values)
            print(f"  {name:34} {medians[name][0] * 1000:6.0f} ms {medians[name][1]:6.1f} MB")
    go = medians["go"]
    for name, (seconds, mb) in medians.items():
        if name != "go":
            print(f"  {name:34} vs go: {seconds / go[0]:5.1f}x time, {mb / go[1]:4.1f}x RSS")


@contextlib.contextmanager
def fronts_running(args: argparse.Namespace, tmp: Path, gofront: Path, goplugin: Path) -> Iterator[list[Front]]:
    """Start every configuration (hosts on their own data folders); stop them all at the end."""
    plugins = tmp / "plugins"
    plugin_folder(plugins, PY_PLUGIN, PY_LAUNCHER)
    plugin_folder(plugins, GO_PLUGIN, goplugin)
    env = {
        **os.environ,
        "PYTHONPATH": PYTHONPATH,
        "GF_PLUGIN_PYTHON": sys.executable,
        "GF_PATHS_PLUGINS": str(plugins),
        "GF_PLUGINS_ALLOW_LOADING_UNSIGNED_PLUGINS": f"{PY_PLUGIN},{GO_PLUGIN}",
        "GF_SECURITY_ADMIN_PASSWORD": AUTH[1],
    }
    stacks = [SERVE_STACK]
    if args.stacks:
        stacks += [("asyncio", "h11"), ("asyncio", "httptools"), ("uvloop", "h11")]
    fronts: list[Front] = []
    try:
        for loop, http in stacks:
            suffix = "" if (loop, http) == stacks[0] else f" [{loop}/{http}]"
            for label, plugin_id in (("py", PY_PLUGIN), ("go", GO_PLUGIN)):
                name = f"host + {label}{suffix}"
                data = tmp / f"data-{len(fronts)}"
                fronts.append(start_host(name, env, data, loop, http, plugin_id))
        fronts.append(start_gofront("gofront + py", env, gofront, PY_LAUNCHER))
        fronts.append(start_gofront("gofront + go", env, gofront, goplugin))
        yield fronts
    finally:
        for front in fronts:
            front.stop()


def main() -> None:
    """Build, run the selected parts, print every table."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--seconds", type=float, default=5.0)
    parser.add_argument("--rounds", type=int, default=3)
    parser.add_argument("--only", default="http,plugin,startup")
    parser.add_argument("--stacks", action="store_true", help="also run the host under each uvicorn loop/parser")
    args = parser.parse_args()
    parts = set(args.only.split(","))
    if shutil.which("wrk") is None and "http" in parts:
        sys.exit("wrk is not installed (Debian: apt-get install wrk)")
    print(f"{os.cpu_count()} CPUs shared by wrk, the fronts and the plugins; python {sys.version.split()[0]}")
    with tempfile.TemporaryDirectory(prefix="bench-vs-go-") as name:
        tmp = Path(name)
        gofront, goplugin = build_go(tmp / "bin")
        env = {**os.environ, "PYTHONPATH": PYTHONPATH, "GF_PLUGIN_PYTHON": sys.executable}
        if "http" in parts:
            with fronts_running(args, tmp, gofront, goplugin) as fronts:
                results = http_rounds(fronts, args.rounds, args.seconds, tmp)
            print_http(results, [f.name for f in fronts])
        if "plugin" in parts:
            plugin_rounds(gofront, {"python": PY_LAUNCHER, "go": goplugin}, env, args.rounds, args.seconds)
        if "startup" in parts:
            programs = {
                "go": [str(goplugin)],
                "python TestData (frames on 1st query)": [str(PY_LAUNCHER)],
                "python, frames imported at start": [sys.executable, str(FRAMES_PLUGIN)],
            }
            startup(programs, env, max(5, args.rounds * 2))


if __name__ == "__main__":
    main()
