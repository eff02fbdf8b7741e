"""Envelope encryption of data source secrets with AES-GCM.

A random 256-bit data key encrypts each value; data keys are stored in ``data_keys``, wrapped by a key derived
(HKDF-SHA256) from ``[security] secret_key``. Every ciphertext is bound by associated data to its owner (org, data
source uid, secret name), so a value copied to another row or key does not decrypt.
"""

from __future__ import annotations

import base64
import logging
import os
import secrets
from collections.abc import Mapping
from datetime import UTC, datetime
from pathlib import Path

import orjson
from cryptography.exceptions import InvalidTag
from cryptography.hazmat.primitives import hashes
from cryptography.hazmat.primitives.ciphers.aead import AESGCM
from cryptography.hazmat.primitives.kdf.hkdf import HKDF
from sqlalchemy import Connection, Engine, insert, select

from ._engine import WRITE
from ._errors import SecretKeyError, SecretsError
from ._schema import data_keys

log = logging.getLogger(__name__)

_PROVIDER = "secretKey.v1"
_SCOPE = "root"
_FORMAT = "1"
_NONCE = 12


def _b64(data: bytes) -> str:
    return base64.urlsafe_b64encode(data).rstrip(b"=").decode("ascii")


def _unb64(text: str) -> bytes:
    return base64.urlsafe_b64decode(text + "=" * (-len(text) % 4))


def _now() -> datetime:
    return datetime.now(UTC).replace(tzinfo=None)


def resolve_secret_key(configured: str, data_dir: Path, *, has_data_keys: bool) -> str:
    """The secret key: configured, else ``<data>/secret_key``, else a new random one written there (mode 0600)."""
    if configured:
        return configured
    path = data_dir / "secret_key"
    if not path.exists():
        if has_data_keys:
            raise SecretKeyError(
                f"the database holds encrypted secrets, but [security] secret_key is not set and {path} is missing; "
                "configure the secret key the secrets were encrypted with"
            )
        data_dir.mkdir(parents=True, exist_ok=True)
        key = secrets.token_urlsafe(32)
        try:
            fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
        except FileExistsError:
            pass  # another host process created it first: use theirs
        else:
            with os.fdopen(fd, "w", encoding="ascii") as handle:
                handle.write(key + "\n")
            log.warning("no [security] secret_key configured: generated a new one in %s (keep that file)", path)
    try:
        key = path.read_text(encoding="utf-8").strip()
    except OSError as exc:
        raise SecretKeyError(f"cannot read the secret key file {path}: {exc.strerror}") from None
    if not key:
        raise SecretKeyError(f"the secret key file {path} is empty")
    return key


class Keyring:
    """Data keys (unwrapped in memory) and the encrypt/decrypt operations on secret maps."""

    def __init__(self, secret_key: str) -> None:
        hkdf = HKDF(algorithm=hashes.SHA256(), length=32, salt=b"grafana-plugin-host/data-keys", info=b"kek-v1")
        self._kek = AESGCM(hkdf.derive(secret_key.encode("utf-8")))
        self._keys: dict[str, AESGCM] = {}
        self._active: str | None = None

    @staticmethod
    def has_data_keys(engine: Engine) -> bool:
        """Whether any data key is stored (then the secret key must be the one that wrapped it)."""
        with engine.connect() as connection:
            return connection.execute(select(data_keys.c.name).limit(1)).first() is not None

    def load(self, engine: Engine) -> None:
        """Unwrap every stored data key (creating the first one); a wrong secret key raises SecretKeyError."""
        with engine.connect() as connection:
            rows = connection.execute(
                select(data_keys.c.name, data_keys.c.encrypted_data, data_keys.c.active).order_by(data_keys.c.created)
            ).all()
        for name, wrapped, active in rows:
            self._keys[name] = self._unwrap(name, wrapped)
            if active:
                self._active = name
        if self._active is None:
            self._create_active(engine)

    def _unwrap(self, name: str, wrapped: bytes) -> AESGCM:
        try:
            return AESGCM(self._kek.decrypt(wrapped[:_NONCE], wrapped[_NONCE:], b"data_keys:" + name.encode()))
        except (InvalidTag, ValueError):
            raise SecretKeyError(
                "[security] secret_key does not match the key the stored secrets were encrypted with "
                f"(data key {name!r} cannot be unwrapped); start with the original secret key. Nothing was changed."
            ) from None

    def _data_key(self, connection: Connection, name: str) -> AESGCM:
        key = self._keys.get(name)
        if key is None:  # created by another host process sharing the database
            wrapped = connection.execute(
                select(data_keys.c.encrypted_data).where(data_keys.c.name == name)
            ).scalar_one_or_none()
            if wrapped is None:
                raise SecretsError(f"unknown data key {name!r}")
            key = self._keys[name] = self._unwrap(name, wrapped)
        return key

    def _create_active(self, engine: Engine) -> None:
        name = secrets.token_hex(8)
        dek = AESGCM.generate_key(256)
        nonce = os.urandom(_NONCE)
        now = _now()
        with engine.connect().execution_options(**WRITE) as connection, connection.begin():
            connection.execute(
                insert(data_keys).values(
                    name=name,
                    active=True,
                    scope=_SCOPE,
                    provider=_PROVIDER,
                    encrypted_data=nonce + self._kek.encrypt(nonce, dek, b"data_keys:" + name.encode()),
                    created=now,
                    updated=now,
                    label=f"{now:%Y-%m-%d}/{_SCOPE}@{_PROVIDER}",
                )
            )
        self._keys[name] = AESGCM(dek)
        self._active = name

    @staticmethod
    def _aad(org_id: int, uid: str, key: str) -> bytes:
        return orjson.dumps(["datasource", org_id, uid, key])

    def encrypt(self, org_id: int, uid: str, values: Mapping[str, str]) -> str:
        """The stored form of a secret map: JSON ``{key: token}``, each token bound to org, uid and key."""
        if self._active is None:
            raise SecretsError("the keyring is not loaded")
        name, key = self._active, self._keys[self._active]
        out: dict[str, str] = {}
        for field, value in values.items():
            nonce = os.urandom(_NONCE)
            sealed = key.encrypt(nonce, value.encode("utf-8"), self._aad(org_id, uid, field))
            out[field] = f"{_FORMAT}.{name}.{_b64(nonce + sealed)}"
        return orjson.dumps(out).decode()

    def decrypt(self, connection: Connection, org_id: int, uid: str, stored: str | None) -> dict[str, str]:
        """The plaintext secret map from its stored form; SecretsError if any value does not decrypt."""
        if not stored:
            return {}
        tokens: dict[str, str] = orjson.loads(stored)
        out: dict[str, str] = {}
        for field, token in tokens.items():
            try:
                version, name, payload = token.split(".", 2)
                if version != _FORMAT:
                    raise ValueError(version)
                blob = _unb64(payload)
                key = self._data_key(connection, name)
                out[field] = key.decrypt(blob[:_NONCE], blob[_NONCE:], self._aad(org_id, uid, field)).decode("utf-8")
            except (ValueError, InvalidTag):
                raise SecretsError(f"secret {field!r} of data source {uid!r} cannot be decrypted") from None
        return out
