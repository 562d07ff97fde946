"""The webhook listener's routes (docs/behaviour.md#service-endpoints), as a Starlette application:
``POST /webhooks/github``, ``POST /webhooks/jira``, ``GET /healthz`` and
``GET /readyz``. The dashboard and ``/metrics`` are on the admin listener
(:mod:`goldthread.service.admin`), so exposing the webhooks exposes no issue.

A delivery costs bounded memory and time before anyone knows it is genuine:
a declared ``Content-Length`` over ``max_body_bytes`` is refused at once
(413); at most ``max_concurrent_deliveries`` bodies are read at a time, in
chunks, stopping at ``max_body_bytes`` (413); a delivery that waits for a
slot (503) or whose body is still arriving (408) at ``body_read_timeout`` is
dropped. Then the body is verified before parsing (401), parsed (400),
decided on with :mod:`goldthread.service.intake`, stored durably in the inbox
and only then answered 202, waking the worker. A redelivery (same delivery
id) or a replay (same signed body under another id) answers 200
``duplicate``; a ping or an event goldthread does not need answers 200 and is
not stored. A route whose secret is not configured answers 404.

Blocking work (the store) runs in the thread pool, so the event loop keeps
accepting deliveries.

Requests never hang on the store. The store they use is bounded (a short
wait for a connection, a short statement timeout: see
:meth:`goldthread.store.base.Store.bounded`), and every store call a request
makes is given up after ``AppState.deadline`` seconds whatever it is
waiting on. A delivery that cannot be stored then answers 503 with
``Retry-After`` within about two seconds (GitHub gives up after ten), and
``/readyz`` answers 503 naming the store. Storing a delivery is one
transaction, so nothing is ever half-stored; one given up at the deadline
may still commit afterwards, and its redelivery is then answered
``duplicate`` while the worker processes it once.
"""

from __future__ import annotations

import asyncio
import hashlib
import threading
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Any, TypeVar

import anyio
import anyio.to_thread
from starlette.applications import Starlette
from starlette.requests import Request
from starlette.responses import JSONResponse, Response
from starlette.routing import Route

from goldthread.errors import (
    IntakeBusyError,
    PayloadError,
    PayloadTooLargeError,
    PayloadTooSlowError,
    SignatureError,
    StoreError,
    WebhookError,
)
from goldthread.logs import get_logger
from goldthread.service import intake
from goldthread.service.health import Health
from goldthread.service.metrics import ServiceMetrics
from goldthread.store.base import Store

log = get_logger("goldthread.service.app")

DEADLINE_SECONDS = 2.0
"""The longest a request waits on the store before it answers 503."""
RETRY_AFTER_SECONDS = 5
"""What a 503 asks the sender to wait: about how soon a store that is back
is taking deliveries again."""
T = TypeVar("T")
_OUTCOMES = {401: "bad-signature", 408: "too-slow", 413: "too-large", 503: "busy"}


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
    deadline: float = DEADLINE_SECONDS
    body_timeout: float = 10.0
    max_concurrent: int = 8


def build_app(state: AppState) -> Starlette:
    """The webhook listener's application: webhooks, ``/healthz`` and ``/readyz``."""
    slots = asyncio.Semaphore(state.max_concurrent)

    async def github(request: Request) -> Response:
        return await _webhook(state, slots, request, "github")

    async def jira(request: Request) -> Response:
        return await _webhook(state, slots, request, "jira")

    async def healthz(_request: Request) -> Response:
        return JSONResponse({"status": "ok"})

    async def readyz(_request: Request) -> Response:
        try:
            verdict = await within(state.deadline, state.health.check)
        except StoreError as error:
            verdict = state.health.judge(str(error))
        body = {"status": "ready" if verdict.ready else "not ready", "problems": verdict.problems}
        return JSONResponse(body, status_code=200 if verdict.ready else 503)

    routes = [
        Route("/webhooks/github", github, methods=["POST"]),
        Route("/webhooks/jira", jira, methods=["POST"]),
        Route("/healthz", healthz, methods=["GET"]),
        Route("/readyz", readyz, methods=["GET"]),
    ]
    return Starlette(routes=routes)


