"""REST plumbing: route table, body parsing, auth, fault injection and request recording."""

from __future__ import annotations

import json
import logging
import re
import time
import urllib.parse
from collections.abc import Awaitable, Callable
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

from aiohttp import web

from emulator.errors import ApiError
from emulator.messages import Upload

if TYPE_CHECKING:
    from emulator.driver import Emulator

log = logging.getLogger(__name__)

API_PREFIX = "/api/v10"


@dataclass
class RecordedRequest:
    """One REST call the bot made, as the emulator saw and answered it."""

    method: str
    path: str
    route: str | None
    json: Any
    headers: dict[str, str]
    status: int
    at: float
    query: dict[str, str] = field(default_factory=dict)
    params: dict[str, str] = field(default_factory=dict)
    files: list[tuple[str, bytes]] = field(default_factory=list)
    response: Any = None

    @property
    def reason(self) -> str | None:
        """Return the decoded X-Audit-Log-Reason header, if any."""
        raw = self.headers.get("X-Audit-Log-Reason")
        return urllib.parse.unquote(raw) if raw is not None else None


@dataclass
class Call:
    """What a route handler gets: the parsed request."""

    method: str
    path: str
    route: str
    params: dict[str, str]
    query: dict[str, str]
    json: Any
    uploads: list[Upload]
    headers: dict[str, str]

    def id(self, name: str) -> int:
        """Return a snowflake path parameter as int (404 code 0 if it is not a number)."""
        raw = self.params[name]
        if not raw.isdigit():
            raise ApiError(404, 0, "404: Not Found")
        return int(raw)

    def body(self) -> dict[str, Any]:
        """Return the JSON body as a dict (empty if absent)."""
        if self.json is None:
            return {}
        if not isinstance(self.json, dict):
            raise ApiError(
                400,
                50035,
                "Invalid Form Body",
                problem=f"{self.method} {self.route}: expected a JSON object body",
            )
        return self.json

    @property
    def reason(self) -> str | None:
        """Return the decoded audit log reason."""
        raw = self.headers.get("X-Audit-Log-Reason")
        return urllib.parse.unquote(raw) if raw is not None else None


@dataclass
class Reply:
    """A non-default answer: a status with an optional JSON body."""

    status: int
    body: Any = None


Handler = Callable[["Emulator", Call], Awaitable[Any]]


@dataclass
class RouteDef:
    """One REST route."""

    method: str
    template: str
    regex: re.Pattern[str]
    handler: Handler
    auth: bool


class Router:
    """Match (method, path) against route templates like /channels/{channel_id}/messages."""

    def __init__(self) -> None:
        self.routes: list[RouteDef] = []
        self._by_depth: dict[int, list[RouteDef]] = {}

    def add(self, method: str, template: str, handler: Handler, *, auth: bool = True) -> None:
        """Register a route; literal segments win over parameters."""
        parts = []
        for segment in template.split("/"):
            param = re.fullmatch(r"\{(\w+)\}", segment)
            parts.append(f"(?P<{param.group(1)}>[^/]+)" if param else re.escape(segment))
        pattern = "/".join(parts)
        self.routes.append(RouteDef(method, template, re.compile(f"^{pattern}$"), handler, auth))
        self.routes.sort(key=lambda r: (r.template.count("{"), -len(r.template)))
        self._by_depth = {}
        for route in self.routes:
            self._by_depth.setdefault(route.template.count("/"), []).append(route)

    def match(self, method: str, path: str) -> tuple[RouteDef | None, dict[str, str], bool]:
        """Return (route, params, path_known); path_known is True if only the method is wrong."""
        path_known = False
        for route in self._by_depth.get(path.count("/"), ()):
            found = route.regex.match(path)
            if found is None:
                continue
            if route.method == method:
                return route, found.groupdict(), True
            path_known = True
        return None, {}, path_known


@dataclass
class Fault:
    """An injected failure for matching requests."""

    method: str | None
    route: str | None
    status: int
    times: int
    retry_after: float
    is_global: bool
    body: dict[str, Any] | None
    # Matching requests to let through untouched before the fault starts.
    after: int = 0

    def matches(self, method: str, route: str | None, path: str) -> bool:
        """Return whether the fault applies to this request (counting down `after` first)."""
        if self.times <= 0:
            return False
        if self.method is not None and self.method.upper() != method:
            return False
        if not (self.route is None or self.route in (route, path)):
            return False
        if self.after > 0:
            self.after -= 1
            return False
        return True


def json_response(
    body: Any, status: int = 200, headers: dict[str, str] | None = None
) -> web.Response:
    """Answer JSON with Content-Type exactly application/json (no charset), as Discord does."""
    return web.Response(
        body=json.dumps(body, separators=(",", ":"), ensure_ascii=False).encode(),
        status=status,
        headers={"Content-Type": "application/json", **(headers or {})},
    )


