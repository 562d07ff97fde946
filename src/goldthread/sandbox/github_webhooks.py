"""Signed webhook deliveries from the GitHub stand-in, sent off the request path.

A single background thread drains a queue, so a request handler never waits
on the receiver (GitHub's deliveries are asynchronous too). Failed deliveries
are recorded, not retried: GitHub does not redeliver on its own.
"""

from __future__ import annotations

import hashlib
import hmac
import http.client
import json
import queue
import threading
import uuid
from dataclasses import dataclass
from typing import Any
from urllib.parse import urlsplit


def sign(secret: str, body: bytes) -> str:
    """``X-Hub-Signature-256``: HMAC-SHA256 of the raw body, hex, ``sha256=`` prefixed."""
    digest = hmac.new(secret.encode(), body, hashlib.sha256).hexdigest()
    return f"sha256={digest}"


@dataclass(frozen=True, slots=True)
class Delivery:
    """What was sent and how the receiver answered (0 when it could not be reached)."""

    id: str
    event: str
    action: str | None
    status: int


class WebhookSender:
    def __init__(self, timeout: float = 10.0) -> None:
        self.url: str | None = None
        self.secret: str | None = None
        self.timeout = timeout
        self.extra_headers: dict[str, str] = {}  # e.g. GHES's X-GitHub-Enterprise-*
        self.deliveries: list[Delivery] = []
        self._queue: queue.Queue[tuple[str, str, bytes, str, str | None]] = queue.Queue()
        self._idle = threading.Condition()
        self._pending = 0
        self._thread: threading.Thread | None = None

    def configure(self, url: str | None, secret: str | None) -> None:
        self.url, self.secret = url, secret

    def enqueue(self, event: str, payload: dict[str, Any]) -> None:
        """Queue one delivery to the current target; a no-op when none is set."""
        if self.url is None:
            return
        body = json.dumps(payload, separators=(",", ":")).encode()
        action = payload.get("action")
        with self._idle:
            self._pending += 1
            if self._thread is None:
                self._thread = threading.Thread(
                    target=self._run, name="github-webhooks", daemon=True
                )
                self._thread.start()
        self._queue.put((self.url, event, body, self.secret or "", action))

    def flush(self, timeout: float = 5.0) -> bool:
        """Wait until every queued delivery was attempted; False on timeout."""
        with self._idle:
            return self._idle.wait_for(lambda: self._pending == 0, timeout)

    def _run(self) -> None:
        while True:
            url, event, body, secret, action = self._queue.get()
            delivery_id = str(uuid.uuid4())
            status = self._post(url, event, delivery_id, body, secret)
            with self._idle:
                self.deliveries.append(Delivery(delivery_id, event, action, status))
                self._pending -= 1
                self._idle.notify_all()

    def _post(self, url: str, event: str, delivery_id: str, body: bytes, secret: str) -> int:
        headers = {
            "X-GitHub-Event": event,
            "X-GitHub-Delivery": delivery_id,
            "User-Agent": "GitHub-Hookshot/sandbox",
            "Content-Type": "application/json",
            **self.extra_headers,
        }
        if secret:
            headers["X-Hub-Signature-256"] = sign(secret, body)
        parts = urlsplit(url)
        connection_class = (
            http.client.HTTPSConnection if parts.scheme == "https" else http.client.HTTPConnection
        )
        target = parts.path or "/"
        if parts.query:
            target += f"?{parts.query}"
        try:
            connection = connection_class(parts.netloc, timeout=self.timeout)
            try:
                # http.client keeps header names as given (urllib would re-case them).
                connection.request("POST", target, body=body, headers=headers)
                answer = connection.getresponse()
                answer.read()
                return answer.status
            finally:
                connection.close()
        except (OSError, ValueError, http.client.HTTPException):
            return 0
