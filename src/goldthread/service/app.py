"""The service's HTTP routes (SPEC §7), as a Starlette application.

Webhook routes read the body in chunks and stop at ``max_body_bytes`` (413),
verify it before parsing (401), parse it (400), decide with
:mod:`goldthread.service.intake`, store the delivery durably in the inbox and
only then answer 202, waking the worker. A redelivery answers 200
``duplicate``; a ping or an event goldthread does not need answers 200 and is
not stored. A route whose secret is not configured answers 404.

Blocking work (the store, rendering the dashboard, collecting metrics) runs
in the thread pool, so the event loop keeps accepting deliveries.

Requests never hang on the store. The store they use is bounded (a short
wait for a connection, a short statement timeout: see
:meth:`goldthread.store.base.Store.bounded`), and every store call a request
makes is given up after ``AppState.deadline`` seconds whatever it is
waiting on (the dashboard alone reads with the longer waits of background
work: a big report may need them). A delivery that cannot be stored then answers 503 with
``Retry-After`` within about two seconds (GitHub gives up after ten), and
``/readyz`` answers 503 naming the store. Storing a delivery is one
transaction, so nothing is ever half-stored; one given up at the deadline
may still commit afterwards, and its redelivery is then answered
``duplicate`` while the worker processes it once.
"""

from __future__ import annotations

import threading
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Any, TypeVar

import anyio
import anyio.to_thread
from starlette.applications import Starlette
from starlette.concurrency import run_in_threadpool
from starlette.requests import Request
from starlette.responses import HTMLResponse, JSONResponse, PlainTextResponse, Response
from starlette.routing import Route

from goldthread.errors import (
    PayloadError,
    PayloadTooLargeError,
    SignatureError,
    StoreError,
    WebhookError,
)
from goldthread.logs import get_logger
from goldthread.reports import render_html, report_from
from goldthread.service import intake
from goldthread.service.health import Health
from goldthread.service.metrics import InboxNow, ServiceMetrics
from goldthread.store.base import Store

log = get_logger("goldthread.service.app")

DASHBOARD_REFRESH_SECONDS = 30
DEADLINE_SECONDS = 2.0
"""The longest a request waits on the store before it answers 503."""
RETRY_AFTER_SECONDS = 5
"""What a 503 asks the sender to wait: about how soon a store that is back
is taking deliveries again."""
T = TypeVar("T")


@dataclass(frozen=True)
class WebhookSecrets:
    """Plain secret values for verification; never logged (see ``logs.add_secret``)."""

    github: tuple[str, ...] = ()
    jira: tuple[str, ...] = ()
    jira_tokens: tuple[str, ...] = ()

    def __repr__(self) -> str:
        return "WebhookSecrets(<redacted>)"


@dataclass(frozen=True)
class AppState:
    """Everything the routes use, passed in rather than read from globals."""

    store: Store
    routing: intake.Routing
    secrets: WebhookSecrets
    max_body_bytes: int
    metrics: ServiceMetrics
    health: Health
    wake: threading.Event
    now: Callable[[], datetime]
    writeback_enabled: bool = True
    refresh_seconds: int = DASHBOARD_REFRESH_SECONDS
    deadline: float = DEADLINE_SECONDS
    report_store: Store | None = None
    """What the dashboard reads (default: ``store``): a big report may need
    the longer waits background work has."""


def build_app(state: AppState) -> Starlette:
    """The application: webhooks, health, metrics and the dashboard."""

    async def github(request: Request) -> Response:
        return await _webhook(state, request, "github")

    async def jira(request: Request) -> Response:
        return await _webhook(state, request, "jira")

    async def healthz(_request: Request) -> Response:
        return JSONResponse({"status": "ok"})

    async def readyz(_request: Request) -> Response:
        try:
            verdict = await within(state.deadline, state.health.check)
        except StoreError as error:
            verdict = state.health.judge(str(error))
        body = {"status": "ready" if verdict.ready else "not ready", "problems": verdict.problems}
        return JSONResponse(body, status_code=200 if verdict.ready else 503)

    async def metrics(_request: Request) -> Response:
        try:
            inbox: InboxNow | None = await within(state.deadline, state.metrics.inbox_now)
        except StoreError:
            inbox = None  # the scrape still shows the heartbeats, and the store as down
        text = await run_in_threadpool(state.metrics.render_with, inbox)
        return Response(text, media_type="text/plain; version=0.0.4; charset=utf-8")

    async def dashboard(_request: Request) -> Response:
        try:
            page = await run_in_threadpool(_dashboard, state)
        except StoreError as error:
            log.warning("dashboard.store_failed", error=str(error))
            return PlainTextResponse("the store cannot be read", status_code=503)
        return HTMLResponse(page)

    routes = [
        Route("/webhooks/github", github, methods=["POST"]),
        Route("/webhooks/jira", jira, methods=["POST"]),
        Route("/healthz", healthz, methods=["GET"]),
        Route("/readyz", readyz, methods=["GET"]),
        Route("/metrics", metrics, methods=["GET"]),
        Route("/", dashboard, methods=["GET"]),
    ]
    return Starlette(routes=routes)


