"""Conversion between pluginv2 protobuf messages and the SDK's dataclasses (both directions).

The plugin server converts requests from proto and responses to proto; the host does the reverse.
Frames are encoded lazily by the ``data`` package.
"""

from __future__ import annotations

from collections.abc import Mapping
from datetime import timedelta
from typing import TypeVar

import orjson

from grafana_plugin_sdk.backend import (
    AppInstanceSettings,
    CallResourceRequest,
    CallResourceResponse,
    CheckHealthRequest,
    CheckHealthResult,
    CollectMetricsRequest,
    CollectMetricsResult,
    DataQuery,
    DataResponse,
    DataSourceInstanceSettings,
    ErrorSource,
    FrameFormat,
    GrafanaConfig,
    HealthStatus,
    PluginContext,
    PublishStreamResponse,
    QueryDataRequest,
    QueryDataResponse,
    StreamRequest,
    StreamStatus,
    SubscribeStreamResponse,
    TimeRange,
    User,
    datetime_from_epoch_ms,
    epoch_ms,
)

from .genproto import backend_pb2 as pb

# --- plugin context -------------------------------------------------------------------------------


def plugin_context_from_proto(msg: pb.PluginContext) -> PluginContext:
    """PluginContext from its proto message."""
    user = msg.user if msg.HasField("user") else None
    ds = msg.dataSourceInstanceSettings if msg.HasField("dataSourceInstanceSettings") else None
    app = msg.appInstanceSettings if msg.HasField("appInstanceSettings") else None
    return PluginContext(
        org_id=msg.orgId,
        plugin_id=msg.pluginId,
        plugin_version=msg.pluginVersion,
        user=User(user.login, user.name, user.email, user.role) if user is not None else None,
        app_instance_settings=AppInstanceSettings(
            json_data_raw=app.jsonData or b"{}",
            decrypted_secure_json_data=dict(app.decryptedSecureJsonData),
            updated=datetime_from_epoch_ms(app.lastUpdatedMS),
            api_version=app.apiVersion,
        )
        if app is not None
        else None,
        data_source_instance_settings=DataSourceInstanceSettings(
            id=ds.id,
            uid=ds.uid,
            type=msg.pluginId,
            name=ds.name,
            url=ds.url,
            user=ds.user,
            database=ds.database,
            basic_auth_enabled=ds.basicAuthEnabled,
            basic_auth_user=ds.basicAuthUser,
            json_data_raw=ds.jsonData or b"{}",
            decrypted_secure_json_data=dict(ds.decryptedSecureJsonData),
            updated=datetime_from_epoch_ms(ds.lastUpdatedMS),
            api_version=ds.apiVersion,
        )
        if ds is not None
        else None,
        grafana_config=GrafanaConfig(msg.grafanaConfig),
        user_agent=msg.userAgent,
        api_version=msg.apiVersion,
        namespace=msg.namespace,
    )


def plugin_context_to_proto(ctx: PluginContext) -> pb.PluginContext:
    """PluginContext as its proto message."""
    msg = pb.PluginContext(
        orgId=ctx.org_id,
        pluginId=ctx.plugin_id,
        pluginVersion=ctx.plugin_version,
        grafanaConfig=dict(ctx.grafana_config),
        userAgent=ctx.user_agent,
        apiVersion=ctx.api_version,
        namespace=ctx.namespace,
    )
    if ctx.user is not None:
        u = ctx.user
        msg.user.CopyFrom(pb.User(login=u.login, name=u.name, email=u.email, role=u.role))
    if (ds := ctx.data_source_instance_settings) is not None:
        msg.dataSourceInstanceSettings.CopyFrom(
            pb.DataSourceInstanceSettings(
                id=ds.id,
                uid=ds.uid,
                name=ds.name,
                url=ds.url,
                user=ds.user,
                database=ds.database,
                basicAuthEnabled=ds.basic_auth_enabled,
                basicAuthUser=ds.basic_auth_user,
                jsonData=ds.json_data_raw,
                decryptedSecureJsonData=dict(ds.decrypted_secure_json_data),
                lastUpdatedMS=epoch_ms(ds.updated),
                apiVersion=ds.api_version,
            )
        )
    if (app := ctx.app_instance_settings) is not None:
        msg.appInstanceSettings.CopyFrom(
            pb.AppInstanceSettings(
                jsonData=app.json_data_raw,
                decryptedSecureJsonData=dict(app.decrypted_secure_json_data),
                lastUpdatedMS=epoch_ms(app.updated),
                apiVersion=app.api_version,
            )
        )
    return msg


