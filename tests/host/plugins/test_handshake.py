"""The strict handshake-line parser, on good lines and every kind of malformed one."""

from __future__ import annotations

import pytest

from grafana_plugin_sdk.wire import Handshake, HandshakeError, parse_handshake


@pytest.mark.parametrize(
    ("line", "expected"),
    [
        ("1|2|unix|/tmp/plugin123|grpc|\n", Handshake(1, 2, "unix", "/tmp/plugin123", "grpc")),
        (b"1|2|unix|/tmp/plugin123|grpc", Handshake(1, 2, "unix", "/tmp/plugin123", "grpc")),
        ("  1|2|tcp|127.0.0.1:10001|grpc|  \r\n", Handshake(1, 2, "tcp", "127.0.0.1:10001", "grpc")),
        ("1|2|tcp|[::1]:10001|grpc|", Handshake(1, 2, "tcp", "[::1]:10001", "grpc")),
        ("1|2|unix|/tmp/p|grpc||true", Handshake(1, 2, "unix", "/tmp/p", "grpc")),
        ("1|2|unix|/tmp/p|grpc|short-not-a-cert", Handshake(1, 2, "unix", "/tmp/p", "grpc")),
    ],
)
def test_valid_lines(line: str | bytes, expected: Handshake) -> None:
    assert parse_handshake(line) == expected


def test_targets() -> None:
    assert parse_handshake("1|2|unix|/tmp/p.sock|grpc|").target == "unix:/tmp/p.sock"
    assert parse_handshake("1|2|tcp|127.0.0.1:1234|grpc|").target == "ipv4:127.0.0.1:1234"
    assert parse_handshake("1|2|tcp|[::1]:1234|grpc|").target == "ipv6:[::1]:1234"


@pytest.mark.parametrize(
    ("line", "fragment"),
    [
        ("", "empty line"),
        ("   \n", "empty line"),
        ("hello world", "unrecognized handshake line"),
        ("1|2|unix", "unrecognized handshake line"),
        ("1|2|unix|/tmp/p|grpc||true|extra", "too many fields"),
        ("x|2|unix|/tmp/p|grpc|", "core protocol version 'x' is not a number"),
        ("-1|2|unix|/tmp/p|grpc|", "is not a number"),
        ("2|2|unix|/tmp/p|grpc|", "incompatible core protocol version 2"),
        ("1|1|unix|/tmp/p|grpc|", "plugin protocol version 1 not supported"),
        ("1|3|unix|/tmp/p|grpc|", "plugin protocol version 3 not supported"),
        ("1|two|unix|/tmp/p|grpc|", "plugin protocol version 'two' is not a number"),
        ("1|2|udp|/tmp/p|grpc|", "unknown network 'udp'"),
        ("1|2|unix||grpc|", "empty address"),
        ("1|2|unix|relative/sock|grpc|", "not absolute"),
        ("1|2|tcp|127.0.0.1|grpc|", "not host:port"),
        ("1|2|tcp|127.0.0.1:0|grpc|", "no valid port"),
        ("1|2|tcp|127.0.0.1:70000|grpc|", "no valid port"),
        ("1|2|tcp|127.0.0.1:port|grpc|", "no valid port"),
        ("1|2|tcp|localhost:1234|grpc|", "not an IP address"),
        ("1|2|tcp|::1:1234|grpc|", "IPv6 hosts need brackets"),
        ("1|2|unix|/tmp/p", "protocol 'netrpc' not supported"),
        ("1|2|unix|/tmp/p|", "protocol 'netrpc' not supported"),
        ("1|2|unix|/tmp/p|netrpc|", "protocol 'netrpc' not supported"),
        ("1|2|unix|/tmp/p|grpc|" + "A" * 60, "TLS certificate"),
        ("1|2|unix|/tmp/p|grpc||maybe", "multiplexing flag"),
        ("1|2|unix|/tmp/" + "p" * 5000 + "|grpc|", "characters long"),
    ],
)
def test_malformed_lines(line: str, fragment: str) -> None:
    with pytest.raises(HandshakeError, match=None) as info:
        parse_handshake(line)
    assert fragment in str(info.value)


def test_binary_garbage() -> None:
    with pytest.raises(HandshakeError, match="not text"):
        parse_handshake(b"\xff\xfe\x00garbage")
    with pytest.raises(HandshakeError, match="bytes long"):
        parse_handshake(b"1" * 10_000)


def test_other_app_versions() -> None:
    assert parse_handshake("1|3|unix|/tmp/p|grpc|", app_versions=(2, 3)).app_version == 3
