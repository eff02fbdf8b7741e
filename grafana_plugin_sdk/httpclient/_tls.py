"""An ``ssl.SSLContext`` from :class:`TLSOptions`: PEM CA and client certificate given as text, not files."""

from __future__ import annotations

import os
import ssl
import tempfile

from ._options import TLSOptions

_VERSIONS = {
    "1.0": ssl.TLSVersion.TLSv1,
    "1.1": ssl.TLSVersion.TLSv1_1,
    "1.2": ssl.TLSVersion.TLSv1_2,
    "1.3": ssl.TLSVersion.TLSv1_3,
}


class TLSConfigError(ValueError):
    """The TLS options cannot be used (bad PEM, key not matching the certificate, unknown version)."""


def _version(text: str) -> ssl.TLSVersion:
    try:
        return _VERSIONS[text]
    except KeyError:
        raise TLSConfigError(f"unknown TLS version {text!r}") from None


def _load_client_pair(context: ssl.SSLContext, certificate: str, key: str) -> None:
    """``load_cert_chain`` reads files only: write the pair to a private temporary file, load it, delete it."""
    fd, path = tempfile.mkstemp(prefix="gf-tls-", suffix=".pem")
    try:
        with os.fdopen(fd, "w") as file:
            file.write(f"{certificate.strip()}\n{key.strip()}\n")
        context.load_cert_chain(path)
    except ssl.SSLError as exc:
        raise TLSConfigError(f"failed to load the TLS client certificate and key: {exc}") from None
    finally:
        os.unlink(path)


def ssl_context(tls: TLSOptions | None) -> ssl.SSLContext:
    """The context outgoing connections use: the system CAs, or only the given CA; verification unless skipped."""
    if tls is None or not tls.ca_certificate:
        context = ssl.create_default_context()
    else:
        context = ssl.SSLContext(ssl.PROTOCOL_TLS_CLIENT)
        try:
            context.load_verify_locations(cadata=tls.ca_certificate)
        except (ssl.SSLError, ValueError):
            raise TLSConfigError("failed to parse TLS CA PEM certificate") from None
    if tls is None:
        return context
    if tls.client_certificate and tls.client_key:
        _load_client_pair(context, tls.client_certificate, tls.client_key)
    if tls.insecure_skip_verify:
        context.check_hostname = False
        context.verify_mode = ssl.CERT_NONE
    if tls.min_version:
        context.minimum_version = _version(tls.min_version)
    if tls.max_version:
        context.maximum_version = _version(tls.max_version)
    return context