# --- requests -------------------------------------------------------------------------------------


def _string_lists(headers: Mapping[str, pb.StringList]) -> dict[str, list[str]]:
    return {k: list(v.values) for k, v in headers.items()}


def data_query_from_proto(msg: pb.DataQuery) -> DataQuery:
    """DataQuery from its proto message."""
    return DataQuery(
        ref_id=msg.refId,
        query_type=msg.queryType,
        max_data_points=msg.maxDataPoints,
        interval=timedelta(milliseconds=msg.intervalMS),
        time_range=TimeRange(
            datetime_from_epoch_ms(msg.timeRange.fromEpochMS), datetime_from_epoch_ms(msg.timeRange.toEpochMS)
        ),
        json=msg.json or b"{}",
    )


def data_query_to_proto(query: DataQuery) -> pb.DataQuery:
    """DataQuery as its proto message."""
    return pb.DataQuery(
        refId=query.ref_id,
        queryType=query.query_type,
        maxDataPoints=query.max_data_points,
        intervalMS=int(query.interval.total_seconds() * 1000),
        timeRange=pb.TimeRange(fromEpochMS=epoch_ms(query.time_range.from_), toEpochMS=epoch_ms(query.time_range.to)),
        json=query.json,
    )


def query_data_request_from_proto(msg: pb.QueryDataRequest) -> QueryDataRequest:
    """QueryDataRequest from its proto message."""
    return QueryDataRequest(
        plugin_context=plugin_context_from_proto(msg.pluginContext),
        queries=[data_query_from_proto(q) for q in msg.queries],
        headers=dict(msg.headers),
        format=FrameFormat(msg.format),
    )


def query_data_request_to_proto(req: QueryDataRequest) -> pb.QueryDataRequest:
    """QueryDataRequest as its proto message."""
    return pb.QueryDataRequest(
        pluginContext=plugin_context_to_proto(req.plugin_context),
        headers=dict(req.headers),
        queries=[data_query_to_proto(q) for q in req.queries],
        format=int(req.format),  # type: ignore[arg-type]
    )


def check_health_request_from_proto(msg: pb.CheckHealthRequest) -> CheckHealthRequest:
    """CheckHealthRequest from its proto message."""
    return CheckHealthRequest(plugin_context_from_proto(msg.pluginContext), dict(msg.headers))


def check_health_request_to_proto(req: CheckHealthRequest) -> pb.CheckHealthRequest:
    """CheckHealthRequest as its proto message."""
    return pb.CheckHealthRequest(pluginContext=plugin_context_to_proto(req.plugin_context), headers=dict(req.headers))


def collect_metrics_request_from_proto(msg: pb.CollectMetricsRequest) -> CollectMetricsRequest:
    """CollectMetricsRequest from its proto message."""
    return CollectMetricsRequest(plugin_context_from_proto(msg.pluginContext))


def collect_metrics_request_to_proto(req: CollectMetricsRequest) -> pb.CollectMetricsRequest:
    """CollectMetricsRequest as its proto message."""
    return pb.CollectMetricsRequest(pluginContext=plugin_context_to_proto(req.plugin_context))


def call_resource_request_from_proto(msg: pb.CallResourceRequest) -> CallResourceRequest:
    """CallResourceRequest from its proto message."""
    return CallResourceRequest(
        plugin_context=plugin_context_from_proto(msg.pluginContext),
        path=msg.path,
        method=msg.method,
        url=msg.url,
        headers=_string_lists(msg.headers),
        body=msg.body,
    )


def call_resource_request_to_proto(req: CallResourceRequest) -> pb.CallResourceRequest:
    """CallResourceRequest as its proto message."""
    return pb.CallResourceRequest(
        pluginContext=plugin_context_to_proto(req.plugin_context),
        path=req.path,
        method=req.method,
        url=req.url,
        headers={k: pb.StringList(values=v) for k, v in req.headers.items()},
        body=req.body,
    )


_StreamRequestT = TypeVar("_StreamRequestT", bound=StreamRequest)
_StreamRequestMessage = pb.SubscribeStreamRequest | pb.PublishStreamRequest | pb.RunStreamRequest


def stream_request_from_proto(cls: type[_StreamRequestT], msg: _StreamRequestMessage) -> _StreamRequestT:
    """A Subscribe/Publish/RunStreamRequest (``cls``) from its proto message."""
    return cls(plugin_context_from_proto(msg.pluginContext), msg.path, msg.data, dict(msg.headers))


# --- responses ------------------------------------------------------------------------------------


