"""Signed webhook deliveries from the Jira stand-in, sent off the request path.

Payloads follow Jira's admin webhooks (``fixtures/jira/webhooks/dc.*.json``):
issue events carry the whole issue in its v2 form and a changelog, comment
events the comment and a short issue, link events numeric ids only. With a
secret, each request carries ``X-Hub-Signature: sha256=<hex HMAC of the raw
body>``; ``X-Atlassian-Webhook-Identifier`` names the delivery. One
background thread drains the queue; failures are recorded, not retried.
"""

from __future__ import annotations

import hashlib
import hmac
import json
import queue
import threading
import urllib.error
import urllib.request
import uuid
from dataclasses import dataclass
from typing import Any

from goldthread.sandbox.jira_render import FieldSelection, Renderer
from goldthread.sandbox.jira_state import Change

ALL = FieldSelection(everything=True)


def sign(secret: str, body: bytes) -> str:
    """``X-Hub-Signature``: HMAC-SHA256 of the raw body, hex, ``sha256=`` prefixed."""
    return "sha256=" + hmac.new(secret.encode(), body, hashlib.sha256).hexdigest()


@dataclass(frozen=True, slots=True)
class Delivery:
    """One attempted delivery; ``status`` 0 when the receiver could not be reached."""

    identifier: str
    event: str
    status: int
    body: bytes

    def json(self) -> Any:
        return json.loads(self.body)


def payload(
    change: Change, renderer: Renderer, timestamp: int, changelog_id: int
) -> dict[str, Any]:
    """The JSON body Jira would send for ``change``."""
    body: dict[str, Any] = {"timestamp": timestamp, "webhookEvent": change.event}
    if change.link is not None:
        link = change.link
        source = renderer.state.issues.get(link.source_key)
        target = renderer.state.issues.get(link.target_key)
        body["issueLink"] = {
            "id": link.id,
            "sourceIssueId": source.id if source else None,
            "destinationIssueId": target.id if target else None,
            "issueLinkType": {
                "id": int(link.type.id),
                "name": link.type.name,
                "outwardName": link.type.outward,
                "inwardName": link.type.inward,
                "isSubTaskLinkType": False,
                "isSystemLinkType": False,
            },
            "systemLink": False,
        }
        return body
    issue = change.issue
    assert issue is not None
    if change.event.startswith("comment_"):
        assert change.comment is not None
        body["comment"] = renderer.comment(change.comment, "2")
        short = FieldSelection(include=frozenset({"summary", "status", "issuetype", "project"}))
        body["issue"] = renderer.issue(issue, "2", short)
        return body
    body["issue_event_type_name"] = change.type_name
    body["user"] = renderer.user(change.actor, "2")
    body["issue"] = renderer.issue(issue, "2", ALL)
    if change.items:
        body["changelog"] = {"id": str(changelog_id), "items": list(change.items)}
    if change.comment is not None:
        body["comment"] = renderer.comment(change.comment, "2")
    return body


class WebhookSender:
    def __init__(self, timeout: float = 10.0) -> None:
        self.url: str | None = None
        self.secret: str | None = None
        self.timeout = timeout
        self.deliveries: list[Delivery] = []
        self._queue: queue.Queue[tuple[str, str, bytes, str, str]] = queue.Queue()
        self._idle = threading.Condition()
        self._pending = 0
        self._thread: threading.Thread | None = None

    def configure(self, url: str | None, secret: str | None) -> None:
        self.url, self.secret = url, secret

    def enqueue(self, event: str, body: dict[str, Any]) -> None:
        """Queue one delivery to the current target; a no-op when none is set."""
        if self.url is None:
            return
        raw = json.dumps(body, separators=(",", ":")).encode()
        identifier = str(uuid.uuid4())
        with self._idle:
            self._pending += 1
            if self._thread is None:
                self._thread = threading.Thread(target=self._run, name="jira-webhooks", daemon=True)
                self._thread.start()
        self._queue.put((self.url, event, raw, self.secret or "", identifier))

    def flush(self, timeout: float = 5.0) -> bool:
        """Wait until every queued delivery was attempted; False on timeout."""
        with self._idle:
            return self._idle.wait_for(lambda: self._pending == 0, timeout)

    def _run(self) -> None:
        while True:
            url, event, raw, secret, identifier = self._queue.get()
            status = self._post(url, raw, secret, identifier)
            with self._idle:
                self.deliveries.append(Delivery(identifier, event, status, raw))
                self._pending -= 1
                self._idle.notify_all()

    def _post(self, url: str, raw: bytes, secret: str, identifier: str) -> int:
        headers = {
            "Content-Type": "application/json",
            "User-Agent": "Atlassian Webhook HTTP Client",
            "X-Atlassian-Webhook-Identifier": identifier,
            "X-Atlassian-Webhook-Flow": "Primary",
        }
        if secret:
            headers["X-Hub-Signature"] = sign(secret, raw)
        request = urllib.request.Request(url, data=raw, headers=headers, method="POST")
        try:
            with urllib.request.urlopen(request, timeout=self.timeout) as answer:
                return int(answer.status)
        except urllib.error.HTTPError as exc:
            return exc.code
        except (OSError, ValueError):
            return 0
