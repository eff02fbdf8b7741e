"""``grafana-plugin-host``: run the host (``serve``, the default) or one of its maintenance commands.

Exit status: 0 after a clean stop, 2 for a bad configuration (message on stderr), 1 for other startup failures.
"""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import logging
import signal
import socket
import sys
from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass

import uvicorn
from sqlalchemy.exc import SQLAlchemyError
from starlette.types import ASGIApp

from grafana_plugin_host import listen
from grafana_plugin_host.app import create_app
from grafana_plugin_host.auth import cli as auth_cli
from grafana_plugin_host.config import Settings, load_settings_file
from grafana_plugin_host.errors import ConfigError, HostError
from grafana_plugin_host.http_limits import HeadLimits, limited_protocol
from grafana_plugin_host.plugins import PluginManager

log = logging.getLogger("grafana_plugin_host")

_LOG_LEVELS = {"debug": logging.DEBUG, "info": logging.INFO, "warn": logging.WARNING, "error": logging.ERROR}


@dataclass(frozen=True)
class Command:
    """A subcommand: its help line, extra arguments, and what it runs (returns the exit status)."""

    help: str
    add_arguments: Callable[[argparse.ArgumentParser], None]
    run: Callable[[Settings, argparse.Namespace], int]


class _Server(uvicorn.Server):
    """uvicorn's server, with signal handling that returns from ``serve`` so the app's cleanup runs."""

    @contextlib.contextmanager
    def capture_signals(self) -> Iterator[None]:
        loop = asyncio.get_running_loop()
        for sig in (signal.SIGINT, signal.SIGTERM):
            loop.add_signal_handler(sig, self.handle_exit, sig, None)
        try:
            yield
        finally:
            for sig in (signal.SIGINT, signal.SIGTERM):
                loop.remove_signal_handler(sig)

    async def startup(self, sockets: list[socket.socket] | None = None) -> None:
        await super().startup(sockets)
        for server in getattr(self, "servers", []):
            for sock in server.sockets:
                host, port = sock.getsockname()[:2]
                log.info("listening on http://%s:%d", f"[{host}]" if ":" in host else host, port)


def serve(settings: Settings, _args: argparse.Namespace) -> int:
    """Run the HTTP API until SIGINT or SIGTERM."""
    import uvloop

    sock = listen.bind(settings.http_addr, settings.http_port)  # before any plugin starts
    plugins = PluginManager(settings)
    app = create_app(settings, plugins=plugins)
    server = _Server(server_config(settings, app))

    async def run() -> None:
        async with app.router.lifespan_context(app):
            for meta in plugins.plugins():
                kind = "backend" if meta.backend else "frontend only"
                log.info("plugin %s %s (%s, %s) in %s", meta.id, meta.version, meta.type, kind, meta.directory)
            await server.serve(sockets=[sock])
        log.info("stopped")

    with asyncio.Runner(loop_factory=uvloop.new_event_loop) as runner:
        runner.run(run())
    return 0


def server_config(settings: Settings, app: ASGIApp) -> uvicorn.Config:
    """uvicorn's settings: the head limits in the protocol, forwarded headers only from trusted proxies."""
    return uvicorn.Config(
        app,
        host=settings.http_addr,
        port=settings.http_port,
        http=limited_protocol(
            HeadLimits(
                settings.max_request_line_bytes,
                settings.max_header_count,
                settings.max_header_bytes,
                float(settings.read_header_timeout),
            )
        ),
        proxy_headers=bool(settings.trusted_proxies),
        forwarded_allow_ips=list(settings.trusted_proxies),
        lifespan="off",
        log_config=None,
        access_log=False,
        server_header=False,
    )


#: Subcommands by name; ``serve`` runs when none is given. Other modules add theirs here.
COMMANDS: dict[str, Command] = {
    "serve": Command("run the HTTP API and the plugins (default)", lambda parser: None, serve),
    "create-token": Command(auth_cli.HELP, auth_cli.add_create_token_arguments, auth_cli.run_create_token),
}


def _parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="grafana-plugin-host",
        description="Serve Grafana's data source HTTP API and run Grafana backend plugins.",
        epilog="Settings come from defaults, the --config ini file, then GF_<SECTION>_<KEY> environment variables.",
    )
    parser.add_argument("--config", metavar="FILE", help="ini file with Grafana's sections and keys")
    commands = parser.add_subparsers(dest="command", metavar="COMMAND")
    for name, command in COMMANDS.items():
        command.add_arguments(commands.add_parser(name, help=command.help, description=command.help))
    return parser


def main(argv: Sequence[str] | None = None) -> int:
    """Entry point of the ``grafana-plugin-host`` console script."""
    args = _parser().parse_args(argv)
    try:
        settings = load_settings_file(args.config)
        _ = settings.sqlalchemy_url
    except ConfigError as exc:
        print(f"grafana-plugin-host: configuration error: {exc}", file=sys.stderr)
        return 2
    logging.basicConfig(
        level=_LOG_LEVELS[settings.log_level],
        format="%(asctime)s %(levelname)s %(name)s: %(message)s",
        stream=sys.stderr,
    )
    try:
        return COMMANDS[args.command or "serve"].run(settings, args)
    except ConfigError as exc:
        log.error("configuration error: %s", exc)
        return 2
    except HostError as exc:
        log.error("cannot start: %s", exc)
        return 2
    except SQLAlchemyError as exc:
        log.error("database error: %s", exc)
        return 1
    except KeyboardInterrupt:
        return 130


if __name__ == "__main__":
    sys.exit(main())
