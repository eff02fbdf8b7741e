"""The authentication errors Grafana answers with (``errutil`` bodies: message, messageId, statusCode, traceID)."""

from __future__ import annotations

from grafana_plugin_host.api._http import grafana_error
from grafana_plugin_host.errors import ApiError


def unauthorized() -> ApiError:
    """No usable credentials: 401 ``{"message":"Unauthorized"}``."""
    return ApiError(401, "Unauthorized")


def invalid_basic_header() -> ApiError:
    """A ``Basic`` Authorization header that does not decode to ``user:password``."""
    return grafana_error(400, "basic-auth.invalid-header", "Invalid Basic Auth Header")


def invalid_credentials() -> ApiError:
    """Wrong login or password (also while the login is blocked, so blocking reveals nothing)."""
    return grafana_error(401, "password-auth.failed", "Invalid username or password")


def invalid_api_key() -> ApiError:
    """A bearer token that is malformed or unknown."""
    return grafana_error(401, "api-key.invalid", "Invalid API key")


def expired_api_key() -> ApiError:
    """A token past its expiry."""
    return grafana_error(401, "api-key.expired", "Expired API key")


def revoked_api_key() -> ApiError:
    """A token that was revoked."""
    return grafana_error(401, "api-key.revoked", "Revoked API key")


def api_key_org_mismatch() -> ApiError:
    """A token used with ``X-Grafana-Org-Id`` naming another org."""
    return grafana_error(401, "api-key.organization-mismatch", "API key does not belong to the requested organization")


def disabled_identity() -> ApiError:
    """A disabled user or service account."""
    return grafana_error(401, "identity.disabled", "Unauthorized")
