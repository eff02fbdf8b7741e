"""How to install the optional parts the SDK reaches for, named in the errors that say one is missing."""

from __future__ import annotations

#: The host (``grafana-plugin-host``), from a checkout of this repository: its CLI, ``start_stack`` and ``dev``.
HOST_INSTALL = "pip install ./host"