def _dashboard(state: AppState) -> str:
    data = report_from(
        state.report_store or state.store,
        writeback_enabled=state.writeback_enabled,
        now=state.now(),
        label=state.routing.label,
    )
    return render_html(data, refresh_seconds=state.refresh_seconds)


# ---------------------------------------------------------------- webhooks


def _enabled(state: AppState, tracker: str) -> bool:
    if tracker == "github":
        return bool(state.secrets.github)
    return bool(state.secrets.jira or state.secrets.jira_tokens)


async def _webhook(state: AppState, request: Request, tracker: str) -> Response:
    counter = state.metrics.deliveries
    if not _enabled(state, tracker):
        counter.labels(tracker=tracker, outcome="not-configured").inc()
        return JSONResponse({"error": "webhooks are not configured"}, status_code=404)
    try:
        body = await read_limited(request, state.max_body_bytes)
        _verify(state, request, tracker, body)
        payload = intake.parse_object(body)
        decision = _decide(state, request, tracker, payload, body)
    except WebhookError as error:
        outcome = {401: "bad-signature", 413: "too-large"}.get(error.status, "malformed")
        counter.labels(tracker=tracker, outcome=outcome).inc()
        return JSONResponse({"error": str(error)}, status_code=error.status)
    if isinstance(decision, intake.Dropped):
        counter.labels(tracker=tracker, outcome=decision.reason).inc()
        return JSONResponse({"status": decision.reason})
    try:
        stored = await within(state.deadline, _store, state, decision, body)
    except StoreError as error:
        log.warning("webhook.store_failed", tracker=tracker, error=str(error))
        counter.labels(tracker=tracker, outcome="unavailable").inc()
        return JSONResponse(
            {"error": "the inbox cannot be written now"},
            status_code=503,
            headers={"Retry-After": str(RETRY_AFTER_SECONDS)},
        )
    outcome = "queued" if stored else "duplicate"
    counter.labels(tracker=tracker, outcome=outcome).inc()
    if stored:
        state.wake.set()
    log.debug("webhook.received", tracker=tracker, kind=decision.event, outcome=outcome)
    return JSONResponse({"status": outcome}, status_code=202 if stored else 200)


async def within(seconds: float, work: Callable[..., T], *args: Any) -> T:
    """``work(*args)`` in a worker thread; :class:`StoreError` when it has not
    answered within ``seconds`` (the thread is left to finish on its own)."""
    with anyio.move_on_after(seconds):
        return await anyio.to_thread.run_sync(work, *args, abandon_on_cancel=True)
    raise StoreError(f"the store gave no answer within {seconds:g}s")


async def read_limited(request: Request, limit: int) -> bytes:
    """The body, refused (413) as soon as it is known to exceed ``limit`` bytes:
    from ``Content-Length`` before reading, or while streaming it in."""
    declared = request.headers.get("content-length")
    if declared is not None:
        try:
            size = int(declared)
        except ValueError as error:
            raise PayloadError("Content-Length is not a number") from error
        if size > limit:
            raise PayloadTooLargeError(f"the body is {size} bytes; at most {limit} are accepted")
    received = bytearray()
    async for chunk in request.stream():
        received += chunk
        if len(received) > limit:
            raise PayloadTooLargeError(f"the body is over {limit} bytes")
    return bytes(received)


def _verify(state: AppState, request: Request, tracker: str, body: bytes) -> None:
    secrets = state.secrets
    if tracker == "github":
        header = request.headers.get("x-hub-signature-256")
        ok = intake.signature_matches(body, header, secrets.github)
    else:
        header = request.headers.get("x-hub-signature")
        ok = intake.signature_matches(body, header, secrets.jira) or intake.token_matches(
            request.query_params.get("token"), secrets.jira_tokens
        )
    if not ok:
        raise SignatureError("missing or wrong signature" if header else "no signature")


def _decide(
    state: AppState, request: Request, tracker: str, payload: dict[str, Any], body: bytes
) -> intake.Decision:
    headers = request.headers
    if tracker == "github":
        key = intake.github_delivery_key(headers.get("x-github-delivery"), body)
        return intake.classify_github(headers.get("x-github-event"), payload, state.routing, key)
    key = intake.jira_delivery_key(headers.get("x-atlassian-webhook-identifier"), payload, body)
    return intake.classify_jira(payload, state.routing, key)


def _store(state: AppState, decision: intake.Accepted, body: bytes) -> bool:
    return state.store.enqueue(
        source=decision.source,
        delivery_key=decision.delivery_key,
        event=decision.event,
        item_hint=decision.item_hint,
        payload=body,
        received_at=state.now(),
    )


def plain(values: Sequence[Any]) -> tuple[str, ...]:
    """Secret values out of their wrappers (``SecretStr``), for verification only."""
    return tuple(
        value.get_secret_value() if hasattr(value, "get_secret_value") else str(value)
        for value in values
    )
