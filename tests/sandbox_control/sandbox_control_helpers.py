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

from goldthread.core.model import Layer, LayerRule, LinkKind, ParentLink, TracePolicy, WorkItem
from goldthread.core.references import (
    GitHubSourceInfo,
    JiraSourceInfo,
    SourceIndex,
    extract_references,
)
from goldthread.sandbox.seeds import GitHubIssueSeed, JiraIssueSeed, Organisation

DEFAULT_PATTERN = re.compile(r"(?im)^\s*(?:parent|part of|epic)\s*:?\s*(?P<ref>\S+)")
PARENT_LINK_TYPES = ("implements",)
AFTER_EVERYTHING = datetime(2030, 1, 1, tzinfo=UTC)


def sandbox_policy() -> TracePolicy:
    """The sandbox config's rules and policy (README.md#configuration defaults, types for every source)."""
    return TracePolicy(
        rules=(
            LayerRule(Layer.VISION, labels=("vision", "okr-*"), index=0),
            LayerRule(Layer.STRATEGY, labels=("strategy",), index=1),
            LayerRule(Layer.STRATEGY, types=("Epic", "Initiative"), index=2),
        ),
        exempt_labels=("no-trace",),
    )


def source_index(org: Organisation, web_host: str = "github.localhost") -> SourceIndex:
    return SourceIndex(
        github=(GitHubSourceInfo(org.github_source, web_host, tuple(org.repos)),),
        jira=(JiraSourceInfo(org.jira_source, "jira.localhost", tuple(org.projects)),),
    )


def _body_links(text: str, source: str, repo: str | None, index: SourceIndex) -> list[ParentLink]:
    return list(
        extract_references(
            text, (DEFAULT_PATTERN,), here_source=source, here_repo=repo, index=index
        )
    )


def github_item(org: Organisation, seed: GitHubIssueSeed, index: SourceIndex) -> WorkItem:
    source = org.github_source
    parents: list[ParentLink] = []
    if seed.parent is not None:
        repo, number = seed.parent
        parents.append(ParentLink(LinkKind.SUB_ISSUE, f"{source}:{repo}#{number}", f"#{number}"))
    parents += _body_links(seed.body, source, seed.repo, index)
    key = f"{seed.repo}#{seed.number}"
    return WorkItem(
        ref=f"{source}:{key}",
        source=source,
        key=key,
        url=f"https://github.localhost/{seed.repo}/issues/{seed.number}",
        title=seed.title,
        body=seed.body,
        type=seed.type,
        labels=tuple(seed.labels),
        state=seed.state,
        created_at=seed.created_at,
        updated_at=seed.updated_at,
        parents=tuple(parents),
        is_pull_request=seed.is_pull_request,
    )


def jira_item(
    org: Organisation, seed: JiraIssueSeed, index: SourceIndex, outward: dict[str, list[str]]
) -> WorkItem:
    source = org.jira_source
    parents: list[ParentLink] = []
    for kind, key in (
        (LinkKind.JIRA_PARENT, seed.parent_key),
        (LinkKind.EPIC_LINK, seed.epic_link),
        (LinkKind.PARENT_LINK, seed.parent_link),
    ):
        if key is not None:
            parents.append(ParentLink(kind, f"{source}:{key}", key))
    parents += [
        ParentLink(LinkKind.ISSUE_LINK, f"{source}:{key}", key) for key in outward.get(seed.key, [])
    ]
    parents += _body_links(seed.description, source, None, index)
    return WorkItem(
        ref=f"{source}:{seed.key}",
        source=source,
        key=seed.key,
        url=f"https://jira.localhost/browse/{seed.key}",
        title=seed.summary,
        body=seed.description,
        type=seed.type,
        labels=tuple(seed.labels),
        state="closed" if seed.status_category == "done" else "open",
        created_at=seed.created_at,
        updated_at=seed.updated_at,
        parents=tuple(parents),
        status=seed.status,
    )


def work_items(org: Organisation) -> dict[str, WorkItem]:
    """Every item of the organisation (pull requests left out), keyed by ref."""
    index = source_index(org)
    outward: dict[str, list[str]] = {}
    for link in org.jira_links:
        if link.type_name.casefold() in PARENT_LINK_TYPES:
            outward.setdefault(link.outward_key, []).append(link.inward_key)
    items = [github_item(org, s, index) for s in org.github if not s.is_pull_request]
    items += [jira_item(org, s, index, outward) for s in org.jira]
    return {item.ref: item for item in items}


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
