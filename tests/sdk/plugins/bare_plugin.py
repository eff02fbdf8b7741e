"""A plugin that implements no handler at all: only Diagnostics (CollectMetrics) and go-plugin's services answer.

Arguments: the transport (``unix``/``tcp``); env ``MAX_RECEIVE``: the receive limit in bytes.
"""

from __future__ import annotations

import os
import sys

from grafana_plugin_sdk import serve

if __name__ == "__main__":
    serve(
        object(),
        transport="tcp" if sys.argv[1:] == ["tcp"] else "unix",
        max_receive_message_size=int(os.environ.get("MAX_RECEIVE", 16 * 1024 * 1024)),
    )
