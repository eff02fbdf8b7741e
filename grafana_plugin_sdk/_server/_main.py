"""The plugin process: handshake, one gRPC server with every service, signals and graceful shutdown."""

from __future__ import annotations

import asyncio
import dataclasses
import logging
import os
import signal
import sys
from collections.abc import Callable, Mapping
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from pathlib import Path
from typing import NoReturn

import grpc

from grafana_plugin_sdk import tracing
from grafana_plugin_sdk.backend import HandlerError, check_handler
from grafana_plugin_sdk.log import get_logger
from grafana_plugin_sdk.log import setup as setup_logging
from grafana_plugin_sdk.serve import DEFAULT_MAX_RECEIVE_MESSAGE_SIZE
from grafana_plugin_sdk.wire.handshake import CookieError, check_cookie, handshake_line, negotiate_version

from ._goplugin import add_goplugin_services
from ._listen import ListenError, Listening, Transport, bind
from ._services import add_services
from ._standalone import (
    StandaloneFiles,
    address_variable,
    attach_target,
    find_plugin_dir,
    free_address,
    normalise_address,
    watch,
)

log = get_logger("grafana_plugin_sdk.server")


@dataclass(frozen=True)
class ServeOptions:
    """How the plugin serves; see ``grafana_plugin_sdk.serve``."""

    transport: Transport = "unix"
    max_receive_message_size: int = DEFAULT_MAX_RECEIVE_MESSAGE_SIZE
    max_workers: int | None = None
    shutdown_grace: float = 5.0
    plugin_id: str = ""
    standalone: bool = False


def detach_stdout() -> int:
    """Keep the real stdout for the handshake alone; point fd 1 (``print``, C libraries) at stderr.

    Returns the file descriptor of the real stdout. Output ``print`` buffered before ``serve`` goes to stderr too.
    """
    real_stdout = os.dup(1)
    os.dup2(2, 1)
    if hasattr(sys.stdout, "reconfigure"):
        sys.stdout.reconfigure(line_buffering=True)
    return real_stdout


def write_all(fd: int, data: bytes) -> None:
    """Write every byte of ``data`` to ``fd``."""
    view = memoryview(data)
    while view:
        view = view[os.write(fd, view) :]


async def _serve(
    handler: object,
    options: ServeOptions,
    env: Mapping[str, str],
    announce: Callable[[Listening], None],
    standalone_address: str = "",
    standalone_started: Callable[[], bool] | None = None,
) -> None:
    """Serve until Shutdown or SIGTERM; ``announce`` tells the world where (handshake line, standalone files).

    With ``standalone_address`` the server listens there, Ctrl-C stops it and the host's Shutdown does not (the
    host only stops its attached stand-in process). ``standalone_started`` is polled every second: once a
    standalone server of this plugin runs, this one stops so that the host restarts the plugin and attaches.
    """
    loop = asyncio.get_running_loop()
    executor = ThreadPoolExecutor(options.max_workers, thread_name_prefix="grafana-plugin")
    loop.set_default_executor(executor)
    stopping = asyncio.Event()
    loop.add_signal_handler(signal.SIGTERM, stopping.set)
    if standalone_address:
        loop.add_signal_handler(signal.SIGINT, stopping.set)

    server = grpc.aio.server(
        options=[
            ("grpc.max_receive_message_length", options.max_receive_message_size),
            ("grpc.max_send_message_length", -1),
            ("grpc.so_reuseport", 0),
        ]
    )
    health_servicer = await add_goplugin_services(server, stopping, shutdown=not standalone_address)
    services = add_services(server, handler, options.plugin_id)
    listening = (
        _bind_standalone(server, standalone_address) if standalone_address else bind(server, options.transport, env)
    )
    try:
        await server.start()
        listening.finish_setup(env)
        announce(listening)
        log.debug("plugin serving", address=listening.address, network=listening.network, services=services)
        watcher = None
        if standalone_started is not None:
            watcher = asyncio.create_task(_yield_to_standalone(standalone_started, stopping))
        await stopping.wait()
        if watcher is not None:
            watcher.cancel()
        log.debug("plugin shutting down")
        await health_servicer.enter_graceful_shutdown()
        await server.stop(options.shutdown_grace)
    finally:
        listening.cleanup()
        executor.shutdown(wait=False, cancel_futures=True)


async def _yield_to_standalone(started: Callable[[], bool], stopping: asyncio.Event) -> None:
    while not stopping.is_set():
        await asyncio.sleep(1.0)
        if await asyncio.to_thread(started):
            log.info("a standalone server of this plugin started; stopping so the host attaches to it")
            stopping.set()


