"""REST plumbing: routing under /api/v10, auth, body parsing, request log, faults, errors."""

from __future__ import annotations

import json
import re
import time
from collections.abc import Awaitable, Callable
from dataclasses import dataclass, field
from typing import Any

from aiohttp import BodyPartReader, web
from multidict import MultiMapping

from .faults import Faults
from .model import JSON, ApiError
from .ops import Upload
from .world import World

API_PREFIX = "/api/v10"


@dataclass
class RequestRecord:
    """One REST call as the stand-in saw it."""

    method: str
    path: str
    query: dict[str, str]
    json: Any
    uploads: list[Upload] = field(default_factory=list)
    status: int = 0
    route: str | None = None
    fault: str | None = None
    response: Any = None
    at: float = field(default_factory=time.monotonic)

    def __repr__(self) -> str:
        return (
            f"<{self.method} {self.path} -> {self.status}{' ' + self.fault if self.fault else ''}>"
        )


@dataclass
class Ctx:
    request: web.Request
    method: str
    path: str
    params: dict[str, str]
    query: MultiMapping[str]
    body: Any
    uploads: list[Upload]

    def id(self, name: str) -> int:
        raw = self.params[name]
        if not raw.isdigit():
            raise ApiError(404, 0, "404: Not Found")
        return int(raw)

    @property
    def json(self) -> JSON:
        if not isinstance(self.body, dict):
            raise ApiError(400, 50109, "The request body contains invalid JSON.")
        return self.body


Reply = tuple[int, Any]
Handler = Callable[[Ctx], Awaitable[Reply]]


@dataclass
class Route:
    method: str
    template: str
    pattern: re.Pattern[str]
    handler: Handler
    auth: bool


class Router:
    def __init__(self) -> None:
        self.routes: list[Route] = []

    def add(self, method: str, template: str, handler: Handler, *, auth: bool = True) -> None:
        regex = re.sub(r"\{(\w+)\}", r"(?P<\1>[^/]+)", template)
        route = Route(method, template, re.compile(f"^{regex}$"), handler, auth)
        self.routes.append(route)

    def match(self, method: str, path: str) -> tuple[Route | None, dict[str, str], bool]:
        path_known = False
        for route in self.routes:
            found = route.pattern.match(path)
            if found is None:
                continue
            path_known = True
            if route.method == method:
                return route, found.groupdict(), True
        return None, {}, path_known


def json_response(status: int, body: Any, headers: dict[str, str] | None = None) -> web.Response:
    # Exactly "application/json": discord.py only decodes bodies with that content type, and
    # aiohttp's json_response would append "; charset=utf-8".
    all_headers = {"Content-Type": "application/json"} | (headers or {})
    if body is None:
        return web.Response(status=204, headers=headers)
    return web.Response(status=status, body=json.dumps(body).encode(), headers=all_headers)


async def _parse_body(request: web.Request) -> tuple[Any, list[Upload]]:
    if not request.can_read_body:
        return None, []
    if request.content_type.startswith("multipart/"):
        body: Any = None
        uploads: list[Upload] = []
        reader = await request.multipart()
        async for part in reader:
            if not isinstance(part, BodyPartReader):
                continue
            name = part.name or ""
            data = await part.read(decode=False)
            if name == "payload_json":
                body = json.loads(data)
            else:
                ctype = part.headers.get("Content-Type")
                uploads.append(Upload(name, part.filename or name, bytes(data), ctype))
        return body, uploads
    raw = await request.read()
    if not raw:
        return None, []
    try:
        return json.loads(raw), []
    except ValueError:
        return raw.decode(errors="replace"), []


class RestApi:
    """Handles /api/v10/*: every call is logged in :attr:`requests`."""

    def __init__(self, world: World, faults: Faults) -> None:
        self.world = world
        self.faults = faults
        self.router = Router()
        self.requests: list[RequestRecord] = []
        #: Calls no route knows (404/405): a bot calling something the stand-in lacks.
        self.unexpected: list[RequestRecord] = []

    async def handle(self, request: web.Request) -> web.StreamResponse:
        path = "/" + request.match_info.get("tail", "")
        body, uploads = await _parse_body(request)
        record = RequestRecord(request.method, path, dict(request.query), body, uploads)
        self.requests.append(record)
        try:
            return await self._handle(request, record, path, body, uploads)
        finally:
            self.world.notify()

    async def _handle(
        self,
        request: web.Request,
        record: RequestRecord,
        path: str,
        body: Any,
        uploads: list[Upload],
    ) -> web.StreamResponse:
        route, params, path_known = self.router.match(request.method, path)
        if route is None:
            status = 405 if path_known else 404
            record.status = status
            self.unexpected.append(record)
            text = "405: Method Not Allowed" if path_known else "404: Not Found"
            return json_response(status, {"message": text, "code": 0})
        record.route = route.template
        if route.auth and request.headers.get("Authorization") != f"Bot {self.world.token}":
            record.status = 401
            return json_response(401, {"message": "401: Unauthorized", "code": 0})
        fault = self.faults.take(request.method, path)
        if fault is not None and not fault.after_apply:
            record.status, record.fault = fault.status, f"injected {fault.status}"
            return fault.response()
        ctx = Ctx(request, request.method, path, params, request.query, body, uploads)
        try:
            status, out = await route.handler(ctx)
        except ApiError as err:
            status, out = err.status, err.body()
        record.response = out
        if fault is not None:
            record.status, record.fault = (
                fault.status,
                f"applied ({status}), answered {fault.status}",
            )
            return fault.response()
        record.status = 204 if out is None else status
        return json_response(status, out, _ratelimit_headers(route))


def _ratelimit_headers(route: Route) -> dict[str, str]:
    return {
        "X-RateLimit-Limit": "50",
        "X-RateLimit-Remaining": "49",
        "X-RateLimit-Reset": f"{time.time() + 1:.3f}",
        "X-RateLimit-Reset-After": "1.000",
        "X-RateLimit-Bucket": f"standin:{route.method}:{route.template}",
    }
