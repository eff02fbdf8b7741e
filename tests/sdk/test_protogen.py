"""The compiled pluginv2 descriptors match the protocol reference, and the stubs are fresh."""

from __future__ import annotations

import filecmp
import importlib.util
import re
from pathlib import Path

import pytest
from google.protobuf.descriptor import Descriptor, FieldDescriptor

from grafana_plugin_sdk.wire.genproto import backend_pb2
from grafana_plugin_sdk.wire.genproto.plugin import grpc_broker_pb2, grpc_controller_pb2, grpc_stdio_pb2

ROOT = Path(__file__).resolve().parents[2]
PROTOCOL_MD = ROOT.parent / "shared" / "PROTOCOL.md"

# Transcribed from the protocol reference (Appendix A): message -> (number, repeated, type, name).
EXPECTED_MESSAGES = """
AppInstanceSettings: 3 bytes jsonData; 4 map<string,string> decryptedSecureJsonData; 5 int64 lastUpdatedMS; 6 string apiVersion
DataSourceInstanceSettings: 1 int64 id; 2 string name; 3 string url; 4 string user; 5 string database; 6 bool basicAuthEnabled; 7 string basicAuthUser; 8 bytes jsonData; 9 map<string,string> decryptedSecureJsonData; 10 int64 lastUpdatedMS; 11 string uid; 12 string apiVersion
User: 1 string login; 2 string name; 3 string email; 4 string role
PluginContext: 1 int64 orgId; 2 string pluginId; 3 User user; 4 AppInstanceSettings appInstanceSettings; 5 DataSourceInstanceSettings dataSourceInstanceSettings; 6 map<string,string> grafanaConfig; 7 string pluginVersion; 8 string userAgent; 9 string apiVersion; 10 string namespace
StringList: 1 repeated string values
CallResourceRequest: 1 PluginContext pluginContext; 2 string path; 3 string method; 4 string url; 5 map<string,StringList> headers; 6 bytes body
CallResourceResponse: 1 int32 code; 2 map<string,StringList> headers; 3 bytes body
TimeRange: 1 int64 fromEpochMS; 2 int64 toEpochMS
DataQuery: 1 string refId; 2 int64 maxDataPoints; 3 int64 intervalMS; 4 TimeRange timeRange; 5 bytes json; 6 string queryType
QueryDataRequest: 1 PluginContext pluginContext; 2 map<string,string> headers; 3 repeated DataQuery queries; 4 DataFrameFormat format
QueryDataResponse: 1 map<string,DataResponse> responses
DataResponse: 1 repeated bytes frames; 2 string error; 3 bytes jsonMeta; 4 int32 status; 5 string errorSource; 6 DataFrameFormat format
QueryChunkedDataRequest: 1 PluginContext pluginContext; 2 map<string,string> headers; 3 repeated DataQuery queries; 4 DataFrameFormat format
QueryChunkedDataResponse: 1 string refId; 2 string frameId; 3 bytes frame; 4 string error; 5 int32 status; 6 string errorSource; 7 DataFrameFormat format
CollectMetricsRequest: 1 PluginContext pluginContext
CollectMetricsResponse: 1 Payload metrics
CollectMetricsResponse.Payload: 1 bytes prometheus
CheckHealthRequest: 1 PluginContext pluginContext; 2 map<string,string> headers
CheckHealthResponse: 1 HealthStatus status; 2 string message; 3 bytes jsonDetails
SubscribeStreamRequest: 1 PluginContext pluginContext; 2 string path; 3 bytes data; 4 map<string,string> headers
SubscribeStreamResponse: 1 Status status; 2 bytes data
PublishStreamRequest: 1 PluginContext pluginContext; 2 string path; 3 bytes data; 4 map<string,string> headers
PublishStreamResponse: 1 Status status; 2 bytes data
RunStreamRequest: 1 PluginContext pluginContext; 2 string path; 3 bytes data; 4 map<string,string> headers
StreamPacket: 1 bytes data
GroupVersionKind: 1 string group; 2 string version; 3 string kind
AdmissionRequest: 1 PluginContext pluginContext; 2 Operation operation; 3 GroupVersionKind kind; 4 bytes object_bytes; 5 bytes old_object_bytes
ValidationResponse: 1 bool allowed; 2 StatusResult result; 3 repeated string warnings
MutationResponse: 1 bool allowed; 2 StatusResult result; 3 repeated string warnings; 4 bytes object_bytes
GroupVersion: 1 string group; 2 string version
RawObject: 1 bytes raw; 2 string content_type
ConversionRequest: 1 PluginContext pluginContext; 2 string uid; 3 repeated RawObject objects; 4 GroupVersion target_version
ConversionResponse: 1 string uid; 2 StatusResult result; 3 repeated RawObject objects
StatusResult: 1 string status; 2 string message; 3 string reason; 4 int32 code
"""