async def _read_body(request: web.Request) -> tuple[Any, list[Upload]]:
    """Parse a JSON or multipart body into (json, uploads)."""
    content_type = request.content_type
    if content_type.startswith("multipart/"):
        reader = await request.multipart()
        payload: Any = None
        uploads: list[Upload] = []
        while True:
            part = await reader.next()
            if part is None:
                break
            name = part.name or ""
            data = await part.read(decode=False)
            if name == "payload_json":
                payload = json.loads(data.decode() or "null")
            elif part.filename is not None:
                uploads.append(
                    Upload(name, part.filename, part.headers.get("Content-Type"), bytes(data))
                )
        return payload, uploads
    raw = await request.read()
    if not raw:
        return None, []
    return json.loads(raw.decode()), []


async def handle_request(emu: Emulator, request: web.Request) -> web.StreamResponse:
    """Serve one REST call: route, auth, faults, body, handler, record."""
    method = request.method
    path = request.match_info["tail"]
    path = "/" + path.lstrip("/")
    route, params, path_known = emu.router.match(method, path)
    headers = {k: v for k, v in request.headers.items() if k.lower() != "authorization"}
    query = dict(request.query)
    record = RecordedRequest(
        method=method,
        path=path,
        route=route.template if route else None,
        json=None,
        headers=headers,
        status=0,
        at=time.monotonic(),
        query=query,
        params=params,
    )
    emu.inflight += 1
    try:
        response = await _serve(emu, request, route, params, path_known, record)
    finally:
        emu.inflight -= 1
    emu.record(record)
    return response


async def _serve(
    emu: Emulator,
    request: web.Request,
    route: RouteDef | None,
    params: dict[str, str],
    path_known: bool,
    record: RecordedRequest,
) -> web.StreamResponse:
    method, path = record.method, record.path
    if route is None:
        what = "method not allowed" if path_known else "unknown route"
        emu.problem(f"REST: {what}: {method} {path}")
        record.status = 405 if path_known else 404
        body = {"message": "405: Method Not Allowed" if path_known else "404: Not Found", "code": 0}
        record.response = body
        return json_response(body, record.status)
    if route.auth and request.headers.get("Authorization") != f"Bot {emu.token}":
        record.status = 401
        record.response = {"message": "401: Unauthorized", "code": 0}
        return json_response(record.response, 401)
    fault = next((f for f in emu.faults if f.matches(method, route.template, path)), None)
    if fault is not None:
        fault.times -= 1
        return _fault_response(fault, record)
    try:
        payload, uploads = await _read_body(request)
    except (ValueError, UnicodeDecodeError):
        emu.problem(f"REST: {method} {route.template}: body is not valid JSON")
        record.status = 400
        record.response = {"message": "The request body contains invalid JSON.", "code": 50109}
        return json_response(record.response, 400)
    record.json = payload
    record.files = [(u.filename, u.data) for u in uploads]
    call = Call(
        method, path, route.template, params, record.query, payload, uploads, record.headers
    )
    try:
        result = await route.handler(emu, call)
    except ApiError as exc:
        if exc.problem:
            emu.problem(f"REST: {method} {path}: {exc.problem}")
        record.status = exc.status
        record.response = exc.body()
        return json_response(record.response, exc.status)
    except Exception as exc:  # a bug in the emulator: answer 500 and make the test fail
        log.exception("emulator route %s %s crashed", method, route.template)
        emu.problem(f"emulator bug: {method} {route.template} raised {exc!r}")
        record.status = 500
        record.response = {"message": "500: Internal Server Error (emulator bug)", "code": 0}
        return json_response(record.response, 500)
    if isinstance(result, Reply):
        record.status = result.status
        record.response = result.body
        if result.body is None:
            return web.Response(status=result.status)
        return json_response(result.body, result.status)
    if result is None:
        record.status = 204
        return web.Response(status=204)
    record.status = 200
    record.response = result
    return json_response(result)


def _fault_response(fault: Fault, record: RecordedRequest) -> web.Response:
    record.status = fault.status
    if fault.status == 429:
        body = fault.body or {
            "message": "You are being rate limited.",
            "retry_after": fault.retry_after,
            "global": fault.is_global,
        }
        headers = {
            "Via": "1.1 google",
            "Retry-After": str(max(1, round(fault.retry_after))),
            "X-RateLimit-Scope": "global" if fault.is_global else "user",
        }
        if fault.is_global:
            headers["X-RateLimit-Global"] = "true"
        record.response = body
        return json_response(body, 429, headers)
    body = fault.body or {"message": f"{fault.status}: injected fault", "code": 0}
    record.response = body
    return json_response(body, fault.status)
