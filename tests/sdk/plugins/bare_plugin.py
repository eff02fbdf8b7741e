"""A plugin that implements no handler at all: only Diagnostics (CollectMetrics) and go-plugin's services answer."""

from __future__ import annotations

import sys

from grafana_plugin_sdk import serve

if __name__ == "__main__":
    serve(object(), transport=sys.argv[1] if len(sys.argv) > 1 else "unix")  # type: ignore[arg-type]
