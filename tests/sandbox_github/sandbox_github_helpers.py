"""Helpers for the GitHub stand-in tests: a fake clock, seeds, a client, a hook receiver."""

from __future__ import annotations

import json
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any

import github

from goldthread.sandbox.github import GitHubStandIn
from goldthread.sandbox.seeds import CommentSeed, GitHubIssueSeed

T0 = datetime(2025, 6, 1, tzinfo=UTC)
TOKEN = "sandbox-token"


@dataclass
class FakeClock:
    t: float = T0.timestamp() + 30 * 86400

    def __call__(self) -> float:
        return self.t

    def advance(self, seconds: float) -> None:
        self.t += seconds


def seed(number: int, repo: str = "acme/web", **overrides: Any) -> GitHubIssueSeed:
    """Issue N created N hours after T0 and updated N minutes after its creation."""
    created = T0 + timedelta(hours=number)
    values: dict[str, Any] = {
        "repo": repo,
        "number": number,
        "title": f"Issue {number}",
        "body": f"Body of {number}",
        "labels": [],
        "created_at": created,
        "updated_at": created + timedelta(minutes=number),
    }
    values.update(overrides)
    return GitHubIssueSeed(**values)


def comment_seed(body: str, author: str = "alice") -> CommentSeed:
    return CommentSeed(author=author, body=body, created_at=T0)


def client(gh: GitHubStandIn, token: str = TOKEN) -> github.Github:
    """The unmodified client, with its built-in request pacing turned off for speed."""
    return github.Github(
        auth=github.Auth.Token(token),
        base_url=gh.api_url,
        per_page=100,
        retry=None,
        seconds_between_requests=None,
        seconds_between_writes=None,
    )


@dataclass
class Received:
    headers: dict[str, str]
    body: bytes


@dataclass
class HookReceiver:
    url: str
    received: list[Received] = field(default_factory=list)

    def events(self) -> list[tuple[str, str | None]]:
        return [
            (r.headers["X-GitHub-Event"], json.loads(r.body).get("action")) for r in self.received
        ]


@contextmanager
def hook_receiver() -> Iterator[HookReceiver]:
    """A local HTTP endpoint that records every delivery it is sent."""
    hook = HookReceiver(url="")

    class Handler(BaseHTTPRequestHandler):
        def do_POST(self) -> None:
            body = self.rfile.read(int(self.headers["Content-Length"]))
            hook.received.append(Received(dict(self.headers.items()), body))
            self.send_response(204)
            self.end_headers()

        def log_message(self, format: str, *args: Any) -> None:
            return

    server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    thread = threading.Thread(
        target=server.serve_forever, kwargs={"poll_interval": 0.05}, daemon=True
    )
    thread.start()
    hook.url = f"http://127.0.0.1:{server.server_address[1]}/hook"
    yield hook
    server.shutdown()
    server.server_close()
