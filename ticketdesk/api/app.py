"""The Starlette application: `/v2/support-tickets` over one open desk.

Each call: the bearer token is looked up (401 when missing, unknown or revoked; 403 when a
read-only token writes; 429 past its rate), the body is read up to a limit (413) and parsed
(400), then one service call runs on a worker thread (Starlette's thread pool: each thread has
its own database connection, `db/store.py`) as a `Session` of the token's integration agent, so
the activity says who did it. Errors are problem documents (`problems.py`)."""

from __future__ import annotations

import json
import threading
from collections.abc import Awaitable, Callable
from typing import Any, TypeVar

from starlette.applications import Starlette
from starlette.concurrency import run_in_threadpool
from starlette.exceptions import HTTPException
from starlette.requests import Request
from starlette.responses import JSONResponse, Response
from starlette.routing import Route

from ticketdesk.api import openapi, query
from ticketdesk.api.limits import RateLimiter
from ticketdesk.api.problems import Problem, from_error, problem_response
from ticketdesk.db.store import Store
from ticketdesk.domain.attachments import safe_filename
from ticketdesk.domain.clock import utc_now
from ticketdesk.services import api_tokens, ticket_json, ticket_json_thread
from ticketdesk.services.api_tokens import Caller
from ticketdesk.services.session import Session

BASE = "/v2/support-tickets"
MAX_JSON_BYTES = 1024 * 1024
"""A JSON body larger than this is refused with 413 before it is read."""
MAX_FILE_BYTES = 25 * 1024 * 1024 + 1
"""An upload may be as large as the attachment limit (domain/attachments.py) says; one byte
more is read so the service gives its own message."""
Handler = Callable[[Request, Caller], Awaitable[Response]]
T = TypeVar("T")


