"""A plugin that only refuses streams: Diagnostics' default CollectMetrics, go-plugin's services and the Stream
service answer; Data, Resource and CheckHealth are UNIMPLEMENTED.

Arguments: the transport (``unix``/``tcp``); env ``MAX_RECEIVE``: the receive limit in bytes.
"""

from __future__ import annotations

import os
import sys

from grafana_plugin_sdk import serve
from grafana_plugin_sdk.backend import (
    PublishStreamRequest,
    PublishStreamResponse,
    RunStreamRequest,
    StreamSender,
    StreamStatus,
    SubscribeStreamRequest,
    SubscribeStreamResponse,
)


class StreamsOnly:
    """Refuses every stream: a handler with no data, health or resource method."""

    def subscribe_stream(self, request: SubscribeStreamRequest) -> SubscribeStreamResponse:
        return SubscribeStreamResponse(StreamStatus.NOT_FOUND)

    def publish_stream(self, request: PublishStreamRequest) -> PublishStreamResponse:
        return PublishStreamResponse(StreamStatus.PERMISSION_DENIED)

    def run_stream(self, request: RunStreamRequest, sender: StreamSender) -> None:
        return None


if __name__ == "__main__":
    serve(
        StreamsOnly(),
        transport="tcp" if sys.argv[1:] == ["tcp"] else "unix",
        max_receive_message_size=int(os.environ.get("MAX_RECEIVE", 16 * 1024 * 1024)),
    )
