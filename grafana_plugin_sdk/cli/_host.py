"""The one place the CLI touches the host (``grafana-plugin dev``): whether it is installed and how to run it.

The host is started as a separate process, so nothing of it is imported here.
"""

from __future__ import annotations

import importlib.util
import sys
from pathlib import Path

HOST_MODULE = "grafana_plugin_host"


def host_installed() -> bool:
    """Whether the host can be imported by this Python."""
    return importlib.util.find_spec(HOST_MODULE) is not None


def host_command(config: Path) -> list[str]:
    """The command running the host (``grafana-plugin-host --config``) with this Python."""
    code = f"import sys; from {HOST_MODULE}.cli import main; sys.exit(main(sys.argv[1:]))"
    return [sys.executable, "-c", code, "--config", str(config)]