class Api:
    def __init__(self, store: Store, *, rate: float = 20.0, burst: int | None = None) -> None:
        self.store = store
        self.limiter = RateLimiter(rate, burst)
        self._writes = threading.Lock()

    async def write(self, fn: Callable[..., T], *args: Any) -> T:
        """Run a write on a worker thread, one at a time in this process: the desk takes one
        writer at a time anyway (SQLite's lock, PostgreSQL's advisory lock), and queueing here
        is first come, first served, where SQLite's busy handler polls and may starve a writer
        past its timeout when many wait at once."""
        def locked() -> T:
            with self._writes:
                return fn(*args)

        return await run_in_threadpool(locked)

    # -- plumbing ---------------------------------------------------------------------------

    def route(self, handler: Handler, *, writes: bool) -> Callable[[Request], Awaitable[Response]]:
        async def endpoint(request: Request) -> Response:
            try:
                caller = await self.authenticate(request, writes=writes)
                return await handler(request, caller)
            except Exception as exc:  # every failure becomes a problem document
                return problem_response(from_error(exc), request.url.path)
        return endpoint

    async def authenticate(self, request: Request, *, writes: bool) -> Caller:
        scheme, _, token = request.headers.get("authorization", "").partition(" ")
        if scheme.lower() != "bearer" or not token.strip():
            raise Problem(401, "Send the integration's token: Authorization: Bearer TOKEN.",
                          headers={"WWW-Authenticate": "Bearer"})
        caller = await run_in_threadpool(api_tokens.caller_for, self.store, token.strip())
        if caller is None:
            raise Problem(401, "The token is unknown or was revoked.",
                          headers={"WWW-Authenticate": 'Bearer error="invalid_token"'})
        wait = self.limiter.take(caller.token_id)
        if wait > 0:
            raise Problem(429, f"Too many requests for token {caller.name!r}; try again later.",
                          headers={"Retry-After": str(max(1, round(wait + 0.5)))})
        if writes and caller.read_only:
            raise Problem(403, f"The token {caller.name!r} is read-only; nothing was changed.")
        await self.write(api_tokens.record_use, self.store, caller, utc_now())
        return caller

    def session(self, caller: Caller) -> Session:
        return Session(self.store, caller.agent_id)

    @staticmethod
    async def body(request: Request, limit: int) -> bytes:
        declared = request.headers.get("content-length", "")
        if declared.isdigit() and int(declared) > limit:
            raise Problem(413, f"The body is {int(declared):,} bytes; at most {limit:,} are "
                               "accepted.")
        chunks, size = [], 0
        async for chunk in request.stream():
            size += len(chunk)
            if size > limit:
                raise Problem(413, f"The body is larger than {limit:,} bytes.")
            chunks.append(chunk)
        return b"".join(chunks)

    async def json_object(self, request: Request) -> dict[str, Any]:
        kind = request.headers.get("content-type", "application/json").split(";")[0].strip()
        if kind and kind != "application/json" and not kind.endswith("+json"):
            raise Problem(415, "Send JSON (Content-Type: application/json).")
        raw = await self.body(request, MAX_JSON_BYTES)
        try:
            value = json.loads(raw)
        except (ValueError, RecursionError) as exc:
            raise Problem(400, f"The body is not valid JSON: {str(exc)[:200]}") from None
        if not isinstance(value, dict):
            raise Problem(400, "The body must be a JSON object.")
        return value

    def created(self, obj: dict[str, Any]) -> JSONResponse:
        return JSONResponse(obj, status_code=201,
                            headers={"Location": f"{BASE}/{obj['id']}"})

    # -- endpoints --------------------------------------------------------------------------

    async def create(self, request: Request, caller: Caller) -> Response:
        payload = await self.json_object(request)
        ticket_id = await self.write(ticket_json.create, self.session(caller), payload)
        return self.created(await run_in_threadpool(ticket_json.full_ticket, self.store,
                                                    ticket_id))

    async def list(self, request: Request, caller: Caller) -> Response:
        def page() -> tuple[list[dict[str, Any]], str | None]:
            f = query.ticket_filter(request.query_params, self.agent_id,
                                    lambda email: ticket_json.customer_id_by_email(
                                        self.store, email))
            return ticket_json.list_page(
                self.store, f, cursor=request.query_params.get("cursor") or None,
                limit=query.limit(request.query_params, ticket_json.DEFAULT_PAGE))

        items, cursor = await run_in_threadpool(page)
        headers = {}
        if cursor:
            following = request.url.include_query_params(cursor=cursor)
            headers["Link"] = f'<{following}>; rel="next"'
        return JSONResponse({"items": items, "next_cursor": cursor}, headers=headers)

    def agent_id(self, name: str) -> int:
        with self.store.read():
            return ticket_json.agent_ids([name])[0]

    async def retrieve(self, request: Request, caller: Caller) -> Response:
        return JSONResponse(await run_in_threadpool(
            ticket_json.full_ticket, self.store, request.path_params["key"]))

    async def update(self, request: Request, caller: Caller) -> Response:
        payload = await self.json_object(request)
        key = request.path_params["key"]
        await self.write(ticket_json.update, self.session(caller), key, payload)
        return JSONResponse(await run_in_threadpool(ticket_json.full_ticket, self.store, key))

    async def message(self, request: Request, caller: Caller) -> Response:
        payload = await self.json_object(request)
        key = request.path_params["key"]
        await self.write(ticket_json_thread.add_message, self.session(caller), key, payload)
        return self.created(await run_in_threadpool(ticket_json.full_ticket, self.store, key))

    async def note(self, request: Request, caller: Caller) -> Response:
        payload = await self.json_object(request)
        key = request.path_params["key"]
        await self.write(ticket_json_thread.add_note, self.session(caller), key, payload)
        return self.created(await run_in_threadpool(ticket_json.full_ticket, self.store, key))

    async def upload(self, request: Request, caller: Caller) -> Response:
        name = request.query_params.get("name", "")
        ticket_json_thread.check_upload_name(name)
        data = await self.body(request, MAX_FILE_BYTES)
        mime = request.headers.get("content-type") or None
        obj = await self.write(ticket_json_thread.attach, self.session(caller),
                               request.path_params["key"], name, data, mime)
        return JSONResponse(obj, status_code=201)

    async def download(self, request: Request, caller: Caller) -> Response:
        record, data = await run_in_threadpool(
            ticket_json_thread.attachment_file, self.store, request.path_params["key"],
            int(request.path_params["attachment"]))
        filename = safe_filename(record["name"])
        ascii_name = filename.encode("ascii", "replace").decode().replace('"', "_")
        from urllib.parse import quote

        return Response(data, media_type="application/octet-stream", headers={
            "Content-Disposition": f"attachment; filename=\"{ascii_name}\"; "
                                   f"filename*=UTF-8''{quote(filename)}",
            "X-Content-Type-Options": "nosniff"})


async def _openapi(request: Request) -> Response:
    return JSONResponse(openapi.document())


async def _http_problem(request: Request, exc: Exception) -> Response:
    status = exc.status_code if isinstance(exc, HTTPException) else 500
    detail = {404: "There is nothing at this address.",
              405: "This address does not take that method."}.get(status, "Error.")
    return problem_response(Problem(status, detail), request.url.path)


def build_app(store: Store, *, rate: float = 20.0, burst: int | None = None) -> Starlette:
    api = Api(store, rate=rate, burst=burst)
    item = BASE + "/{key}"
    routes = [
        Route("/v2/openapi.json", _openapi, methods=["GET"]),
        Route(BASE, api.route(api.list, writes=False), methods=["GET"]),
        Route(BASE, api.route(api.create, writes=True), methods=["POST"]),
        Route(item, api.route(api.retrieve, writes=False), methods=["GET"]),
        Route(item, api.route(api.update, writes=True), methods=["PATCH"]),
        Route(item + "/messages", api.route(api.message, writes=True), methods=["POST"]),
        Route(item + "/notes", api.route(api.note, writes=True), methods=["POST"]),
        Route(item + "/attachments", api.route(api.upload, writes=True), methods=["POST"]),
        Route(item + "/attachments/{attachment:int}", api.route(api.download, writes=False),
              methods=["GET"]),
    ]
    return Starlette(routes=routes, exception_handlers={HTTPException: _http_problem,
                                                        Exception: _http_problem})
