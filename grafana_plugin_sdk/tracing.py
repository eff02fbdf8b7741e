"""OpenTelemetry tracing, configured as Grafana configures plugins: off unless an OTLP address is given.

A plugin reads ``GF_INSTANCE_OTLP_ADDRESS`` (OTLP over gRPC, no TLS), ``GF_INSTANCE_OTLP_PROPAGATION`` (``w3c``,
the default, or ``jaeger`` with the ``opentelemetry-propagator-jaeger`` package), ``GF_INSTANCE_OTLP_SAMPLER_TYPE``
(``const``, ``probabilistic``, ``rateLimiting`` or ``remote``) and ``GF_INSTANCE_OTLP_SAMPLER_PARAM``. The
OpenTelemetry packages (``pip install grafana-plugin-sdk[tracing]``) are imported only when tracing is on, so a
plugin without an address pays one ``None`` check per call.

When on, the SDK continues the trace the host sends in each call's gRPC metadata, opens a ``sdk.<endpoint>`` span
per handler call with Grafana's attribute names, and the HTTP clients of :mod:`grafana_plugin_sdk.httpclient` add an
``HTTP Outgoing Request`` span per request and propagate the trace to the server they call.
"""

from __future__ import annotations

import contextlib
import logging
import os
from collections.abc import Iterator, Mapping, MutableMapping, Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from opentelemetry.propagators.textmap import TextMapPropagator
    from opentelemetry.sdk.trace import TracerProvider
    from opentelemetry.sdk.trace.sampling import Sampler
    from opentelemetry.trace import Span, Tracer

ADDRESS_ENV = "GF_INSTANCE_OTLP_ADDRESS"
PROPAGATION_ENV = "GF_INSTANCE_OTLP_PROPAGATION"
SAMPLER_TYPE_ENV = "GF_INSTANCE_OTLP_SAMPLER_TYPE"
SAMPLER_PARAM_ENV = "GF_INSTANCE_OTLP_SAMPLER_PARAM"
SAMPLER_REMOTE_URL_ENV = "GF_INSTANCE_OTLP_SAMPLER_REMOTE_URL"
PLUGIN_VERSION_ENV = "GF_PLUGIN_VERSION"

_logger = logging.getLogger("grafana_plugin_sdk.tracing")


class TracingConfigError(ValueError):
    """The tracing settings cannot be used (unknown sampler or propagation)."""


@dataclass(frozen=True)
class TracingConfig:
    """Where spans go and which are kept; an empty ``address`` means tracing is off."""

    address: str = ""
    propagation: str = ""
    sampler_type: str = ""
    sampler_param: float = 1.0
    service_name: str = ""
    service_version: str = ""

    @classmethod
    def from_env(cls, env: Mapping[str, str], service_name: str) -> TracingConfig:
        """The settings Grafana passes to a plugin in its environment."""
        try:
            param = float(env.get(SAMPLER_PARAM_ENV) or "1")
        except ValueError:
            raise TracingConfigError(f"{SAMPLER_PARAM_ENV} is not a number: {env[SAMPLER_PARAM_ENV]!r}") from None
        return cls(
            address=env.get(ADDRESS_ENV, ""),
            propagation=env.get(PROPAGATION_ENV, ""),
            sampler_type=env.get(SAMPLER_TYPE_ENV, ""),
            sampler_param=param,
            service_name=service_name,
            service_version=env.get(PLUGIN_VERSION_ENV, ""),
        )


@dataclass(frozen=True)
class _Tracing:
    tracer: Tracer
    propagator: TextMapPropagator
    provider: TracerProvider | None


_STATE: _Tracing | None = None


def enabled() -> bool:
    """Whether spans are recorded in this process."""
    return _STATE is not None


def _sampler(config: TracingConfig) -> Sampler:
    from opentelemetry.sdk.trace import sampling

    kind, param = config.sampler_type, config.sampler_param
    root: sampling.Sampler
    if kind in ("", "const"):
        if 0 < param < 1:
            raise TracingConfigError(f"invalid param for const sampler - must be 0 or 1: {param}")
        root = sampling.ALWAYS_ON if param >= 1 else sampling.ALWAYS_OFF
    elif kind in ("probabilistic", "remote"):  # remote: its initial rate, as the Go SDK starts
        root = sampling.TraceIdRatioBased(param)
    elif kind == "rateLimiting":
        from ._rate_sampler import RateLimitingSampler

        root = RateLimitingSampler(param)
    else:
        raise TracingConfigError(f"invalid sampler type: {kind!r}")
    return sampling.ParentBased(root)


