"""Per-call bookkeeping: log context fields, the request log line and the request metrics."""

from __future__ import annotations

import asyncio
import contextlib
import time
from collections.abc import Iterator, Mapping
from dataclasses import dataclass
from typing import Any

from grafana_plugin_sdk import _metrics, tracing
from grafana_plugin_sdk.backend import ErrorSource, PluginContext, QueryDataResponse
from grafana_plugin_sdk.backend.call import Call, serving
from grafana_plugin_sdk.log import get_logger, log_context

log = get_logger("grafana_plugin_sdk.server")


@dataclass
class Outcome:
    """How a call ended, for metrics: ``ok``/``error``/``cancelled`` and who is to blame."""

    status: str = "ok"
    source: str = ErrorSource.PLUGIN.value

    def from_query_data(self, response: QueryDataResponse) -> None:
        """Error when any refId failed; downstream when every failure is downstream (as the Go SDK counts)."""
        failed = [r for r in response.responses.values() if r.error]
        if failed:
            self.status = "error"
            downstream = all(r.error_source is ErrorSource.DOWNSTREAM for r in failed)
            self.source = (ErrorSource.DOWNSTREAM if downstream else ErrorSource.PLUGIN).value


def context_fields(endpoint: str, ctx: PluginContext, default_plugin_id: str) -> dict[str, str]:
    """The log fields of a call, named as the Go SDK's contextual logger names them."""
    fields = {"endpoint": endpoint, "pluginId": ctx.plugin_id or default_plugin_id}
    if ctx.plugin_version:
        fields["pluginVersion"] = ctx.plugin_version
    if (ds := ctx.data_source_instance_settings) is not None:
        fields["dsName"] = ds.name
        fields["dsUid"] = ds.uid
    if ctx.user is not None and ctx.user.login:
        fields["uname"] = ctx.user.login
    return fields


def span_attributes(ctx: PluginContext, default_plugin_id: str) -> dict[str, str | int]:
    """The attributes of a handler call's span, named as Grafana names them."""
    attributes: dict[str, str | int] = {"plugin_id": ctx.plugin_id or default_plugin_id, "org_id": ctx.org_id}
    if (ds := ctx.data_source_instance_settings) is not None:
        attributes["datasource_name"] = ds.name
        attributes["datasource_uid"] = ds.uid
    if ctx.user is not None:
        attributes["user"] = ctx.user.name
    return attributes


def _span(endpoint: str, ctx: PluginContext, default_plugin_id: str, grpc_context: object) -> Any:
    if not tracing.enabled():
        return _NO_SPAN
    metadata = getattr(grpc_context, "invocation_metadata", None)
    carrier = list(metadata() or ()) if callable(metadata) else []
    return tracing.server_span(f"sdk.{endpoint}", carrier, span_attributes(ctx, default_plugin_id))


_NO_SPAN = contextlib.nullcontext()


@contextlib.contextmanager
def request_scope(
    endpoint: str,
    ctx: PluginContext,
    default_plugin_id: str = "",
    headers: Mapping[str, str] | None = None,
    grpc_context: object = None,
) -> Iterator[Outcome]:
    """Log context, the current call (with its forwarded ``headers``) and, when tracing, a span continuing the
    trace in ``grpc_context``'s metadata for the block; on exit count the call and log its completion."""
    outcome = Outcome()
    start = time.perf_counter()
    call = Call(endpoint, ctx, headers or {})
    span_scope = _span(endpoint, ctx, default_plugin_id, grpc_context)
    with log_context(**context_fields(endpoint, ctx, default_plugin_id)), serving(call), span_scope as span:
        try:
            yield outcome
        except asyncio.CancelledError:
            outcome.status = "cancelled"
            raise
        except BaseException:
            outcome.status = "error"
            raise
        finally:
            if span is not None:
                span.set_attributes({"request_status": outcome.status, "status_source": outcome.source})
            elapsed = time.perf_counter() - start
            _metrics.observe_request(endpoint, outcome.status, outcome.source, elapsed)
            log.debug("Plugin Request Completed", status=outcome.status, duration=f"{elapsed * 1000:.3f}ms")