EXPECTED_ENUMS = {
    "DataFrameFormat": {"ARROW": 0, "JSON": 1},
    "CheckHealthResponse.HealthStatus": {"UNKNOWN": 0, "OK": 1, "ERROR": 2},
    "SubscribeStreamResponse.Status": {"OK": 0, "NOT_FOUND": 1, "PERMISSION_DENIED": 2},
    "PublishStreamResponse.Status": {"OK": 0, "NOT_FOUND": 1, "PERMISSION_DENIED": 2},
    "AdmissionRequest.Operation": {"CREATE": 0, "UPDATE": 1, "DELETE": 2},
}

EXPECTED_RPCS = {
    "Resource": {"CallResource": ("CallResourceRequest", "CallResourceResponse", True)},
    "Data": {
        "QueryData": ("QueryDataRequest", "QueryDataResponse", False),
        "QueryChunkedData": ("QueryChunkedDataRequest", "QueryChunkedDataResponse", True),
    },
    "Diagnostics": {
        "CheckHealth": ("CheckHealthRequest", "CheckHealthResponse", False),
        "CollectMetrics": ("CollectMetricsRequest", "CollectMetricsResponse", False),
    },
    "Stream": {
        "SubscribeStream": ("SubscribeStreamRequest", "SubscribeStreamResponse", False),
        "RunStream": ("RunStreamRequest", "StreamPacket", True),
        "PublishStream": ("PublishStreamRequest", "PublishStreamResponse", False),
    },
    "AdmissionControl": {
        "ValidateAdmission": ("AdmissionRequest", "ValidationResponse", False),
        "MutateAdmission": ("AdmissionRequest", "MutationResponse", False),
    },
    "ResourceConversion": {"ConvertObjects": ("ConversionRequest", "ConversionResponse", False)},
}

_SCALARS = {
    FieldDescriptor.TYPE_BYTES: "bytes",
    FieldDescriptor.TYPE_STRING: "string",
    FieldDescriptor.TYPE_INT64: "int64",
    FieldDescriptor.TYPE_INT32: "int32",
    FieldDescriptor.TYPE_BOOL: "bool",
    FieldDescriptor.TYPE_UINT32: "uint32",
}


def _type_name(field: FieldDescriptor) -> str:
    """A field's type spelled as in the reference (``map<k,v>``, message or enum short names)."""
    if field.message_type is not None and field.message_type.GetOptions().map_entry:
        key, value = field.message_type.fields_by_name["key"], field.message_type.fields_by_name["value"]
        return f"map<{_type_name(key)},{_type_name(value)}>"
    if field.message_type is not None:
        return field.message_type.name
    if field.enum_type is not None:
        return field.enum_type.name
    return _SCALARS[field.type]


def _describe(message: Descriptor) -> str:
    parts = []
    for field in sorted(message.fields, key=lambda f: f.number):
        is_map = field.message_type is not None and field.message_type.GetOptions().map_entry
        repeated = "repeated " if field.is_repeated and not is_map else ""
        parts.append(f"{field.number} {repeated}{_type_name(field)} {field.name}")
    return "; ".join(parts)


def _message(path: str) -> Descriptor:
    outer, _, inner = path.partition(".")
    desc = backend_pb2.DESCRIPTOR.message_types_by_name[outer]
    return desc.nested_types_by_name[inner] if inner else desc


def _expected_lines(text: str) -> list[tuple[str, str]]:
    return [tuple(line.split(": ", 1)) for line in text.strip().splitlines()]  # type: ignore[misc]


