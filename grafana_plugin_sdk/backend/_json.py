"""DataResponse / QueryDataResponse <-> the JSON Grafana's ``/api/ds/query`` answers (Go SDK ``backend/json.go``).

Encoding splices each frame's already-encoded JSON bytes into the document; nothing is parsed again.
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import orjson

from ._responses import DataResponse, ErrorSource, QueryDataResponse


def _data_response_chunks(resp: DataResponse) -> Iterator[bytes]:
    """A DataResponse's JSON in pieces: the head, then one piece per frame, then the end."""
    head = [b"{"]
    if resp.error:
        source = str(resp.error_source) if resp.error_source else ""
        head += [b'"error":', orjson.dumps(resp.error), b',"errorSource":', orjson.dumps(source), b","]
    head.append(b'"status":%d' % resp.effective_status())
    if not resp.frames:
        yield b"".join(head) + b"}"
        return
    yield b"".join(head) + b',"frames":['
    for index, frame in enumerate(resp.frames):
        yield (b"," if index else b"") + frame.to_json()
    yield b"]}"


def data_response_to_json(resp: DataResponse) -> bytes:
    """``{"error", "errorSource"`` (on error)``, "status", "frames"`` (when any)``}``."""
    return b"".join(_data_response_chunks(resp))


def query_data_response_json_chunks(resp: QueryDataResponse) -> Iterator[bytes]:
    """:func:`query_data_response_to_json` in pieces of at most one frame each, for streaming a large answer."""
    yield b'{"results":{'
    for index, ref_id in enumerate(sorted(resp.responses)):
        yield (b"," if index else b"") + orjson.dumps(ref_id) + b":"
        yield from _data_response_chunks(resp.responses[ref_id])
    yield b"}}"


def query_data_response_to_json(resp: QueryDataResponse) -> bytes:
    """``{"results": {refId: DataResponse, ...}}`` with refIds sorted, as Grafana writes it."""
    return b"".join(query_data_response_json_chunks(resp))


def _error(message: str) -> Exception:
    """A FrameError; ``data`` (so pyarrow) is imported only when a response is decoded, not at start-up."""
    from grafana_plugin_sdk.data import FrameError

    return FrameError(message)


def data_response_from_json(data: bytes | str) -> DataResponse:
    """A DataResponse from its JSON; FrameError if malformed."""
    return data_response_from_dict(_loads(data))


def query_data_response_from_json(data: bytes | str) -> QueryDataResponse:
    """A QueryDataResponse from ``{"results": {...}}``; FrameError if malformed."""
    doc = _loads(data)
    results = doc.get("results") if isinstance(doc, dict) else None
    if not isinstance(results, dict):
        raise _error('QueryDataResponse JSON must be an object with a "results" object')
    return QueryDataResponse({ref_id: data_response_from_dict(r) for ref_id, r in results.items()})


def data_response_from_dict(doc: Any) -> DataResponse:
    """A DataResponse from its parsed JSON."""
    from grafana_plugin_sdk.data import Frame

    if not isinstance(doc, dict):
        raise _error(f"DataResponse JSON must be an object, got {type(doc).__name__}")
    frames = doc.get("frames") or []
    if not isinstance(frames, list):
        raise _error("DataResponse frames must be an array")
    status = doc.get("status", 0)
    if not isinstance(status, int):
        raise _error(f"DataResponse status must be an integer, got {status!r}")
    source = doc.get("errorSource")
    return DataResponse(
        frames=[Frame.from_dict(f) for f in frames],
        error=doc.get("error") or None,
        status=status,
        error_source=ErrorSource(source) if source in ("plugin", "downstream") else None,
    )


def _loads(data: bytes | str) -> Any:
    from grafana_plugin_sdk._gojson import load_json  # frame JSON as Go writes it (-0 stays a float)

    try:
        return load_json(data)
    except (ValueError, RecursionError) as exc:
        raise _error(f"not valid JSON: {exc}") from None
