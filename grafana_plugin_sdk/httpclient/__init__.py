"""HTTP clients for data sources that call HTTP APIs, built from the data source's settings as the Go SDK's
``httpclient`` builds them.

``new_client(settings)`` (or ``new_async_client``) gives an httpx client with the data source's URL as base URL,
its TLS options (CA, client certificate and key, skip verify, server name), timeouts, basic auth, custom headers
(``httpHeaderNameN``), the environment's proxy, and a middleware chain: per data source metrics, Grafana's user
agent, the caller's forwarded identity when the data source forwards OAuth or cookies, and a response size limit.
Transport errors, timeouts and 5xx statuses (``response.raise_for_status()``) raised from a handler become
downstream errors in query responses.
"""

from ._chain import ChainTransport, Flow, Middleware, Step
from ._client import new_async_client, new_client
from ._middlewares import (
    BasicAuth,
    CustomHeaders,
    DataSourceMetrics,
    ForwardedHeaders,
    ResponseLimit,
    ResponseTooLargeError,
    Tracing,
    UserAgent,
    default_middlewares,
)
from ._options import BasicAuthOptions, Options, TimeoutOptions, TLSOptions, custom_headers, options_from_settings
from ._tls import TLSConfigError, ssl_context

__all__ = [
    "BasicAuth",
    "BasicAuthOptions",
    "ChainTransport",
    "CustomHeaders",
    "DataSourceMetrics",
    "Flow",
    "ForwardedHeaders",
    "Middleware",
    "Options",
    "ResponseLimit",
    "ResponseTooLargeError",
    "Step",
    "TLSConfigError",
    "TLSOptions",
    "TimeoutOptions",
    "Tracing",
    "UserAgent",
    "custom_headers",
    "default_middlewares",
    "new_async_client",
    "new_client",
    "options_from_settings",
    "ssl_context",
]
