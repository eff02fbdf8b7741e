#!/bin/sh
# Grafana starts this file (named <executable>_<os>_<arch>); every example plugin ships an identical copy so its
# folder is self-contained. It runs the Python package named in ./python_package with, in order:
# $GF_PLUGIN_PYTHON (set it in grafana.ini as `[plugin.<id>] python = /path/to/python`: Grafana and our host pass
# `[plugin.<id>]` keys as GF_PLUGIN_<KEY>), the project's .venv (a source checkout), or python3 on PATH.
here=$(CDPATH= cd -- "$(dirname -- "$0")" && pwd)
python=${GF_PLUGIN_PYTHON:-$here/../../.venv/bin/python}
[ -x "$python" ] || python=python3
PYTHONPATH="$here${PYTHONPATH:+:$PYTHONPATH}" exec "$python" -m "$(cat "$here/python_package")" "$@"
