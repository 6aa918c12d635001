"""REST plumbing: route table, body parsing, auth, fault injection and request recording."""

from __future__ import annotations

import json
import logging
import re
import time
import urllib.parse
from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from typing import Any

from aiohttp import BodyPartReader, web

from emulator.core import API_PREFIX, Core
from emulator.errors import ApiError
from emulator.messages import Upload
from emulator.recording import Fault, RecordedRequest

__all__ = ["API_PREFIX", "Call", "Fault", "RecordedRequest", "Reply", "Router", "handle_request"]

log = logging.getLogger(__name__)


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


Handler = Callable[[Core, Call], Awaitable[Any]]


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
    if not request.content_type.startswith("multipart/"):
        raw = await request.read()
        return (json.loads(raw.decode()) if raw else None), []
    reader = await request.multipart()
    payload: Any = None
    uploads: list[Upload] = []
    while (part := await reader.next()) is not None:
        if not isinstance(part, BodyPartReader):
            continue  # a nested multipart: Discord reads only the top level
        data = await part.read(decode=False)
        if part.name == "payload_json":
            payload = json.loads(data.decode() or "null")
        elif part.filename is not None:
            content_type = part.headers.get("Content-Type")
            uploads.append(Upload(part.name or "", part.filename, content_type, bytes(data)))
    return payload, uploads


async def handle_request(core: Core, router: Router, request: web.Request) -> web.StreamResponse:
    """Serve one REST call: route, auth, faults, body, handler, record."""
    method = request.method
    path = "/" + request.match_info["tail"].lstrip("/")
    route, params, path_known = router.match(method, path)
    headers = {k: v for k, v in request.headers.items() if k.lower() != "authorization"}
    record = RecordedRequest(
        method=method,
        path=path,
        route=route.template if route else None,
        json=None,
        headers=headers,
        status=0,
        at=time.monotonic(),
        query=dict(request.query),
        params=params,
    )
    core.inflight += 1
    response: web.StreamResponse
    try:
        if route is None:
            response = _unrouted(core, record, path_known)
        else:
            response = await _serve(core, request, route, record)
    finally:
        core.inflight -= 1
    core.record(record)
    return response


def _answer(record: RecordedRequest, status: int, body: Any) -> web.Response:
    """Record the answer and send it as JSON."""
    record.status = status
    record.response = body
    return json_response(body, status)


def _unrouted(core: Core, record: RecordedRequest, path_known: bool) -> web.Response:
    what = "method not allowed" if path_known else "unknown route"
    core.problem(f"REST: {what}: {record.method} {record.path}")
    if path_known:
        return _answer(record, 405, {"message": "405: Method Not Allowed", "code": 0})
    return _answer(record, 404, {"message": "404: Not Found", "code": 0})


async def _serve(
    core: Core, request: web.Request, route: RouteDef, record: RecordedRequest
) -> web.StreamResponse:
    method, path = record.method, record.path
    if route.auth and request.headers.get("Authorization") != f"Bot {core.token}":
        return _answer(record, 401, {"message": "401: Unauthorized", "code": 0})
    fault = next((f for f in core.faults if f.matches(method, route.template, path)), None)
    if fault is not None:
        fault.times -= 1
        return _fault_response(fault, record)
    try:
        payload, uploads = await _read_body(request)
    except (ValueError, UnicodeDecodeError):
        core.problem(f"REST: {method} {route.template}: body is not valid JSON")
        body = {"message": "The request body contains invalid JSON.", "code": 50109}
        return _answer(record, 400, body)
    record.json = payload
    record.files = [(u.filename, u.data) for u in uploads]
    call = Call(
        method, path, route.template, record.params, record.query, payload, uploads, record.headers
    )
    try:
        result = await route.handler(core, call)
    except ApiError as exc:
        if exc.problem:
            core.problem(f"REST: {method} {path}: {exc.problem}")
        return _answer(record, exc.status, exc.body())
    except Exception as exc:  # a bug in the emulator: answer 500 and make the test fail
        log.exception("emulator route %s %s crashed", method, route.template)
        core.problem(f"emulator bug: {method} {route.template} raised {exc!r}")
        return _answer(
            record, 500, {"message": "500: Internal Server Error (emulator bug)", "code": 0}
        )
    return _result_response(record, result)


def _result_response(record: RecordedRequest, result: Any) -> web.Response:
    """Answer what a handler returned: a Reply, nothing (204) or a JSON body (200)."""
    if isinstance(result, Reply):
        if result.body is None:
            record.status = result.status
            return web.Response(status=result.status)
        return _answer(record, result.status, result.body)
    if result is None:
        record.status = 204
        return web.Response(status=204)
    return _answer(record, 200, result)


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
