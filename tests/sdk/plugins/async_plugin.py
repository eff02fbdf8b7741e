"""A plugin with async handlers and a QueryTypeMux mixing sync and async query functions."""

from __future__ import annotations

import asyncio
import time

from grafana_plugin_sdk import serve
from grafana_plugin_sdk.backend import (
    CallResourceRequest,
    CallResourceResponse,
    CallResourceResponseSender,
    CheckHealthRequest,
    CheckHealthResult,
    DataQuery,
    DataResponse,
    DownstreamError,
    PublishStreamRequest,
    PublishStreamResponse,
    QueryDataRequest,
    QueryTypeMux,
    RunStreamRequest,
    StreamSender,
    StreamStatus,
    SubscribeStreamRequest,
    SubscribeStreamResponse,
)
from grafana_plugin_sdk.data import Field, Frame

mux = QueryTypeMux()


@mux.route("status")
def status(request: QueryDataRequest, query: DataQuery) -> DataResponse:
    return DataResponse(status=int(query.model.get("status", 200)))


@mux.route("sleep")
def sleep(request: QueryDataRequest, query: DataQuery) -> DataResponse:
    time.sleep(float(query.model.get("seconds", 0.4)))
    return DataResponse(status=200)


@mux.route("asleep")
async def asleep(request: QueryDataRequest, query: DataQuery) -> DataResponse:
    await asyncio.sleep(float(query.model.get("seconds", 0.4)))
    return DataResponse(status=201)


@mux.route("boom")
def boom(request: QueryDataRequest, query: DataQuery) -> DataResponse:
    raise ValueError(f"query {query.ref_id} exploded")


@mux.route("aboom")
async def aboom(request: QueryDataRequest, query: DataQuery) -> DataResponse:
    raise DownstreamError("the database is down", status=503)


class Plugin:
    query_data = staticmethod(mux.query_data)

    async def check_health(self, request: CheckHealthRequest) -> CheckHealthResult:
        await asyncio.sleep(0)
        return CheckHealthResult.ok("async works", {"plugin": request.plugin_context.plugin_id})

    async def call_resource(self, request: CallResourceRequest, sender: CallResourceResponseSender) -> None:
        count = int(request.url.partition("count=")[2] or 3)
        sender.send(CallResourceResponse(201, {"x-first": ["yes"]}, b"first;"))
        for i in range(1, count):
            await asyncio.sleep(0.2)
            sender.send(CallResourceResponse(body=f"{i};".encode()))

    async def subscribe_stream(self, request: SubscribeStreamRequest) -> SubscribeStreamResponse:
        if request.path != "ticks":
            return SubscribeStreamResponse(StreamStatus.NOT_FOUND)
        return SubscribeStreamResponse(StreamStatus.OK, b'{"hello":1}')

    def publish_stream(self, request: PublishStreamRequest) -> PublishStreamResponse:
        return PublishStreamResponse(StreamStatus.PERMISSION_DENIED)

    async def run_stream(self, request: RunStreamRequest, sender: StreamSender) -> None:
        for i in range(3):
            sender.send_json({"tick": i, "path": request.path})
            await asyncio.sleep(0.01)
        frame = Frame("ticks", [Field("n", [1, 2])])
        sender.send_frame(frame)
        sender.send_frame(frame, include_schema=False)


if __name__ == "__main__":
    serve(Plugin())
