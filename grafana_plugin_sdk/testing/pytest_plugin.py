"""The pytest plugin registered by entry point: ``--update-golden`` and fixtures for testing Grafana plugins.

Fixtures: ``update_golden`` (bool), ``plugin_in_process`` (a factory of in-process clients), ``plugin_process``
(a factory of started subprocess clients; their logs are added to the report of a failed test) and
``grafana_stack`` (a factory of running hosts with a client). Everything a fixture started is stopped after the test.
Imports stay light: the harness modules load when a fixture is first used.
"""

from __future__ import annotations

from collections.abc import Callable, Generator, Iterator
from typing import TYPE_CHECKING, Any

import pytest

from . import _options

if TYPE_CHECKING:
    from ._stack import Stack
    from ._sync import PluginTestClient

#: Per test: functions returning ``(title, text)`` report sections (plugin logs), read when the test fails.
_SECTIONS = pytest.StashKey[list[Callable[[], tuple[str, str]]]]()


def pytest_addoption(parser: pytest.Parser) -> None:
    """``--update-golden``: rewrite golden files instead of comparing with them."""
    group = parser.getgroup("grafana-plugin-sdk")
    group.addoption(
        "--update-golden",
        action="store_true",
        default=False,
        help="rewrite the golden .jsonc files of assert_golden instead of comparing with them",
    )


def pytest_configure(config: pytest.Config) -> None:
    """Publish ``--update-golden`` to :func:`grafana_plugin_sdk.testing.assert_golden`."""
    _options.set_update_golden(bool(config.getoption("update_golden", False)))


@pytest.hookimpl(wrapper=True)
def pytest_runtest_makereport(
    item: pytest.Item, call: pytest.CallInfo[None]
) -> Generator[None, pytest.TestReport, pytest.TestReport]:
    """On failure, add a section with the logs of every plugin process the test started."""
    report = yield
    if report.failed:
        for section in item.stash.get(_SECTIONS, []):
            title, text = section()
            report.sections.append((title, text or "(no output)"))
    return report


def _add_section(node: pytest.Item, section: Callable[[], tuple[str, str]]) -> None:
    node.stash.setdefault(_SECTIONS, []).append(section)


@pytest.fixture
def update_golden(pytestconfig: pytest.Config) -> bool:
    """Whether ``--update-golden`` was given."""
    return bool(pytestconfig.getoption("update_golden", False))


@pytest.fixture
def plugin_in_process() -> Iterator[Callable[..., PluginTestClient]]:
    """``plugin_in_process(handler)`` or ``plugin_in_process(factory=..., settings=...)``: a started in-process
    client (see :func:`grafana_plugin_sdk.testing.in_process`)."""
    from ._inprocess import in_process

    clients: list[PluginTestClient] = []

    def start(handler: object = None, **kwargs: Any) -> PluginTestClient:
        client = in_process(handler, **kwargs).start()
        clients.append(client)
        return client

    yield start
    for client in reversed(clients):
        client.close()


@pytest.fixture
def plugin_process(request: pytest.FixtureRequest) -> Iterator[Callable[..., PluginTestClient]]:
    """``plugin_process(folder_or_executable)`` or ``plugin_process(module="pkg")``: a started subprocess client
    (see :func:`grafana_plugin_sdk.testing.start_plugin`); its logs are shown when the test fails."""
    from ._subprocess import start_plugin

    clients: list[PluginTestClient] = []

    def start(target: Any = None, **kwargs: Any) -> PluginTestClient:
        client: PluginTestClient = start_plugin(target, **kwargs)
        clients.append(client)
        title = f"plugin {client.context.plugin_id or target or kwargs.get('module')} log"
        _add_section(request.node, lambda: (title, "\n".join(client.logs())))
        return client.start()

    yield start
    for client in reversed(clients):
        client.close()


@pytest.fixture
def grafana_stack(
    request: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory
) -> Iterator[Callable[..., Stack]]:
    """``grafana_stack(plugins=[folder...], datasources=[{...}])``: a running host on a free port with its own
    data folder, the data sources provisioned, and a logged-in client (see
    :func:`grafana_plugin_sdk.testing.start_stack`); its log is shown when the test fails."""
    from ._stack import start_stack

    stacks: list[Stack] = []

    def start(**kwargs: Any) -> Stack:
        kwargs.setdefault("data_dir", tmp_path_factory.mktemp("grafana-data"))
        stack = start_stack(**kwargs)
        stacks.append(stack)
        _add_section(request.node, lambda: ("host log", "\n".join(stack.logs())))
        return stack

    yield start
    for stack in reversed(stacks):
        stack.close()
