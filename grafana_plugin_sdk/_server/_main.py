"""The plugin process: handshake, one gRPC server with every service, signals and graceful shutdown."""

from __future__ import annotations

import asyncio
import logging
import os
import signal
import sys
from collections.abc import Mapping
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from typing import NoReturn

import grpc

from grafana_plugin_sdk import log, tracing
from grafana_plugin_sdk.serve import DEFAULT_MAX_RECEIVE_MESSAGE_SIZE

from ._goplugin import add_goplugin_services
from ._handshake import CookieError, check_cookie, handshake_line, negotiate_version
from ._listen import ListenError, Transport, bind
from ._services import add_services

_logger = log.get_logger("grafana_plugin_sdk.server")


@dataclass(frozen=True)
class ServeOptions:
    """How the plugin serves; see ``grafana_plugin_sdk.serve``."""

    transport: Transport = "unix"
    max_receive_message_size: int = DEFAULT_MAX_RECEIVE_MESSAGE_SIZE
    max_workers: int | None = None
    shutdown_grace: float = 5.0
    plugin_id: str = ""


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


async def _serve(handler: object, options: ServeOptions, env: Mapping[str, str], version: int, stdout_fd: int) -> None:
    loop = asyncio.get_running_loop()
    executor = ThreadPoolExecutor(options.max_workers, thread_name_prefix="grafana-plugin")
    loop.set_default_executor(executor)
    stopping = asyncio.Event()
    loop.add_signal_handler(signal.SIGTERM, stopping.set)

    server = grpc.aio.server(
        options=[
            ("grpc.max_receive_message_length", options.max_receive_message_size),
            ("grpc.max_send_message_length", -1),
            ("grpc.so_reuseport", 0),
        ]
    )
    health_servicer = await add_goplugin_services(server, stopping)
    services = add_services(server, handler, options.plugin_id)
    listening = bind(server, options.transport, env)
    try:
        await server.start()
        listening.finish_setup(env)
        write_all(stdout_fd, handshake_line(version, listening.network, listening.address).encode())
        _logger.debug("plugin serving", address=listening.address, network=listening.network, services=services)
        await stopping.wait()
        _logger.debug("plugin shutting down")
        await health_servicer.enter_graceful_shutdown()
        await server.stop(options.shutdown_grace)
    finally:
        listening.cleanup()
        executor.shutdown(wait=False, cancel_futures=True)


def run(handler: object, options: ServeOptions) -> NoReturn:
    """Serve ``handler`` until Shutdown or SIGTERM, then exit the process (status 0)."""
    env = dict(os.environ)
    try:
        check_cookie(env)
    except CookieError as exc:
        sys.stderr.write(f"{exc}\n")
        sys.stderr.flush()
        sys.exit(1)
    log.setup()
    tracing.setup_from_env(options.plugin_id, env)
    negotiation = negotiate_version(env)
    for warning in negotiation.warnings:
        _logger.warn(warning)
    stdout_fd = detach_stdout()
    signal.signal(signal.SIGINT, signal.SIG_IGN)  # the host's terminal Ctrl-C is the host's business
    code = 0
    try:
        asyncio.run(_serve(handler, options, env, negotiation.version, stdout_fd))
    except ListenError as exc:
        _logger.error(f"cannot start the plugin server: {exc}")
        code = 1
    except Exception:
        _logger.exception("the plugin server failed")
        code = 1
    tracing.shutdown()
    logging.shutdown()
    for stream in (sys.stdout, sys.stderr):
        stream.flush()
    # Handler threads still running must not keep a stopped plugin alive (the host kills it 2 s later anyway).
    os._exit(code)
