"""Channel names on the wire and who may use them: the plugin and PluginContext behind a channel, or a LiveError."""

from __future__ import annotations

from dataclasses import dataclass

from starlette.requests import HTTPConnection

from grafana_plugin_host.api.forward import Target, app_target, datasource_target, load_datasource
from grafana_plugin_host.errors import (
    ApiError,
    MethodNotImplementedError,
    PluginCallError,
    PluginError,
    PluginNotFoundError,
    PluginUnavailableError,
)
from grafana_plugin_host.models import Identity
from grafana_plugin_sdk.live import SCOPE_DATASOURCE, SCOPE_PLUGIN, Channel, InvalidChannelError

from . import protocol


class LiveError(Exception):
    """A refused command: the error code and message of the reply (HTTP codes where Grafana uses them)."""

    def __init__(self, code: int, message: str, *, temporary: bool = False) -> None:
        super().__init__(message)
        self.code = code
        self.message = message
        self.temporary = temporary

    @property
    def http_status(self) -> int:
        """The HTTP status for the same refusal on ``POST /api/live/publish``."""
        if 400 <= self.code < 600:
            return self.code
        return 503 if self.temporary else 500


def invalid_channel() -> LiveError:
    """Grafana's refusal of a malformed channel name."""
    return LiveError(400, "invalid channel ID")


def not_found() -> LiveError:
    """A channel nobody serves (or that the plugin does not know)."""
    return LiveError(404, "Not Found")


def forbidden() -> LiveError:
    """A channel the caller may not use."""
    return LiveError(403, "Forbidden")


@dataclass(frozen=True)
class ChannelRef:
    """A channel of one org; on the WebSocket clients name it ``<org id>/<scope>/<namespace>/<path>``."""

    org_id: int
    channel: Channel

    @property
    def name(self) -> str:
        """The org-qualified name, as in subscribe commands and pushes."""
        return f"{self.org_id}/{self.channel}"

    @classmethod
    def parse(cls, name: str) -> ChannelRef:
        """The org and channel of an org-qualified name; LiveError 400 ``invalid channel ID`` if malformed."""
        org, _, rest = name.partition("/")
        if not org.isascii() or not org.isdigit() or len(org) > 18:
            raise invalid_channel()
        return cls(int(org), parse_channel(rest))


def parse_channel(name: str) -> Channel:
    """A channel name without org; LiveError 400 ``invalid channel ID`` if malformed."""
    try:
        return Channel.parse(name)
    except InvalidChannelError:
        raise invalid_channel() from None


async def resolve(conn: HTTPConnection, identity: Identity, ref: ChannelRef) -> Target:
    """The plugin serving ``ref`` and the caller's PluginContext; LiveError when the caller may not use it.

    Another org's channels are refused as Grafana does (permission denied). A data source the caller cannot
    query is 403; one that does not exist in the caller's org, or has no plugin, is 404.
    """
    if ref.org_id != identity.org_id:
        raise LiveError(protocol.ERROR_PERMISSION_DENIED, "permission denied")
    channel = ref.channel
    try:
        if channel.scope == SCOPE_DATASOURCE:
            ds = await load_datasource(conn, identity, uid=channel.namespace)
            return await datasource_target(conn, identity, ds, no_plugin=lambda: ApiError(404, "Not Found"))
        if channel.scope == SCOPE_PLUGIN:  # app plugins only: a data source's streams need the data source
            target = app_target(conn, identity, channel.namespace)
            if target.client.meta.type == "app":
                return target
    except ApiError as exc:
        raise forbidden() if exc.status == 403 else not_found() from None
    raise not_found()


def plugin_failure(exc: PluginError) -> LiveError:
    """The reply for a failed stream call: not found when unsupported, temporary while the plugin is down."""
    if isinstance(exc, PluginNotFoundError | MethodNotImplementedError):
        return not_found()
    if isinstance(exc, PluginUnavailableError) or (isinstance(exc, PluginCallError) and exc.code == "UNAVAILABLE"):
        return LiveError(protocol.ERROR_INTERNAL, "plugin unavailable", temporary=True)
    return LiveError(protocol.ERROR_INTERNAL, "internal server error")
