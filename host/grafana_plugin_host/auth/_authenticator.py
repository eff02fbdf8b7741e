"""Who is calling: credentials from the request resolved against the store into an :class:`Identity`."""

from __future__ import annotations

import hashlib
import hmac
import secrets
import threading
import time
from collections import OrderedDict
from datetime import timedelta

from sqlalchemy import Connection, Engine

from grafana_plugin_host.config import Settings
from grafana_plugin_host.models import Identity, OrgRole
from grafana_plugin_host.store import identity as db
from grafana_plugin_host.store import read_in, write_in

from . import _errors as errors
from ._headers import BasicCredentials, BearerToken, Credentials
from ._kdf_gate import KdfGate
from ._passwords import DUMMY_HASH, verify_password
from ._ratelimit import LoginAttempts
from ._tokens import TokenFormatError, hash_token, parse_token

#: The org anonymous visitors act in (Grafana's ``[auth.anonymous] org_name`` default, "Main Org.").
ANONYMOUS_ORG_ID = 1
#: A token's ``last_used_at`` is written at most this often.
_TOUCH_INTERVAL = timedelta(minutes=1)


class _VerifiedPasswords:
    """Short-lived memory of verified (user, stored hash, password) triples, so Basic auth skips the slow KDF.

    Keys are HMACs under a per-process random key; a stored hash that changes (new password) no longer
    matches, and the user row (disabled, deleted) is read on every request regardless.
    """

    def __init__(self, ttl: float = 60.0, size: int = 1024) -> None:
        self._key = secrets.token_bytes(32)
        self._ttl = ttl
        self._size = size
        self._items: OrderedDict[bytes, float] = OrderedDict()
        self._lock = threading.Lock()

    def _digest(self, user_id: int, stored: str, password: str) -> bytes:
        message = b"\0".join((str(user_id).encode(), stored.encode(), password.encode()))
        return hmac.digest(self._key, message, hashlib.sha256)

    def check(self, user_id: int, stored: str, password: str) -> bool:
        """Whether the password is correct: from memory when recently verified, else by the KDF."""
        digest = self._digest(user_id, stored, password)
        now = time.monotonic()
        with self._lock:
            expiry = self._items.get(digest)
            if expiry is not None and expiry > now:
                return True
        if not verify_password(password, stored):
            return False
        with self._lock:
            self._items[digest] = now + self._ttl
            self._items.move_to_end(digest)
            while len(self._items) > self._size:
                self._items.popitem(last=False)
        return True


def _role(text: str | None) -> OrgRole:
    try:
        return OrgRole(text) if text else OrgRole.NONE
    except ValueError:
        return OrgRole.NONE


class Authenticator:
    """Resolves credentials to an identity (blocking: call it from a worker thread)."""

    def __init__(self, engine: Engine, settings: Settings, attempts: LoginAttempts | None = None) -> None:
        self.engine = engine
        self.settings = settings
        self.attempts = attempts or LoginAttempts(engine)
        #: Admission for Basic-auth checks (taken by the caller, on the event loop, before :meth:`resolve`).
        self.kdf_gate = KdfGate(settings.password_hash_concurrency, settings.password_hash_queue)
        self._passwords = _VerifiedPasswords()

    def anonymous(self, org_id: int) -> Identity | None:
        """The anonymous identity when ``[auth.anonymous]`` is enabled (no role in any org but its own)."""
        if not self.settings.anonymous_enabled:
            return None
        wanted = org_id or ANONYMOUS_ORG_ID
        role = OrgRole(self.settings.anonymous_org_role) if wanted == ANONYMOUS_ORG_ID else OrgRole.NONE
        return Identity(org_id=wanted, org_role=role, is_anonymous=True)

    def authenticate(self, credentials: Credentials | None, org_id: int, client: str) -> Identity | None:
        """The caller's identity; None without credentials (and anonymous off); raises ApiError if refused.

        ``org_id`` is the org the request names (``X-Grafana-Org-Id``), 0 for the caller's current org.
        """
        return self.resolve(credentials, org_id, client)[0]

    def resolve(self, credentials: Credentials | None, org_id: int, client: str) -> tuple[Identity | None, int | None]:
        """Like :meth:`authenticate`, with the Unix time the credentials expire at (a token's), else None."""
        if credentials is None:
            return self.anonymous(org_id), None
        if isinstance(credentials, BearerToken):
            return self._token(credentials.token, org_id)
        return self._password(credentials, org_id, client), None

    def _password(self, credentials: BasicCredentials, org_id: int, client: str) -> Identity:
        if not self.settings.basic_auth_enabled:
            raise errors.UNAUTHORIZED.error()
        if not credentials.password:
            raise errors.INVALID_CREDENTIALS.error()
        found = read_in(self.engine, db.find_user, credentials.login)
        key = found.login if found is not None else credentials.login  # the lockout counts per resolved user
        failures = self.attempts.failures(key)
        if failures >= self.attempts.max_attempts:
            raise errors.INVALID_CREDENTIALS.error()
        if found is None or not found.password:
            verify_password(credentials.password, DUMMY_HASH)  # same work as a real check
            self.attempts.add_failure(key, client)
            raise errors.INVALID_CREDENTIALS.error()
        if not self._passwords.check(found.id, found.password, credentials.password):
            self.attempts.add_failure(key, client)
            raise errors.INVALID_CREDENTIALS.error()
        if failures:
            self.attempts.reset(key)
        if found.is_disabled:
            raise errors.DISABLED_IDENTITY.error()
        wanted = org_id or found.org_id
        role = read_in(self.engine, db.role_in_org, found.id, wanted)
        return Identity(
            org_id=wanted,
            org_role=_role(role),
            login=found.login,
            name=found.name,
            email=found.email,
            user_id=found.id,
            is_grafana_admin=found.is_admin,
        )

    def _token(self, text: str, org_id: int) -> tuple[Identity, int | None]:
        try:
            hashed = hash_token(parse_token(text))
        except TokenFormatError:
            raise errors.INVALID_API_KEY.error() from None
        with self.engine.connect() as conn:
            token = db.token_by_hash(conn, hashed)
            if token is None or not hmac.compare_digest(token.key.encode(), hashed.encode()):
                raise errors.INVALID_API_KEY.error()
            if token.expires is not None and token.expires <= int(time.time()):
                raise errors.EXPIRED_API_KEY.error()
            if token.is_revoked:
                raise errors.REVOKED_API_KEY.error()
            if org_id and org_id != token.org_id:
                raise errors.API_KEY_ORG_MISMATCH.error()
            identity = self._token_owner(conn, token)
        now = db.utcnow()
        if token.last_used_at is None or now - token.last_used_at >= _TOUCH_INTERVAL:
            write_in(self.engine, db.touch_token, token.id, now)
        return identity, token.expires

    @staticmethod
    def _token_owner(conn: Connection, token: db.Token) -> Identity:
        account = db.get_user(conn, token.service_account_id) if token.service_account_id else None
        if account is None:  # legacy API keys (no service account) are not supported
            raise errors.INVALID_API_KEY.error()
        if account.is_disabled:
            raise errors.DISABLED_IDENTITY.error()
        role = db.role_in_org(conn, account.id, token.org_id)
        return Identity(
            org_id=token.org_id,
            org_role=_role(role),
            login=account.login,
            name=account.name,
            user_id=account.id,
            is_service_account=True,
        )
