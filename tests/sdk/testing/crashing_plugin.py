"""A plugin that writes a line to stderr and exits before its handshake (a start failure)."""

import sys

sys.stderr.write("cannot open the database: permission denied\n")
sys.exit(3)