def data_response_to_proto(ref_id: str, resp: DataResponse, fmt: FrameFormat = FrameFormat.ARROW) -> pb.DataResponse:
    """DataResponse as its proto message; frames without a refId get ``ref_id``."""
    frames: list[bytes] = []
    for frame in resp.frames:
        if not frame.ref_id:
            frame.ref_id = ref_id
        frames.append(frame.to_json() if fmt is FrameFormat.JSON else frame.to_arrow())
    msg = pb.DataResponse(frames=frames, status=resp.effective_status(), format=int(fmt))  # type: ignore[arg-type]
    if resp.error:
        msg.error = resp.error
        msg.errorSource = str(resp.error_source or ErrorSource.PLUGIN)
    return msg


def data_response_from_proto(msg: pb.DataResponse) -> DataResponse:
    """DataResponse from its proto message, frames decoded (zero-copy Arrow)."""
    from grafana_plugin_sdk.data import Frame

    decode = Frame.from_json if msg.format == pb.JSON else Frame.from_arrow
    return DataResponse(
        frames=[decode(raw) for raw in msg.frames],
        error=msg.error or None,
        status=msg.status,
        error_source=ErrorSource(msg.errorSource) if msg.errorSource in ("plugin", "downstream") else None,
    )


def query_data_response_to_proto(resp: QueryDataResponse, fmt: FrameFormat = FrameFormat.ARROW) -> pb.QueryDataResponse:
    """QueryDataResponse as its proto message."""
    return pb.QueryDataResponse(
        responses={ref_id: data_response_to_proto(ref_id, r, fmt) for ref_id, r in resp.responses.items()}
    )


def query_data_response_from_proto(msg: pb.QueryDataResponse) -> QueryDataResponse:
    """QueryDataResponse from its proto message."""
    return QueryDataResponse({ref_id: data_response_from_proto(r) for ref_id, r in msg.responses.items()})


def check_health_result_to_proto(result: CheckHealthResult) -> pb.CheckHealthResponse:
    """CheckHealthResult as its proto message."""
    details = orjson.dumps(result.details) if result.details is not None else b""
    return pb.CheckHealthResponse(
        status=int(result.status),  # type: ignore[arg-type]
        message=result.message,
        jsonDetails=details,
    )


def check_health_result_from_proto(msg: pb.CheckHealthResponse) -> CheckHealthResult:
    """CheckHealthResult from its proto message (``details`` is None when absent or not an object)."""
    details = orjson.loads(msg.jsonDetails) if msg.jsonDetails else None
    return CheckHealthResult(HealthStatus(msg.status), msg.message, details if isinstance(details, dict) else None)


def collect_metrics_result_to_proto(result: CollectMetricsResult) -> pb.CollectMetricsResponse:
    """CollectMetricsResult as its proto message."""
    return pb.CollectMetricsResponse(metrics=pb.CollectMetricsResponse.Payload(prometheus=result.prometheus))


def collect_metrics_result_from_proto(msg: pb.CollectMetricsResponse) -> CollectMetricsResult:
    """CollectMetricsResult from its proto message."""
    return CollectMetricsResult(msg.metrics.prometheus)


def call_resource_response_to_proto(resp: CallResourceResponse) -> pb.CallResourceResponse:
    """CallResourceResponse as its proto message."""
    return pb.CallResourceResponse(
        code=resp.status,
        headers={k: pb.StringList(values=v) for k, v in resp.headers.items()},
        body=resp.body,
    )


def call_resource_response_from_proto(msg: pb.CallResourceResponse) -> CallResourceResponse:
    """CallResourceResponse from its proto message."""
    return CallResourceResponse(msg.code, _string_lists(msg.headers), msg.body)


def subscribe_stream_response_to_proto(resp: SubscribeStreamResponse) -> pb.SubscribeStreamResponse:
    """SubscribeStreamResponse as its proto message."""
    return pb.SubscribeStreamResponse(status=int(resp.status), data=resp.data)  # type: ignore[arg-type]


def publish_stream_response_to_proto(resp: PublishStreamResponse) -> pb.PublishStreamResponse:
    """PublishStreamResponse as its proto message."""
    return pb.PublishStreamResponse(status=int(resp.status), data=resp.data)  # type: ignore[arg-type]


def stream_status_from_proto(status: int) -> StreamStatus:
    """StreamStatus from a proto enum value (unknown values read as NOT_FOUND)."""
    try:
        return StreamStatus(status)
    except ValueError:
        return StreamStatus.NOT_FOUND
