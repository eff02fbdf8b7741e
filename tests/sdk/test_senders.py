"""The message channel between handlers and the gRPC stream keeps memory bounded for sync and async producers."""

from __future__ import annotations

import asyncio

import pytest

from grafana_plugin_sdk._server._senders import CallEndedError, MessageChannel


async def test_put_async_waits_at_capacity_until_the_stream_drains() -> None:
    channel: MessageChannel[int] = MessageChannel(asyncio.get_running_loop(), capacity=2)
    sent: list[int] = []

    async def producer() -> None:
        for i in range(5):
            await channel.put_async(i)
            sent.append(i)
        channel.finish()

    task = asyncio.create_task(producer())
    await asyncio.sleep(0.05)
    assert sent == [0, 1]  # the third waits: two messages are queued and nobody reads
    received = [m async for m in channel.messages()]
    await task
    assert received == sent == [0, 1, 2, 3, 4]


async def test_sync_producer_in_a_thread_is_bounded_too() -> None:
    channel: MessageChannel[int] = MessageChannel(asyncio.get_running_loop(), capacity=2)
    sent: list[int] = []

    def producer() -> None:
        for i in range(4):
            channel.put(i)
            sent.append(i)

    thread = asyncio.get_running_loop().run_in_executor(None, producer)
    await asyncio.sleep(0.3)
    assert sent == [0, 1]
    messages = channel.messages()
    assert [await anext(messages) for _ in range(4)] == [0, 1, 2, 3]
    await thread


async def test_sending_after_the_call_ended_fails_clearly() -> None:
    channel: MessageChannel[int] = MessageChannel(asyncio.get_running_loop(), capacity=1)
    channel.close()
    with pytest.raises(CallEndedError, match="the call has ended"):
        await channel.put_async(1)
    with pytest.raises(CallEndedError):
        channel.put(1)
