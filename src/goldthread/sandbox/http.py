"""A small threaded HTTP server base shared by the GitHub and Jira stand-ins.

It speaks HTTP/1.1 with keep-alive (so ``requests`` sessions reuse their
connections, as against the real services), routes by method and regular
expression, logs every request, and applies a :class:`FaultPlan`.
"""

from __future__ import annotations

import json
import re
import socket
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any
from urllib.parse import parse_qs, urlsplit

from goldthread.sandbox.faults import Fault, FaultPlan


@dataclass(slots=True)
class Request:
    method: str
    path: str
    query: dict[str, list[str]]
    headers: dict[str, str]  # lower-cased names
    body: bytes
    params: dict[str, str] = field(default_factory=dict)  # named groups of the route

    def arg(self, name: str, default: str | None = None) -> str | None:
        values = self.query.get(name)
        return values[-1] if values else default

    def json(self) -> Any:
        return json.loads(self.body or b"null")


@dataclass(slots=True)
class Response:
    status: int = 200
    payload: Any = None  # JSON-encoded unless ``raw`` is given
    headers: dict[str, str] = field(default_factory=dict)
    raw: bytes | None = None

    def encode(self) -> bytes:
        if self.raw is not None:
            return self.raw
        if self.payload is None:
            return b""
        return json.dumps(self.payload, separators=(",", ":")).encode()


@dataclass(frozen=True, slots=True)
class LoggedRequest:
    method: str
    path: str
    query: str
    status: int
    at: float
    headers: dict[str, str]
    body: bytes = b""  # the request's body, when the stand-in records bodies
    answer: bytes = b""  # the response's body, likewise


Handler = Callable[[Request], Response]

# POSTs the trackers document as reads: Jira's searches and comments by id.
READ_ONLY_POSTS = ("/search", "/search/jql", "/comment/list")


def is_mutating(entry: LoggedRequest) -> bool:
    """Whether a logged request could have changed anything on the tracker."""
    if entry.method in ("GET", "HEAD"):
        return False
    return not (entry.method == "POST" and entry.path.endswith(READ_ONLY_POSTS))


class StandIn:
    """Base class: subclasses register routes in ``__init__`` with :meth:`route`."""

    server_name = "sandbox"

    def __init__(self) -> None:
        self._routes: list[tuple[str, re.Pattern[str], Handler]] = []
        self._server: ThreadingHTTPServer | None = None
        self._thread: threading.Thread | None = None
        self.lock = threading.RLock()
        self.request_log: list[LoggedRequest] = []
        self.faults: FaultPlan | None = None
        self.record_bodies = False  # keep request and response bodies in the log (contract tests)
        self.base_url = ""

    # ------------------------------------------------------------ routing

    def route(self, method: str, pattern: str, handler: Handler) -> None:
        self._routes.append((method.upper(), re.compile(f"^{pattern}$"), handler))

    def dispatch(self, request: Request) -> Response:
        allowed = False
        for method, pattern, handler in self._routes:
            match = pattern.match(request.path)
            if match is None:
                continue
            allowed = True
            if method != request.method:
                continue
            request.params = {k: v for k, v in match.groupdict().items() if v is not None}
            return handler(request)
        if allowed:
            return Response(405, {"message": "Method Not Allowed"})
        return self.not_found(request)

    def not_found(self, request: Request) -> Response:
        return Response(404, {"message": "Not Found"})

    def before(self, request: Request) -> Response | None:
        """Hook for authentication and rate limits; a Response short-circuits."""
        return None

    def after(self, request: Request, response: Response) -> None:
        """Hook to add headers (rate limits) to every answer."""

    def fault_response(self, fault: Fault) -> Response:
        headers = {}
        if fault.retry_after is not None:
            headers["Retry-After"] = str(int(fault.retry_after))
        return Response(fault.status, {"message": f"injected fault {fault.status}"}, headers)

    # ------------------------------------------------------------ lifecycle

    def start(self, host: str = "127.0.0.1", port: int = 0) -> str:
        """Serve in a background thread; return the base URL."""
        stand_in = self

        class _Handler(_RequestHandler):
            owner = stand_in

        server = ThreadingHTTPServer((host, port), _Handler)
        server.daemon_threads = True
        self._server = server
        self._thread = threading.Thread(
            target=server.serve_forever,
            kwargs={"poll_interval": 0.05},  # so stop() returns quickly
            name=f"{self.server_name}-http",
            daemon=True,
        )
        self._thread.start()
        self.base_url = f"http://{host}:{server.server_address[1]}"
        return self.base_url

    def stop(self) -> None:
        if self._server is not None:
            self._server.shutdown()
            self._server.server_close()
            self._server = None

    def __enter__(self) -> StandIn:
        if not self.base_url:
            self.start()
        return self

    def __exit__(self, *exc: object) -> None:
        self.stop()

    # ------------------------------------------------------------ observation

    def requests(self, method: str | None = None, path_contains: str = "") -> list[LoggedRequest]:
        with self.lock:
            return [
                r
                for r in self.request_log
                if (method is None or r.method == method) and path_contains in r.path
            ]

    def clear_log(self) -> None:
        with self.lock:
            self.request_log.clear()


class _RequestHandler(BaseHTTPRequestHandler):
    owner: StandIn
    protocol_version = "HTTP/1.1"

    def log_message(self, format: str, *args: Any) -> None:
        return

    def setup(self) -> None:
        super().setup()
        # Headers and body go out in two writes; without this, Nagle's algorithm
        # and the client's delayed ACK stall each keep-alive answer by ~40 ms.
        self.connection.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)

    def _handle(self) -> None:
        parts = urlsplit(self.path)
        length = int(self.headers.get("Content-Length") or 0)
        body = self.rfile.read(length) if length else b""
        request = Request(
            method=self.command,
            path=parts.path,
            query=parse_qs(parts.query, keep_blank_values=True),
            headers={k.lower(): v for k, v in self.headers.items()},
            body=body,
        )
        owner = self.owner
        fault = owner.faults.decide(request.method, request.path) if owner.faults else None
        if fault is not None and fault.delay:
            time.sleep(fault.delay)
        if fault is not None and fault.drop:
            self.close_connection = True
            self.connection.close()
            self._log(request, 0)
            return
        if fault is not None and fault.status:
            response = owner.fault_response(fault)
        else:
            try:
                response = owner.before(request) or owner.dispatch(request)
            except (ValueError, KeyError) as exc:
                response = Response(400, {"message": f"bad request: {exc}"})
        owner.after(request, response)
        data = response.encode()
        if fault is not None and fault.truncate and response.status == 200 and len(data) > 2:
            data = data[: len(data) // 2]
        # Logged before answering, so a client that got its answer sees it in the log.
        self._log(request, response.status, data)
        self.send_response(response.status)
        if response.raw is None and response.payload is not None:
            self.send_header("Content-Type", "application/json; charset=utf-8")
        for name, value in response.headers.items():
            self.send_header(name, value)
        self.send_header("Content-Length", str(len(data)))
        self.end_headers()
        if self.command != "HEAD" and response.status != 304:
            self.wfile.write(data)

    def _log(self, request: Request, status: int, answer: bytes = b"") -> None:
        query = urlsplit(self.path).query
        keep = self.owner.record_bodies
        entry = LoggedRequest(
            request.method,
            request.path,
            query,
            status,
            time.time(),
            request.headers,
            request.body if keep else b"",
            answer if keep and status != 304 else b"",
        )
        with self.owner.lock:
            self.owner.request_log.append(entry)

    do_GET = do_POST = do_PUT = do_PATCH = do_DELETE = do_HEAD = _handle