# ---------------------------------------------------------------- webhooks


def _enabled(state: AppState, tracker: str) -> bool:
    if tracker == "github":
        return bool(state.secrets.github)
    return bool(state.secrets.jira or state.secrets.jira_tokens)


async def _webhook(
    state: AppState, slots: asyncio.Semaphore, request: Request, tracker: str
) -> Response:
    counter = state.metrics.deliveries
    if not _enabled(state, tracker):
        counter.labels(tracker=tracker, outcome="not-configured").inc()
        return JSONResponse({"error": "webhooks are not configured"}, status_code=404)
    try:
        body = await read_body(request, slots, state.max_body_bytes, state.body_timeout)
        _verify(state, request, tracker, body)
        payload = intake.parse_object(body)
        decision = _decide(state, request, tracker, payload, body)
    except WebhookError as error:
        outcome = _OUTCOMES.get(error.status, "malformed")
        counter.labels(tracker=tracker, outcome=outcome).inc()
        return _refused(error)
    if isinstance(decision, intake.Dropped):
        counter.labels(tracker=tracker, outcome=decision.reason).inc()
        return JSONResponse({"status": decision.reason})
    try:
        targets = intake.targets_of(decision.event, payload, state.routing, decision.source)
        stored = await within(state.deadline, _store, state, decision, body, targets)
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


def _refused(error: WebhookError) -> Response:
    """The answer to a refused delivery. Once the body may be left unread
    (413, 408, 503) the connection is closed rather than drained."""
    headers = {}
    if error.status in (408, 413, 503):
        headers["Connection"] = "close"
    if error.status == 503:
        headers["Retry-After"] = str(RETRY_AFTER_SECONDS)
    return JSONResponse({"error": str(error)}, status_code=error.status, headers=headers)


async def read_body(
    request: Request, slots: asyncio.Semaphore, limit: int, timeout: float
) -> bytes:
    """The body within bounds: a declared size over ``limit`` is refused before
    anything is read; then a slot is waited for and the body read, both
    within ``timeout`` seconds of the start (503 while waiting, 408 while reading)."""
    declared_size(request, limit)
    deadline = asyncio.get_running_loop().time() + timeout
    try:
        async with asyncio.timeout_at(deadline):
            await slots.acquire()
    except TimeoutError:
        raise IntakeBusyError("too many deliveries at once; send it again later") from None
    try:
        async with asyncio.timeout_at(deadline):
            return await read_limited(request, limit)
    except TimeoutError:
        raise PayloadTooSlowError(f"the body did not arrive within {timeout:g}s") from None
    finally:
        slots.release()


def declared_size(request: Request, limit: int) -> None:
    """Refuse (413) a ``Content-Length`` over ``limit`` before reading anything."""
    declared = request.headers.get("content-length")
    if declared is None:
        return
    if not declared.isascii() or not declared.strip().isdigit():
        raise PayloadError("Content-Length is not a number")
    size = int(declared)
    if size > limit:
        raise PayloadTooLargeError(f"the body is {size} bytes; at most {limit} are accepted")


async def read_limited(request: Request, limit: int) -> bytes:
    """The body, refused (413) as soon as more than ``limit`` bytes arrived."""
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


def _store(
    state: AppState,
    decision: intake.Accepted,
    body: bytes,
    targets: Mapping[str, Sequence[str]],
) -> bool:
    return state.store.enqueue(
        source=decision.source,
        delivery_key=decision.delivery_key,
        event=decision.event,
        item_hint=decision.item_hint,
        payload=body,
        received_at=state.now(),
        body_sha256=hashlib.sha256(body).hexdigest(),
        targets=targets,
    )


def unwrap_secrets(values: Sequence[Any]) -> tuple[str, ...]:
    """Secret values out of their wrappers (``SecretStr``), for verification only."""
    return tuple(
        value.get_secret_value() if hasattr(value, "get_secret_value") else str(value)
        for value in values
    )
