"""Small plugin handlers the harness tests drive at every depth (also served as a plugin module)."""

from __future__ import annotations

import asyncio
from datetime import UTC, datetime

from grafana_plugin_sdk.backend import (
    CallResourceRequest,
    CallResourceResponse,
    CallResourceResponseSender,
    CheckHealthRequest,
    CheckHealthResult,
    DataResponse,
    DataSourceInstanceSettings,
    DownstreamError,
    QueryDataRequest,
    QueryDataResponse,
)
from grafana_plugin_sdk.data import Field, Frame

T0 = datetime(2024, 5, 1, 12, 0, tzinfo=UTC)


class EchoDataSource:
    """Answers each query with a frame built from its model; ``fail`` raises, ``downstream`` fails downstream."""

    def __init__(self, settings: DataSourceInstanceSettings | None = None) -> None:
        self.settings = settings

    async def query_data(self, request: QueryDataRequest) -> QueryDataResponse:
        """One frame per query: times, the model's ``values`` (nullable floats) and the data source name."""
        out = QueryDataResponse()
        for query in request.queries:
            model = query.model
            if model.get("fail"):
                raise RuntimeError("boom")
            if model.get("downstream"):
                out[query.ref_id] = DataResponse.downstream_error("upstream said no", 502)
                continue
            values = model.get("values", [1.0, 2.0])
            name = self.settings.name if self.settings else "echo"
            out[query.ref_id] = DataResponse(
                [
                    Frame(
                        name,
                        [
                            Field("time", [T0.replace(minute=i) for i in range(len(values))]),
                            Field("value", values, type="float64", nullable=True),
                        ],
                    )
                ]
            )
        await asyncio.sleep(0)
        return out

    def check_health(self, request: CheckHealthRequest) -> CheckHealthResult:
        """OK unless the data source's jsonData says ``broken``; details carry the secret's length only."""
        settings = request.plugin_context.data_source_instance_settings
        if settings is not None and settings.json_data.get("broken"):
            return CheckHealthResult.error("configured to be broken")
        secret = settings.decrypted_secure_json_data.get("token", "") if settings else ""
        return CheckHealthResult.ok("echo is working", {"tokenLength": len(secret)})

    def call_resource(self, request: CallResourceRequest, sender: CallResourceResponseSender) -> None:
        """``echo``: the request back as JSON; ``chunks``: three streamed messages; ``missing``: 404; ``raise``."""
        if request.path == "echo":
            sender.send_json(
                {"method": request.method, "url": request.url, "body": request.body.decode(), "user": _login(request)}
            )
        elif request.path == "chunks":
            sender.send(CallResourceResponse(200, {"content-type": ["text/plain"]}, b"one,"))
            sender.send(CallResourceResponse(body=b"two,"))
            sender.send(CallResourceResponse(body=b"three"))
        elif request.path == "raise":
            raise DownstreamError("resource exploded")
        else:
            sender.send_json({"message": f"no resource {request.path}"}, 404)


def _login(request: CallResourceRequest) -> str:
    user = request.plugin_context.user
    return user.login if user else ""


class HealthOnly:
    """A handler with nothing but a health check that fails."""

    def check_health(self, request: CheckHealthRequest) -> CheckHealthResult:
        """Raise."""
        raise ValueError("cannot check")


if __name__ == "__main__":
    from grafana_plugin_sdk import datasource

    datasource.manage("echo-datasource", EchoDataSource)
