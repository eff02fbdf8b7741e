"""The authentication failures Grafana answers with (``errutil`` bodies: message, messageId, statusCode, traceID)."""

from __future__ import annotations

from dataclasses import dataclass

from grafana_plugin_host.errors import ApiError
from grafana_plugin_host.web import grafana_error


@dataclass(frozen=True)
class AuthFailure:
    """One kind of failed authentication: its status, errutil message id and message."""

    status: int
    message_id: str
    message: str

    def error(self) -> ApiError:
        """The API error to raise (a bare ``{"message"}`` body when there is no message id)."""
        if not self.message_id:
            return ApiError(self.status, self.message)
        return grafana_error(self.status, self.message_id, self.message)


#: No usable credentials.
UNAUTHORIZED = AuthFailure(401, "", "Unauthorized")
#: A ``Basic`` Authorization header that does not decode to ``user:password``.
INVALID_BASIC_HEADER = AuthFailure(400, "basic-auth.invalid-header", "Invalid Basic Auth Header")
#: Wrong login or password (also while the login is blocked, so blocking reveals nothing).
INVALID_CREDENTIALS = AuthFailure(401, "password-auth.failed", "Invalid username or password")
#: A bearer token that is malformed or unknown.
INVALID_API_KEY = AuthFailure(401, "api-key.invalid", "Invalid API key")
#: A token past its expiry.
EXPIRED_API_KEY = AuthFailure(401, "api-key.expired", "Expired API key")
#: A token that was revoked.
REVOKED_API_KEY = AuthFailure(401, "api-key.revoked", "Revoked API key")
#: A token used with ``X-Grafana-Org-Id`` naming another org.
API_KEY_ORG_MISMATCH = AuthFailure(
    401, "api-key.organization-mismatch", "API key does not belong to the requested organization"
)
#: A disabled user or service account.
DISABLED_IDENTITY = AuthFailure(401, "identity.disabled", "Unauthorized")
