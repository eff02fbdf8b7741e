"""The same resource routes written as a Flask app and as a Starlette app, for the adapter tests."""

from __future__ import annotations

import asyncio
import time
from collections.abc import AsyncIterator, Iterator
from pathlib import Path
from typing import Any

import flask
from starlette.applications import Starlette
from starlette.requests import Request
from starlette.responses import JSONResponse, Response, StreamingResponse
from starlette.routing import Route

from grafana_plugin_sdk import httpadapter
from grafana_plugin_sdk.backend import CallResourceHandler, PluginContext

NAMESPACES = {"namespaces": ["ns-1", "ns-2"]}
PROJECTS = {"projects": ["project-1", "project-2"]}
STREAM_CHUNKS = [b"chunk-0\n", b"chunk-1\n", b"chunk-2\n"]
GATE_TIMEOUT = 10.0


def context_json(ctx: PluginContext) -> dict[str, Any]:
    """What the ``/user`` route answers: the caller and where the call is for."""
    ds = ctx.data_source_instance_settings
    user = ctx.user
    return {
        "user": None
        if user is None
        else {"login": user.login, "name": user.name, "email": user.email, "role": user.role},
        "orgId": ctx.org_id,
        "pluginId": ctx.plugin_id,
        "dataSourceUid": None if ds is None else ds.uid,
    }


def wait_for_gate(gate: Path) -> bytes:
    """The ``/gated`` route's second chunk, once the file ``gate`` exists (or after a timeout)."""
    deadline = time.monotonic() + GATE_TIMEOUT
    while not gate.exists():
        if time.monotonic() > deadline:
            return b"timeout\n"
        time.sleep(0.01)
    return b"second\n"


def broken_stream() -> Iterator[bytes]:
    """What the ``/broken-stream`` route streams: one chunk, then a failure."""
    yield b"partial\n"
    raise RuntimeError("the stream broke")


def reversed_bytes(body: bytes) -> bytes:
    """What the ``/binary`` route answers."""
    return body[::-1]


# --- Flask ------------------------------------------------------------------------------------------

flask_app = flask.Flask(__name__)
flask_app.config["PROPAGATE_EXCEPTIONS"] = True  # let the adapter turn exceptions into its JSON 500


@flask_app.get("/namespaces")
def flask_namespaces() -> Any:
    return NAMESPACES


@flask_app.get("/projects")
def flask_projects() -> Any:
    return PROJECTS


@flask_app.get("/search")
def flask_search() -> Any:
    args = flask.request.args
    return {"path": flask.request.path, "q": args.get("q"), "tags": args.getlist("tag")}


@flask_app.post("/echo")
def flask_echo() -> Any:
    return {"received": flask.request.get_json()}, 201


@flask_app.get("/headers")
def flask_headers() -> Any:
    headers = flask.request.headers
    response = flask.jsonify({"x-multi": headers.get("X-Multi"), "cookies": dict(flask.request.cookies)})
    response.headers["X-Custom"] = "yes"
    response.set_cookie("a", "1")
    response.set_cookie("b", "2")
    return response


@flask_app.post("/binary")
def flask_binary() -> Any:
    return flask.Response(reversed_bytes(flask.request.get_data()), mimetype="application/octet-stream")


@flask_app.get("/stream")
def flask_stream() -> Any:
    return flask.Response(iter(STREAM_CHUNKS), mimetype="text/plain")


@flask_app.get("/gated")
def flask_gated() -> Any:
    """Sends a first chunk, then waits for the file named by ``?gate=`` before the second one."""
    gate = Path(flask.request.args["gate"])

    def generate() -> Iterator[bytes]:
        yield b"first\n"
        yield wait_for_gate(gate)

    return flask.Response(generate(), mimetype="text/plain")


@flask_app.get("/broken-stream")
def flask_broken_stream() -> Any:
    return flask.Response(broken_stream(), mimetype="text/plain")


@flask_app.get("/user")
def flask_user() -> Any:
    return context_json(httpadapter.plugin_context(flask.request.environ))


@flask_app.get("/boom")
def flask_boom() -> Any:
    raise RuntimeError("secret detail that must not reach the client")


# --- Starlette --------------------------------------------------------------------------------------


async def st_namespaces(request: Request) -> Response:
    return JSONResponse(NAMESPACES)


async def st_projects(request: Request) -> Response:
    return JSONResponse(PROJECTS)


async def st_search(request: Request) -> Response:
    args = request.query_params
    return JSONResponse({"path": request.url.path, "q": args.get("q"), "tags": args.getlist("tag")})


async def st_echo(request: Request) -> Response:
    return JSONResponse({"received": await request.json()}, status_code=201)


async def st_headers(request: Request) -> Response:
    multi = ", ".join(request.headers.getlist("x-multi"))
    response = JSONResponse({"x-multi": multi, "cookies": dict(request.cookies)})
    response.headers["X-Custom"] = "yes"
    response.set_cookie("a", "1")
    response.set_cookie("b", "2")
    return response


async def st_binary(request: Request) -> Response:
    return Response(reversed_bytes(await request.body()), media_type="application/octet-stream")


async def st_stream(request: Request) -> Response:
    async def generate() -> AsyncIterator[bytes]:
        for chunk in STREAM_CHUNKS:
            yield chunk

    return StreamingResponse(generate(), media_type="text/plain")


async def st_gated(request: Request) -> Response:
    gate = Path(request.query_params["gate"])

    async def generate() -> AsyncIterator[bytes]:
        yield b"first\n"
        yield await asyncio.to_thread(wait_for_gate, gate)

    return StreamingResponse(generate(), media_type="text/plain")


async def st_broken_stream(request: Request) -> Response:
    return StreamingResponse(broken_stream(), media_type="text/plain")


async def st_user(request: Request) -> Response:
    return JSONResponse(context_json(httpadapter.plugin_context(request)))


async def st_boom(request: Request) -> Response:
    raise RuntimeError("secret detail that must not reach the client")


starlette_app = Starlette(
    routes=[
        Route("/namespaces", st_namespaces),
        Route("/projects", st_projects),
        Route("/search", st_search),
        Route("/echo", st_echo, methods=["POST"]),
        Route("/headers", st_headers),
        Route("/binary", st_binary, methods=["POST"]),
        Route("/stream", st_stream),
        Route("/gated", st_gated),
        Route("/broken-stream", st_broken_stream),
        Route("/user", st_user),
        Route("/boom", st_boom),
    ]
)


def handler_for(framework: str) -> CallResourceHandler:
    """The adapter around the named test app: ``flask`` (WSGI) or ``starlette`` (ASGI)."""
    return httpadapter.wsgi(flask_app) if framework == "flask" else httpadapter.asgi(starlette_app)
