"""Helpers of the Jira stand-in tests: a fake clock, seeds, clients, a hook receiver."""

from __future__ import annotations

import json
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any

import requests
from jira import JIRA

from goldthread.sandbox.jira import JiraStandIn
from goldthread.sandbox.seeds import JiraIssueSeed

FIXTURES = Path(__file__).resolve().parents[3] / "shared" / "fixtures" / "jira"
T0 = datetime(2024, 1, 2, 3, 0, tzinfo=UTC)


def fixture(name: str) -> Any:
    return json.loads((FIXTURES / name).read_text())


class FakeClock:
    def __init__(self, start: datetime = datetime(2025, 6, 1, 12, 0, tzinfo=UTC)) -> None:
        self.moment = start

    def __call__(self) -> datetime:
        return self.moment

    def advance(self, **delta: float) -> None:
        self.moment += timedelta(**delta)


def story(key: str, **overrides: Any) -> JiraIssueSeed:
    values: dict[str, Any] = {
        "key": key,
        "type": "Story",
        "summary": f"Summary of {key}",
        "description": "Part of PLAT-1\nsecond line",
        "labels": ["team-a"],
        "created_at": T0,
        "updated_at": T0,
    }
    values.update(overrides)
    return JiraIssueSeed(**values)


def many(count: int, project: str = "PLAT") -> list[JiraIssueSeed]:
    return [
        story(f"{project}-{n}", updated_at=T0 + timedelta(minutes=n)) for n in range(1, count + 1)
    ]


def cloud_client(site: JiraStandIn) -> JIRA:
    return JIRA(
        server=site.base_url,
        basic_auth=(site.email, site.token),
        options={"rest_api_version": "3"},
        max_retries=0,
    )


def dc_client(site: JiraStandIn) -> JIRA:
    return JIRA(server=site.base_url, token_auth=site.token, max_retries=0)


@dataclass
class HookReceiver:
    url: str = ""
    received: list[tuple[dict[str, str], bytes]] = field(default_factory=list)

    def bodies(self) -> list[dict[str, Any]]:
        return [json.loads(raw) for _, raw in self.received]


@contextmanager
def hook_receiver() -> Iterator[HookReceiver]:
    hook = HookReceiver()

    class Handler(BaseHTTPRequestHandler):
        def do_POST(self) -> None:
            raw = self.rfile.read(int(self.headers["Content-Length"]))
            hook.received.append(({k.lower(): v for k, v in self.headers.items()}, raw))
            self.send_response(202)
            self.send_header("Content-Length", "0")
            self.end_headers()

        def log_message(self, format: str, *args: Any) -> None:
            return

    server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    thread = threading.Thread(target=server.serve_forever, args=(0.02,), daemon=True)
    thread.start()
    hook.url = f"http://127.0.0.1:{server.server_address[1]}/webhooks/jira"
    try:
        yield hook
    finally:
        server.shutdown()
        server.server_close()


def raw(site: JiraStandIn, method: str, path: str, **kwargs: Any) -> requests.Response:
    """A plain request with the site's credentials, for answers the client would raise on."""
    headers = {"Content-Type": "application/json"}
    if site.cloud:
        return requests.request(
            method,
            site.base_url + path,
            auth=(site.email, site.token),
            headers=headers,
            timeout=5,
            **kwargs,
        )
    headers["Authorization"] = f"Bearer {site.token}"
    return requests.request(method, site.base_url + path, headers=headers, timeout=5, **kwargs)
