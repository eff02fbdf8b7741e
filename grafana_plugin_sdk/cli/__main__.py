"""``python -m grafana_plugin_sdk.cli``: the ``grafana-plugin`` command."""

import sys

from .main import main

sys.exit(main())
