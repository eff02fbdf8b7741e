"""Errors the store raises; the API layer maps them to Grafana's status codes and messages."""

from __future__ import annotations

from grafana_plugin_host.errors import HostError


class StoreError(HostError):
    """Base of the store's errors."""


class SecretKeyError(StoreError):
    """The secret key is missing or cannot decrypt the stored data keys; the host must not start."""


class SecretsError(StoreError):
    """A stored secret cannot be decrypted (tampered, or bound to another data source)."""


class DataSourceNameExistsError(StoreError):
    """Another data source in the org has that name."""


class DataSourceUidExistsError(StoreError):
    """Another data source in the org has that uid."""


class DataSourceNotFoundError(StoreError, LookupError):
    """No data source with that id in the org."""


class DataSourceReadOnlyError(StoreError):
    """The data source is provisioned and cannot be changed through the API."""


class DataSourceVersionError(StoreError):
    """The update carried a version older than the stored one (someone else updated it)."""
