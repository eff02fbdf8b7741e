"""``[metrics] basic_auth_username`` / ``basic_auth_password``: Basic auth on ``/metrics``, as in Grafana.

When both are set, ``/metrics`` answers 401 unless the request carries exactly those credentials (compared in
constant time); when either is empty the endpoint stays open, Grafana's default.
"""

from __future__ import annotations

import base64
import binascii
import hmac

from starlette.requests import Request

from grafana_plugin_host.config import Settings
from grafana_plugin_host.errors import ApiError


def _basic_pair(header: str) -> tuple[str, str]:
    scheme, _, value = header.strip().partition(" ")
    if scheme.lower() != "basic":
        return "", ""
    try:
        login, _, password = base64.b64decode(value.strip(), validate=True).decode().partition(":")
    except (binascii.Error, UnicodeDecodeError, ValueError):
        return "", ""
    return login, password


def require_metrics_credentials(request: Request, settings: Settings) -> None:
    """Raise 401 unless ``/metrics`` is open or the request's Basic credentials are the configured ones."""
    user, password = settings.metrics_basic_auth_username, settings.metrics_basic_auth_password
    if not user or not password:
        return
    login, secret = _basic_pair(request.headers.get("authorization", ""))
    same_user = hmac.compare_digest(login.encode(), user.encode())
    same_password = hmac.compare_digest(secret.encode(), password.encode())
    if not (same_user and same_password):
        raise ApiError(401, "Unauthorized")