@pytest.mark.parametrize(("message", "fields"), _expected_lines(EXPECTED_MESSAGES))
def test_message_fields_match_reference(message: str, fields: str) -> None:
    assert _describe(_message(message)) == fields


def test_every_message_is_in_the_reference() -> None:
    expected = {name for name, _ in _expected_lines(EXPECTED_MESSAGES)}
    compiled = set()
    for desc in backend_pb2.DESCRIPTOR.message_types_by_name.values():
        compiled.add(desc.name)
        compiled.update(f"{desc.name}.{n.name}" for n in desc.nested_types if not n.GetOptions().map_entry)
    assert compiled == expected
    assert backend_pb2.DESCRIPTOR.package == "pluginv2"


@pytest.mark.parametrize(("enum", "values"), EXPECTED_ENUMS.items())
def test_enum_values_match_reference(enum: str, values: dict[str, int]) -> None:
    outer, _, inner = enum.partition(".")
    desc = (
        backend_pb2.DESCRIPTOR.message_types_by_name[outer].enum_types_by_name[inner]
        if inner
        else backend_pb2.DESCRIPTOR.enum_types_by_name[outer]
    )
    assert {v.name: v.number for v in desc.values} == values


@pytest.mark.parametrize(("service", "methods"), EXPECTED_RPCS.items())
def test_services_match_reference(service: str, methods: dict[str, tuple[str, str, bool]]) -> None:
    desc = backend_pb2.DESCRIPTOR.services_by_name[service]
    assert desc.full_name == f"pluginv2.{service}"
    compiled = {m.name: (m.input_type.name, m.output_type.name, m.server_streaming) for m in desc.methods}
    assert compiled == methods
    assert not any(m.client_streaming for m in desc.methods)


def test_go_plugin_services() -> None:
    controller = grpc_controller_pb2.DESCRIPTOR.services_by_name["GRPCController"]
    assert controller.full_name == "plugin.GRPCController"
    assert controller.methods_by_name["Shutdown"].input_type.full_name == "plugin.Empty"
    stdio = grpc_stdio_pb2.DESCRIPTOR.services_by_name["GRPCStdio"].methods_by_name["StreamStdio"]
    assert stdio.input_type.full_name == "google.protobuf.Empty"
    assert stdio.output_type.full_name == "plugin.StdioData"
    assert _describe(grpc_stdio_pb2.StdioData.DESCRIPTOR) == "1 Channel channel; 2 bytes data"
    broker = grpc_broker_pb2.DESCRIPTOR.services_by_name["GRPCBroker"].methods_by_name["StartStream"]
    assert broker.client_streaming and broker.server_streaming
    assert _describe(grpc_broker_pb2.ConnInfo.DESCRIPTOR) == (
        "1 uint32 service_id; 2 string network; 3 string address; 4 Knock knock"
    )


def test_reference_appendix_agrees_with_transcription() -> None:
    """Where ../shared is present, the transcription above must equal PROTOCOL.md's Appendix A."""
    if not PROTOCOL_MD.is_file():
        pytest.skip(f"protocol reference not found at {PROTOCOL_MD}")
    appendix = PROTOCOL_MD.read_text().split("## Appendix A", 1)[1]
    found = dict(re.findall(r"^- `([\w.]+)`: (\d.*)$", appendix, flags=re.M))
    for message, fields in _expected_lines(EXPECTED_MESSAGES):
        assert found[message] == fields, message


def _sources(folder: Path) -> list[Path]:
    return sorted(p.relative_to(folder) for p in folder.rglob("*") if p.suffix in (".py", ".pyi"))


def test_committed_stubs_are_fresh(tmp_path: Path) -> None:
    """Regenerating the stubs from proto/ changes nothing (run `make protos` when this fails)."""
    spec = importlib.util.spec_from_file_location("gen_protos", ROOT / "scripts" / "gen_protos.py")
    assert spec is not None and spec.loader is not None
    gen_protos = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(gen_protos)
    gen_protos.generate(tmp_path)
    committed = ROOT / "grafana_plugin_sdk" / "wire" / "genproto"
    generated = _sources(tmp_path)
    assert generated == _sources(committed)
    for rel in generated:
        assert filecmp.cmp(tmp_path / rel, committed / rel, shallow=False), f"{rel} is stale"