def propagator_for(propagation: str) -> TextMapPropagator:
    """``w3c``, ``jaeger`` or both (comma-separated); W3C trace context and baggage when empty."""
    from opentelemetry.baggage.propagation import W3CBaggagePropagator
    from opentelemetry.propagators.composite import CompositePropagator
    from opentelemetry.trace.propagation.tracecontext import TraceContextTextMapPropagator

    chosen: list[TextMapPropagator] = []
    for name in (p.strip() for p in propagation.split(",")):
        if name == "w3c":
            chosen.append(TraceContextTextMapPropagator())
        elif name == "jaeger":
            try:
                from opentelemetry.propagators.jaeger import JaegerPropagator  # type: ignore[import-not-found]
            except ImportError:
                raise TracingConfigError("jaeger propagation needs opentelemetry-propagator-jaeger") from None
            chosen.append(JaegerPropagator())
        elif name:
            raise TracingConfigError(f"unsupported OpenTelemetry propagator: {name!r}")
    if not chosen:
        return CompositePropagator([TraceContextTextMapPropagator(), W3CBaggagePropagator()])
    return chosen[0] if len(chosen) == 1 else CompositePropagator(chosen)


def setup(config: TracingConfig) -> bool:
    """Export spans to ``config.address`` over OTLP/gRPC; does nothing (and imports nothing) when it is empty."""
    if not config.address:
        return False
    from opentelemetry.exporter.otlp.proto.grpc.trace_exporter import OTLPSpanExporter
    from opentelemetry.sdk.resources import Resource
    from opentelemetry.sdk.trace import TracerProvider
    from opentelemetry.sdk.trace.export import BatchSpanProcessor

    attributes = {"service.name": config.service_name or "grafana-plugin"}
    if config.service_version:
        attributes["service.version"] = config.service_version
    provider = TracerProvider(sampler=_sampler(config), resource=Resource.create(attributes))
    provider.add_span_processor(BatchSpanProcessor(OTLPSpanExporter(endpoint=config.address, insecure=True)))
    install(provider, propagator_for(config.propagation))
    return True


def setup_from_env(service_name: str, env: Mapping[str, str] | None = None) -> bool:
    """:func:`setup` with Grafana's ``GF_INSTANCE_OTLP_*`` variables (a bad value or missing packages are logged,
    tracing stays off)."""
    try:
        return setup(TracingConfig.from_env(os.environ if env is None else env, service_name))
    except TracingConfigError as exc:
        _logger.error("tracing is off: %s", exc)
    except ImportError as exc:
        _logger.error("tracing is off: install grafana-plugin-sdk[tracing] (%s)", exc)
    return False


def install(provider: TracerProvider, propagator: TextMapPropagator | None = None) -> None:
    """Record spans with ``provider`` (tests and benchmarks use an in-memory exporter this way)."""
    global _STATE
    _STATE = _Tracing(provider.get_tracer("grafana_plugin_sdk"), propagator or propagator_for(""), provider)


def shutdown() -> None:
    """Export what is pending and stop tracing."""
    global _STATE
    state, _STATE = _STATE, None
    if state is not None and state.provider is not None:
        state.provider.shutdown()


def _metadata_carrier(metadata: Sequence[tuple[str, str | bytes]]) -> dict[str, str]:
    return {key: value for key, value in metadata if isinstance(value, str)}


@contextlib.contextmanager
def server_span(
    name: str, carrier: Mapping[str, str] | Sequence[tuple[str, str | bytes]] | None, attributes: Mapping[str, Any]
) -> Iterator[Span | None]:
    """A current span continuing the trace in ``carrier`` (headers, or gRPC metadata pairs); None when off."""
    state = _STATE
    if state is None:
        yield None
        return
    from opentelemetry.trace import SpanKind, Status, StatusCode

    headers = carrier if isinstance(carrier, Mapping) else _metadata_carrier(carrier or ())
    parent = state.propagator.extract(headers)
    with state.tracer.start_as_current_span(
        name, context=parent, kind=SpanKind.SERVER, attributes=dict(attributes), record_exception=False
    ) as span:
        try:
            yield span
        except BaseException as exc:
            span.record_exception(exc)
            span.set_status(Status(StatusCode.ERROR, str(exc) or type(exc).__name__))
            raise


@contextlib.contextmanager
def client_span(name: str, attributes: Mapping[str, Any]) -> Iterator[tuple[Span, dict[str, str]] | None]:
    """A current client span and the headers that carry it to the callee; None when off."""
    state = _STATE
    if state is None:
        yield None
        return
    from opentelemetry.trace import SpanKind, Status, StatusCode

    with state.tracer.start_as_current_span(
        name, kind=SpanKind.CLIENT, attributes=dict(attributes), record_exception=False
    ) as span:
        headers: dict[str, str] = {}
        state.propagator.inject(headers)
        try:
            yield span, headers
        except BaseException as exc:
            span.record_exception(exc)
            span.set_status(Status(StatusCode.ERROR, str(exc) or type(exc).__name__))
            raise


def set_error(span: Span, message: str) -> None:
    """Mark ``span`` failed."""
    from opentelemetry.trace import Status, StatusCode

    span.set_status(Status(StatusCode.ERROR, message))


def inject(carrier: MutableMapping[str, str]) -> None:
    """Add the current trace context to ``carrier`` (no-op when off)."""
    if _STATE is not None:
        _STATE.propagator.inject(carrier)
