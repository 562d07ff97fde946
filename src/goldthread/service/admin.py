"""The admin listener (docs/behaviour.md#service-endpoints): the dashboard at ``/`` and ``/metrics``.

It listens apart from the webhooks (``server.admin_host:admin_port``,
``127.0.0.1:9090`` by default), so the listener that must face the internet
shows no issue title. With ``server.dashboard_token_env`` (or ``_file``)
set, both routes need ``Authorization: Bearer <token>``, compared in
constant time.

The dashboard is not rendered per request: :class:`Dashboard` renders the
page after an evaluation, compresses it once, and ``GET /`` hands out those
bytes. A request costs the same, however large the store, and no caller can
make goldthread read the store by asking. Renders are spaced by at least
``min_interval`` seconds and four times the last render's duration, so a
burst of webhook rounds is one render and a large store spends at most a
fifth of a core on its page.
"""

from __future__ import annotations

import gzip
import hashlib
import hmac
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass

from starlette.applications import Starlette
from starlette.concurrency import run_in_threadpool
from starlette.requests import Request
from starlette.responses import PlainTextResponse, Response
from starlette.routing import Route

from goldthread.errors import GoldthreadError, StoreError
from goldthread.logs import get_logger
from goldthread.service.app import DEADLINE_SECONDS, within
from goldthread.service.metrics import InboxNow, ServiceMetrics

log = get_logger("goldthread.service.admin")

MIN_INTERVAL_SECONDS = 5.0
"""The least time between two renders of the dashboard."""
REST_FACTOR = 4.0
"""After a render, wait at least this many times as long as it took."""
IDLE_SECONDS = 0.5
"""How often an up-to-date page looks for a new evaluation."""


@dataclass(frozen=True, slots=True)
class Page:
    """One rendering of the dashboard, as sent: plain and gzip-compressed."""

    html: bytes
    gzipped: bytes
    etag: str

    @classmethod
    def of(cls, html: str) -> Page:
        raw = html.encode("utf-8")
        return cls(raw, gzip.compress(raw, 6, mtime=0), hashlib.sha256(raw).hexdigest()[:32])


class Dashboard:
    """The dashboard page, rendered after evaluations while someone looks at
    it (asked for it since the last rendering), and kept in memory."""

    def __init__(self, render: Callable[[], str], *, min_interval: float = MIN_INTERVAL_SECONDS):
        self._render = render
        self._min_interval = min_interval
        self._page: Page | None = None
        self._stale = threading.Event()
        self._stale.set()  # nothing rendered yet
        self._wanted = threading.Event()
        self.renders = 0
        self.last_seconds = 0.0

    @property
    def page(self) -> Page | None:
        """The latest rendering; ``None`` until the first one is done."""
        return self._page

    def invalidate(self) -> None:
        """An evaluation changed what the page shows: render it again soon."""
        self._stale.set()

    def refresh(self) -> bool:
        """Render now if an evaluation happened since the last render; whether it did.

        A store that cannot be read leaves the last page up, the page stale,
        and raises (the supervisor backs off and tries again).
        """
        if not self._stale.is_set():
            return False
        self._stale.clear()
        started = time.perf_counter()
        try:
            page = Page.of(self._render())
        except GoldthreadError:
            self._stale.set()  # the last page stays up; the next round tries again
            raise
        self._page = page
        self.renders += 1
        self.last_seconds = time.perf_counter() - started
        log.debug(
            "dashboard.rendered",
            bytes=len(page.html),
            gzipped=len(page.gzipped),
            ms=round(self.last_seconds * 1000, 1),
        )
        return True

    def rest(self) -> float:
        """Seconds to wait after a render before the next one."""
        return max(self._min_interval, REST_FACTOR * self.last_seconds)

    def wanted(self) -> None:
        """Someone asked for the page: render it after the next evaluation.

        A page nobody looks at is not rendered after every evaluation: on a
        large organisation a rendering reads the whole store, and that is
        not a cost a webhook round should bring about for nobody.
        """
        self._wanted.set()

    def step(self) -> float:
        """One round for the supervisor: render if stale and asked for since
        the last rendering; seconds until the next."""
        if not self._wanted.is_set():
            return IDLE_SECONDS
        if self.refresh():
            self._wanted.clear()
            return self.rest()
        return IDLE_SECONDS


def bearer_matches(header: str | None, token: str | None) -> bool:
    """Whether ``header`` is ``Bearer <token>``; always true without a token.

    Constant-time: the comparison's timing tells nothing about the token.
    """
    if token is None:
        return True
    scheme, _, given = (header or "").partition(" ")
    expected = token.encode("utf-8")
    matched = hmac.compare_digest(given.strip().encode("utf-8", "replace"), expected)
    return matched and scheme.lower() == "bearer"


def build_admin_app(
    metrics: ServiceMetrics,
    dashboard: Dashboard,
    token: str | None = None,
    deadline: float = DEADLINE_SECONDS,
) -> Starlette:
    """The admin listener's application: the dashboard and ``/metrics``."""

    def allowed(request: Request) -> Response | None:
        if bearer_matches(request.headers.get("authorization"), token):
            return None
        return PlainTextResponse(
            "a bearer token is required",
            status_code=401,
            headers={"WWW-Authenticate": 'Bearer realm="goldthread"'},
        )

    async def render_metrics(request: Request) -> Response:
        if refused := allowed(request):
            return refused
        try:
            inbox: InboxNow | None = await within(deadline, metrics.inbox_now)
        except StoreError:
            inbox = None  # the scrape still shows the heartbeats, and the store as down
        text = await run_in_threadpool(metrics.render_with, inbox)
        return Response(text, media_type="text/plain; version=0.0.4; charset=utf-8")

    async def show_dashboard(request: Request) -> Response:
        if refused := allowed(request):
            return refused
        dashboard.wanted()
        return _page_response(dashboard.page, request)

    return Starlette(
        routes=[
            Route("/", show_dashboard, methods=["GET"]),
            Route("/metrics", render_metrics, methods=["GET"]),
        ]
    )


def _page_response(page: Page | None, request: Request) -> Response:
    if page is None:
        return PlainTextResponse(
            "the dashboard is being prepared; it reloads in a moment",
            status_code=503,
            headers={"Retry-After": "2", "Refresh": "2"},
        )
    headers = {
        "ETag": f'"{page.etag}"',
        "Cache-Control": "no-cache",
        "Vary": "Accept-Encoding",
        "X-Content-Type-Options": "nosniff",
        "Referrer-Policy": "no-referrer",
    }
    if request.headers.get("if-none-match") == f'"{page.etag}"':
        return Response(status_code=304, headers=headers)
    body = page.html
    if "gzip" in request.headers.get("accept-encoding", "").lower():
        body = page.gzipped
        headers["Content-Encoding"] = "gzip"
    return Response(body, media_type="text/html; charset=utf-8", headers=headers)
