"""The blocking client, generated from ``_async`` by scripts/gen_sync.py: do not edit."""
