"""Plugin test harness: call a plugin in process, as a subprocess or through a running host; golden files; frame
assertions. The pytest plugin (active once the SDK is installed) adds fixtures and ``--update-golden``."""

from grafana_plugin_sdk.wire import PluginCallError

from ._assertions import assert_frames_equal, assert_golden, frame_difference, frames_difference
from ._context import TEST_USER, data_query, data_source_settings, make_plugin_context
from ._inprocess import InProcessTransport, async_in_process, in_process
from ._plugin_client import AsyncPluginTestClient
from ._resource import ResourceResponse
from ._stack import Stack, StackStartError, start_stack
from ._subprocess import SubprocessTransport, async_start_plugin, start_plugin
from ._sync import PluginTestClient
from ._transport import Transport

__all__ = [
    "TEST_USER",
    "AsyncPluginTestClient",
    "InProcessTransport",
    "PluginCallError",
    "PluginTestClient",
    "ResourceResponse",
    "Stack",
    "StackStartError",
    "SubprocessTransport",
    "Transport",
    "assert_frames_equal",
    "assert_golden",
    "async_in_process",
    "async_start_plugin",
    "data_query",
    "data_source_settings",
    "frame_difference",
    "frames_difference",
    "in_process",
    "make_plugin_context",
    "start_plugin",
    "start_stack",
]
