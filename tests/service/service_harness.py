"""The webhook and admin listeners' apps, served by uvicorn on loopback ports,
over a real store: what the tests of both drive."""

from __future__ import annotations

import hashlib
import hmac
import json
import threading
from collections.abc import Iterator
from pathlib import Path

import httpx
import pytest
from service_helpers import ServedApp, fixture, metric, unit_settings

from goldthread.clock import FakeClock
from goldthread.reports import render_html, report_from
from goldthread.service.admin import Dashboard, build_admin_app
from goldthread.service.app import AppState, WebhookSecrets, build_app
from goldthread.service.health import Health
from goldthread.service.intake import Routing
from goldthread.service.metrics import ServiceMetrics
from goldthread.store import Store, open_store

SECRET = "app-test-secret"
OLD_SECRET = "app-test-old-secret"
JIRA_SECRET = "app-test-jira-secret"
JIRA_TOKEN = "app-test-jira-token"
MAX_BODY = 16384


class Harness:
    """Both listeners of one service, without its threads: the dashboard is
    rendered when a test says so (``dashboard.refresh()``)."""

    def __init__(
        self,
        tmp_path: Path,
        secrets: WebhookSecrets,
        *,
        token: str | None = None,
        body_timeout: float = 10.0,
        max_concurrent: int = 8,
    ) -> None:
        settings = unit_settings(tmp_path, max_body=MAX_BODY)
        self.store: Store = open_store(settings.store.url)
        self.clock = FakeClock()
        self.wake = threading.Event()
        self.metrics = ServiceMetrics(self.store, {}, self.clock)
        self.health = Health(self.store, ["gh", "jira"], threshold=2)
        state = AppState(
            store=self.store,
            routing=Routing.from_settings(settings),
            secrets=secrets,
            max_body_bytes=MAX_BODY,
            metrics=self.metrics,
            health=self.health,
            wake=self.wake,
            now=self.clock.now,
            body_timeout=body_timeout,
            max_concurrent=max_concurrent,
        )
        self.dashboard = Dashboard(self._render, min_interval=0)
        self.served = ServedApp(build_app(state))
        self.admin_served = ServedApp(build_admin_app(self.metrics, self.dashboard, token))
        self.client: httpx.Client
        self.admin: httpx.Client

    def _render(self) -> str:
        data = report_from(self.store, writeback_enabled=True, now=self.clock.now(), label="x")
        return render_html(data, refresh_seconds=30)

    def __enter__(self) -> Harness:
        self.client = self.served.__enter__()
        self.admin = self.admin_served.__enter__()
        return self

    def __exit__(self, *exc: object) -> None:
        self.admin_served.__exit__(*exc)
        self.served.__exit__(*exc)
        self.store.close()

    def github(
        self, body: bytes, delivery: str = "d-1", event: str = "issues", **headers: str
    ) -> httpx.Response:
        sent = {
            "X-GitHub-Event": event,
            "X-GitHub-Delivery": delivery,
            "X-Hub-Signature-256": sign(SECRET, body),
            **headers,
        }
        return self.client.post("/webhooks/github", content=body, headers=sent)

    def outcome(self, tracker: str, outcome: str) -> float:
        text = self.admin.get("/metrics").text
        return metric(text, "goldthread_webhook_deliveries_total", tracker=tracker, outcome=outcome)


def sign(secret: str, body: bytes) -> str:
    return "sha256=" + hmac.new(secret.encode(), body, hashlib.sha256).hexdigest()


def body_of(name: str = "issues.opened.json") -> bytes:
    return json.dumps(fixture("github", name)).encode()


@pytest.fixture
def app(tmp_path: Path) -> Iterator[Harness]:
    harness = Harness(
        tmp_path,
        WebhookSecrets(github=(SECRET, OLD_SECRET), jira=(JIRA_SECRET,), jira_tokens=(JIRA_TOKEN,)),
    )
    with harness:
        yield harness
