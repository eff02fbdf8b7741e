"""``serve``: run a plugin handler as a Grafana backend plugin process (go-plugin handshake + pluginv2 over gRPC)."""

from __future__ import annotations

from typing import TYPE_CHECKING, Literal, NoReturn

if TYPE_CHECKING:
    from grafana_plugin_sdk.backend import PluginHandler

__all__ = ["DEFAULT_MAX_RECEIVE_MESSAGE_SIZE", "serve"]

DEFAULT_MAX_RECEIVE_MESSAGE_SIZE = 16 * 1024 * 1024


def serve(
    handler: PluginHandler,
    *,
    transport: Literal["unix", "tcp"] = "unix",
    max_receive_message_size: int = DEFAULT_MAX_RECEIVE_MESSAGE_SIZE,
    max_workers: int | None = None,
    shutdown_grace: float = 5.0,
    plugin_id: str = "",
    standalone: bool = False,
) -> NoReturn:
    """Serve ``handler`` to the host that started this process; returns never (exits 0 after shutdown).

    ``handler`` is any object with some of ``query_data``, ``check_health``, ``call_resource``, ``collect_metrics``,
    ``subscribe_stream``, ``publish_stream``, ``run_stream`` (each plain or ``async``; plain ones run in a thread
    pool of ``max_workers``). ``transport`` is ``"unix"`` (a socket in ``PLUGIN_UNIX_SOCKET_DIR`` or the temp dir)
    or ``"tcp"`` (127.0.0.1, a port in ``PLUGIN_MIN_PORT..PLUGIN_MAX_PORT``). Calls in flight get
    ``shutdown_grace`` seconds to finish on Shutdown or SIGTERM. ``plugin_id`` names the plugin in log lines when
    the host does not send it. Started without the host's magic cookie, the process explains itself and exits 1.

    The handler is checked first: one with none of the methods, or with a method named almost like one
    (``query_dta``), is refused with a message on stderr and exit status 1.

    Standalone mode (``standalone=True`` or ``--standalone`` on the command line), for debugging: serve on TCP
    (``GF_PLUGIN_GRPC_ADDRESS_<ID>`` or a free port) without a host, writing ``standalone.txt`` (the address) and
    ``pid.txt`` in the plugin folder; a host that launches the plugin meanwhile is pointed at this process.
    """
    from grafana_plugin_sdk._server._main import ServeOptions, run  # gRPC is imported when serving starts

    run(
        handler,
        ServeOptions(
            transport=transport,
            max_receive_message_size=max_receive_message_size,
            max_workers=max_workers,
            shutdown_grace=shutdown_grace,
            plugin_id=plugin_id,
            standalone=standalone,
        ),
    )
