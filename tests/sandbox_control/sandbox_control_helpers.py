"""Turning a seeded organisation into the core's items, as the connectors would.

The conversion is written out here, independent of the connectors, so the
organisation's recorded verdicts can be checked against the core's walk alone.
"""

from __future__ import annotations

import json
import re
import threading
import urllib.error
import urllib.request
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from datetime import UTC, datetime
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any

DEFAULT_PATTERN = re.compile(r"(?im)^\s*(?:parent|part of|epic)\s*:?\s*(?P<ref>\S+)")
PARENT_LINK_TYPES = ("implements",)
AFTER_EVERYTHING = datetime(2030, 1, 1, tzinfo=UTC)


# ---------------------------------------------------------------- talking to a sandbox


def call(url: str, method: str = "GET", body: object | None = None) -> tuple[int, Any]:
    """One JSON request to the control API: (status, decoded answer)."""
    data = None if body is None else json.dumps(body).encode()
    request = urllib.request.Request(url, data=data, method=method)
    request.add_header("Content-Type", "application/json")
    try:
        with urllib.request.urlopen(request, timeout=10) as answer:
            return answer.status, json.loads(answer.read() or b"null")
    except urllib.error.HTTPError as error:
        with error:
            return error.code, json.loads(error.read() or b"null")


@dataclass
class Delivery:
    path: str
    headers: dict[str, str]
    body: bytes


@dataclass
class HookReceiver:
    url: str = ""
    received: list[Delivery] = field(default_factory=list)


@contextmanager
def hook_receiver() -> Iterator[HookReceiver]:
    """A local endpoint that records every webhook delivery it is sent."""
    hook = HookReceiver()

    class Handler(BaseHTTPRequestHandler):
        def do_POST(self) -> None:
            body = self.rfile.read(int(self.headers["Content-Length"]))
            headers = {k.lower(): v for k, v in self.headers.items()}
            hook.received.append(Delivery(self.path, headers, body))
            self.send_response(202)
            self.send_header("Content-Length", "0")
            self.end_headers()

        def log_message(self, format: str, *args: Any) -> None:
            return

    server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    thread = threading.Thread(target=server.serve_forever, kwargs={"poll_interval": 0.05})
    thread.start()
    hook.url = f"http://127.0.0.1:{server.server_address[1]}"
    try:
        yield hook
    finally:
        server.shutdown()
        server.server_close()
        thread.join()