def _bind_standalone(server: grpc.aio.Server, address: str) -> Listening:
    try:
        bound = server.add_insecure_port(address)
    except RuntimeError:
        bound = 0
    if not bound:
        raise ListenError(f"cannot listen on {address}")
    return Listening("tcp", address)


def _plugin_folder(plugin_id: str) -> tuple[Path, str] | None:
    """The plugin folder (holding plugin.json) at or above the ``__main__`` module, else the working directory."""
    main_file = getattr(sys.modules.get("__main__"), "__file__", None)
    start = Path(main_file).resolve().parent if main_file else Path.cwd()
    return find_plugin_dir(start, plugin_id) or find_plugin_dir(Path.cwd(), plugin_id)


def _run_standalone(handler: object, options: ServeOptions, env: Mapping[str, str]) -> int:
    """Serve on TCP without a host, for debugging; the host attaches through ``standalone.txt``."""
    found = _plugin_folder(options.plugin_id)
    if found is None:
        sys.stderr.write(f"standalone mode needs the plugin folder: no plugin.json at or above {Path.cwd()}\n")
        return 1
    folder, plugin_id = found
    address = env.get(address_variable(plugin_id)) or free_address()
    files = StandaloneFiles(folder, address)

    def announce(listening: Listening) -> None:
        files.write()
        sys.stderr.write(f"plugin {plugin_id} serving standalone on {listening.address} (pid {os.getpid()})\n")

    options = dataclasses.replace(options, plugin_id=options.plugin_id or plugin_id)
    setup_logging()
    try:
        asyncio.run(_serve(handler, options, env, announce, standalone_address=normalise_address(address)))
    except ListenError as exc:
        log.error(f"cannot start the plugin server: {exc}")
        return 1
    finally:
        files.remove()
    return 0


def _attach(found: tuple[Path, str] | None, env: Mapping[str, str], version: int, stdout_fd: int) -> bool:
    """Point the host at a running standalone server, if there is one, and wait until it goes away."""
    target = attach_target(*found, env) if found is not None else None
    if target is None:
        return False
    log.info("attaching the host to the standalone plugin server", address=target.address, pid=target.pid)
    write_all(stdout_fd, handshake_line(version, "tcp", target.address).encode())
    signal.signal(signal.SIGTERM, lambda *_: os._exit(0))
    watch(target)
    log.info("the standalone plugin server is gone; exiting so the host starts the plugin again")
    return True


def run(handler: object, options: ServeOptions) -> NoReturn:
    """Serve ``handler`` until Shutdown or SIGTERM, then exit the process (status 0).

    ``--standalone`` on the command line (or ``options.standalone``) serves without a host, for debugging.
    """
    try:
        check_handler(handler)
    except HandlerError as exc:
        sys.stderr.write(f"{exc}\n")
        sys.stderr.flush()
        sys.exit(1)
    env = dict(os.environ)
    if options.standalone or "--standalone" in sys.argv[1:]:
        code = _run_standalone(handler, options, env)
        logging.shutdown()
        os._exit(code)
    try:
        check_cookie(env)
    except CookieError as exc:
        sys.stderr.write(f"{exc}\n")
        sys.stderr.flush()
        sys.exit(1)
    setup_logging()
    tracing.setup_from_env(options.plugin_id, env)
    negotiation = negotiate_version(env)
    for warning in negotiation.warnings:
        log.warn(warning)
    stdout_fd = detach_stdout()
    signal.signal(signal.SIGINT, signal.SIG_IGN)  # the host's terminal Ctrl-C is the host's business
    found = _plugin_folder(options.plugin_id)
    if _attach(found, env, negotiation.version, stdout_fd):
        os._exit(0)

    def standalone_started() -> bool:
        return found is not None and attach_target(*found, env) is not None

    def announce(listening: Listening) -> None:
        write_all(stdout_fd, handshake_line(negotiation.version, listening.network, listening.address).encode())

    code = 0
    try:
        asyncio.run(_serve(handler, options, env, announce, standalone_started=standalone_started))
    except ListenError as exc:
        log.error(f"cannot start the plugin server: {exc}")
        code = 1
    except Exception:
        log.exception("the plugin server failed")
        code = 1
    tracing.shutdown()
    logging.shutdown()
    for stream in (sys.stdout, sys.stderr):
        stream.flush()
    # Handler threads still running must not keep a stopped plugin alive (the host kills it 2 s later anyway).
    os._exit(code)
