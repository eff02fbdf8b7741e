"""Connection settings from a data source's configuration, as psycopg keyword arguments."""

from __future__ import annotations

import re
from typing import Any

from grafana_plugin_sdk.backend import DataSourceInstanceSettings

_SCHEME = re.compile(r"^postgres(?:ql)?(?:\+\w+)?://")


def connect_args(settings: DataSourceInstanceSettings) -> dict[str, Any]:
    """``url`` is ``host[:port]`` (Grafana's form) or a whole ``postgresql://`` URL (``postgresql+psycopg://`` too);
    ``user``, ``jsonData.database``, ``jsonData.sslmode`` (default ``disable``) and ``secureJsonData.password``
    fill what the URL leaves out. Queries run in read-only transactions."""
    url = settings.url.strip()
    args: dict[str, Any] = {"connect_timeout": int(settings.json_data.get("connectionTimeout") or 10)}
    if _SCHEME.match(url):
        args["conninfo"] = _SCHEME.sub("postgresql://", url)
    else:
        host, _, port = url.rpartition(":") if url.count(":") == 1 else (url, "", "")
        args.update(host=host or "localhost", port=int(port) if port.isdigit() else 5432)
    for key, value in (
        ("user", settings.user),
        ("dbname", settings.json_data.get("database") or settings.database),
        ("password", settings.decrypted_secure_json_data.get("password")),
        ("sslmode", settings.json_data.get("sslmode") or ("disable" if "conninfo" not in args else None)),
    ):
        if value:
            args[key] = str(value)
    return args


def read_only(args: dict[str, Any]) -> dict[str, Any]:
    """The same connection with every transaction read-only (queries cannot change data)."""
    return {**args, "options": "-c default_transaction_read_only=on"}
