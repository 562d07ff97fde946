"""``goldthread run``: the service's life from start to a clean exit.

Start: open the store (a second process on the same SQLite store is
refused), hand back inbox entries a killed process left half-done, build
the connectors, then start the background loops (the worker, the poller,
the dashboard's renderer and, on a shared store, the keeper) and serve HTTP
with uvicorn in this process, on two listeners: the webhook listener
(``server.host:port``) and the admin listener
(``server.admin_host:admin_port``: the dashboard and ``/metrics``).

Every loop runs under :func:`~goldthread.service.supervising.supervise`: no
exception ends it (a store outage of any length included), each has a
heartbeat in ``/metrics``, and ``/readyz`` names a loop that stalled. A
further loop (retention, digests) is one more
:class:`~goldthread.service.supervising.Loop` in :attr:`Service.loops`. The
loops use the store with its longer waits; the HTTP routes use it
:meth:`~goldthread.store.base.Store.bounded` to ``REQUEST_WAIT_SECONDS``, so
a request never hangs on a store that is down.

Replicas: on a shared (PostgreSQL) store several processes run side by side.
Each then polls a source only under its lease, re-stamps the inbox claims it
works on, writes through :mod:`~goldthread.service.coordinating` (comments under
the item's lock, writes paced per credential across replicas), and leaves
other replicas' half-done entries alone at start: a keeper thread renews its
leases and claims every third of ``daemon.lease_ttl``, so a survivor takes a
dead replica's polling and deliveries over within one lease period.

Stop (SIGTERM or SIGINT): intake stops at once (uvicorn closes the listening
socket and finishes the requests in flight), the worker finishes the batch in
hand or hands it back to the inbox, a poll stops before its next page or
write, and the process exits 0. Whatever is not done within
``grace_seconds`` is abandoned safely: it is still in the inbox (or its
cursor was not committed) and the next start does it. Held leases are
released, so another replica takes over at once.
"""

from __future__ import annotations

import ipaddress
import threading
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any

from prometheus_client import disable_created_metrics

from goldthread.clock import Clock, SystemClock
from goldthread.config import ResolvedSecrets, Settings
from goldthread.connectors.base import Connector
from goldthread.digests.building import notified_teams
from goldthread.digests.delivering import QueueOutcome
from goldthread.errors import StoreError
from goldthread.logs import get_logger
from goldthread.reports import render_html, report_from
from goldthread.service import intake
from goldthread.service.admin import Dashboard, build_admin_app
from goldthread.service.app import (
    DEADLINE_SECONDS,
    AppState,
    WebhookSecrets,
    build_app,
    unwrap_secrets,
)
from goldthread.service.coordinating import ItemLocks, guard_all, shared_pacers
from goldthread.service.digesting import DigestLoop
from goldthread.service.health import Health
from goldthread.service.leasing import Leases, replica_name
from goldthread.service.listening import Listeners, listen
from goldthread.service.metrics import ServiceMetrics
from goldthread.service.polling import Poller, PollOutcome, Sharing
from goldthread.service.refreshing import refresh
from goldthread.service.supervising import Heartbeat, Loop, beating, periodic, supervise
from goldthread.service.worker import Backoff, Worker, entry_targets, recover
from goldthread.store import is_shared, open_store
from goldthread.store.base import InboxEntry, Store
from goldthread.sync.connecting import build_connectors, close_all
from goldthread.sync.evaluating import counts_of
from goldthread.sync.writing import scopes_of

log = get_logger("goldthread.service")

DEFAULT_GRACE_SECONDS = 25.0
REQUEST_WAIT_SECONDS = 1.0
"""How long a request's store call waits for a PostgreSQL connection and for
each statement. A SQLite store's request calls wait for its one connection
up to the requests' deadline instead: there the wait is for a transaction of
this very process to end (a big poll's), not for a server that may be gone."""
LOOP_BOUND_SECONDS = 10.0
"""How long past its usual wait a loop may go without a round ending well
(or a round without any progress) before it counts as stalled."""
BUSY_BOUND_SECONDS = 1800.0
"""How long a worker's or poller's round that has shown progress may go
quiet before it counts as stalled (a tracker may ask for minutes of quiet)."""
DASHBOARD_REFRESH_SECONDS = 30
AGES_REFRESH_SECONDS = 300.0
"""How often polls read the flag history again for the untraced-age
histogram: it counts ages in hours and days, and reading every open stretch
after each poll costs in proportion to the organisation's untraced items."""
"""How often an open dashboard reloads itself."""


@dataclass
class ServiceOptions:
    """How ``run`` was asked to run."""

    confirmed: bool = False
    grace_seconds: float = DEFAULT_GRACE_SECONDS
    poll: bool = True
    shared: bool | None = None
    """Run as one of several replicas on a shared store (``None``: when the
    store URL is PostgreSQL)."""
    holder: str | None = None
    """This replica's name in leases (``None``: host, pid and a random tail)."""
    digest_tick: float | None = None
    """The digest loop's longest sleep (``None``: a minute)."""


class Service:
    """The worker, the poller and the HTTP app around one store."""

    def __init__(  # noqa: PLR0917 - the service's parts, each named once
        self,
        settings: Settings,
        secrets: ResolvedSecrets,
        store: Store,
        connectors: Mapping[str, Connector],
        clock: Clock,
        options: ServiceOptions,
        *,
        backoff: Backoff | None = None,
    ) -> None:
        self.settings = settings
        self.store = store
        self.connectors = connectors
        self.clock = clock
        self.options = options
        self.stop = threading.Event()
        self.wake = threading.Event()
        self.lock = threading.Lock()
        self.routing = intake.Routing.from_settings(settings, scopes=lambda: scopes_of(connectors))
        shared = is_shared(settings.store.url) if options.shared is None else options.shared
        ttl = settings.daemon.lease_ttl
        worker_beat = Heartbeat(
            "worker", clock, bound=LOOP_BOUND_SECONDS, busy_bound=BUSY_BOUND_SECONDS
        )
        self.worker_store = beating(store, worker_beat)
        poller_beat = Heartbeat(
            "poller", clock, bound=LOOP_BOUND_SECONDS, busy_bound=BUSY_BOUND_SECONDS
        )
        local = not is_shared(settings.store.url)
        requests = store.bounded(DEADLINE_SECONDS if local else REQUEST_WAIT_SECONDS)
        self.leases: Leases | None = None
        self.locks: ItemLocks | None = None
        self.writers: Mapping[str, Connector] = connectors
        sharing: Sharing | None = None
        if shared:
            holder = options.holder or replica_name()
            self.leases = Leases(store, holder, ttl, clock, on_change=self._lease_changed)
            locks = self.locks = ItemLocks(store, holder, ttl, clock)
            pacers = shared_pacers(settings, secrets, store, clock)
            self.writers = guard_all(connectors, locks, pacers)
            sharing = Sharing(
                self.leases,
                lambda connector, fence: guard_all(
                    {connector.name: connector}, locks, pacers, {connector.name: fence}
                )[connector.name],
                retry=min(1.0, ttl.total_seconds() / 10),
            )
        self.worker = Worker(
            self.worker_store,
            self._process,
            clock,
            lock=self.lock,
            stop=self.stop,
            backoff=backoff,
            on_outcome=self._outcome,
            targets_of=self._targets,
            stale_after=ttl if shared else None,
            heartbeat=worker_beat,
            retention=settings.daemon.inbox_retention,
        )
        self.poller = Poller(
            settings,
            beating(store, poller_beat),
            connectors,
            clock,
            lock=self.lock,
            stop=self.stop,
            confirmed=options.confirmed,
            on_result=self._polled,
            sharing=sharing,
            heartbeat=poller_beat,
        )
        self.loops: list[Loop] = [Loop(self.worker.step, worker_beat, wake=self.wake)]
        if options.poll:
            self.loops.append(Loop(self.poller.step, poller_beat))
        if self.leases is not None:
            every = self.leases.renew_every
            keeper_beat = Heartbeat(
                "keeper", clock, bound=every + LOOP_BOUND_SECONDS, busy_bound=ttl.total_seconds()
            )
            self.loops.append(Loop(periodic(self.renew_leases_and_claims, every), keeper_beat))
        self.dashboard = Dashboard(self._render_dashboard)
        dashboard_beat = Heartbeat(
            "dashboard", clock, bound=BUSY_BOUND_SECONDS, busy_bound=BUSY_BOUND_SECONDS
        )
        self.loops.append(Loop(self.dashboard.step, dashboard_beat))
        self.digests: DigestLoop | None = None
        if notified_teams(settings):
            tick = options.digest_tick or 60.0
            self.digests = DigestLoop(
                settings, store, secrets, clock, self.leases, self._digested, tick=tick
            )
            digest_beat = Heartbeat(
                "digest", clock, bound=tick + LOOP_BOUND_SECONDS, busy_bound=BUSY_BOUND_SECONDS
            )
            self.loops.append(Loop(self.digests.step, digest_beat))
        heartbeats = [loop.heartbeat for loop in self.loops]
        self.metrics = ServiceMetrics(requests, connectors, clock, heartbeats)
        self.health = Health(requests, connectors, heartbeats=heartbeats)
        server = settings.server
        self.state = AppState(
            store=requests,
            routing=self.routing,
            secrets=WebhookSecrets(
                github=unwrap_secrets(secrets.github_webhook_secrets),
                jira=unwrap_secrets(secrets.jira_webhook_secrets),
                jira_tokens=unwrap_secrets(secrets.jira_webhook_tokens),
            ),
            max_body_bytes=server.max_body_bytes,
            metrics=self.metrics,
            health=self.health,
            wake=self.wake,
            now=clock.now,
            body_timeout=server.body_read_timeout.total_seconds(),
            max_concurrent=server.max_concurrent_deliveries,
        )
        self.app = build_app(self.state)
        token = secrets.dashboard_token
        self.admin_app = build_admin_app(
            self.metrics, self.dashboard, token.get_secret_value() if token else None
        )
        self._threads: list[threading.Thread] = []
        self._renames_told: set[tuple[str, str, str]] = set()
        self._ages_at: float | None = None
        counts = counts_of(store.tally())
        if counts:
            self.metrics.record_counts(counts)
            self.metrics.record_ages(store.flags(), clock.now())

    # ---------------------------------------------------------------- work

    def _render_dashboard(self) -> str:
        data = report_from(
            self.store,
            writeback_enabled=self.settings.writeback.enabled,
            now=self.clock.now(),
            label=self.settings.writeback.label,
            owners=self.settings.owner_rules(),
        )
        return render_html(data, refresh_seconds=DASHBOARD_REFRESH_SECONDS)

    def _process(self, entries: Sequence[InboxEntry]) -> None:
        targets = entry_targets(entries, self._targets)
        result = refresh(self.settings, self.worker_store, self.writers, targets, self.clock)
        if result.evaluation is not None:
            self.metrics.record_counts(result.evaluation.counts)
        if result.verdicts or result.forgotten or result.applied is not None:
            self.dashboard.invalidate()  # polls refresh the ages of untraced items
        if result.applied is not None:
            self.metrics.record_writes(result.applied.writes)
        log.info(
            "webhook.processed",
            entries=len(entries),
            read=result.read,
            forgotten=result.forgotten,
            affected=len(result.affected),
            planned=len(result.plan),
            written=result.applied.total if result.applied else 0,
        )

    def _targets(self, entry: InboxEntry) -> Mapping[str, Sequence[str]]:
        if entry.targets is not None:  # derived when it was accepted
            return entry.targets
        payload = intake.parse_object(entry.payload)
        return intake.targets_of(entry.event, payload, self.routing, entry.source)

    def _refresh_ages(self) -> None:
        """The untraced-age histogram from the flag history, at most every
        :data:`AGES_REFRESH_SECONDS`."""
        now = self.clock.monotonic()
        if self._ages_at is not None and now - self._ages_at < AGES_REFRESH_SECONDS:
            return
        self._ages_at = now
        self.metrics.record_ages(self.store.flags(), self.clock.now())

    def _digested(self, outcome: QueueOutcome) -> None:
        for done, kind in (
            (outcome.sent, "sent"),
            (outcome.retried, "retry"),
            (outcome.dead, "dead"),
        ):
            for delivery in done:
                self.metrics.digests.labels(target=delivery.target, outcome=kind).inc()

    def _lease_changed(self, lease: str, held: bool) -> None:
        self.metrics.lease_changed(lease, held)

    def _outcome(self, outcome: str, entry: InboxEntry) -> None:
        self.metrics.events.labels(outcome=outcome).inc()
        if outcome in ("done", "coalesced"):
            waited = (self.clock.now() - entry.received_at).total_seconds()
            self.metrics.event_latency.observe(max(0.0, waited))

    def _polled(self, poll: PollOutcome) -> None:
        self.metrics.polls.labels(source=poll.source, kind=poll.kind, outcome=poll.outcome).inc()
        if poll.outcome in ("yielded", "lost", "stopped"):
            return
        self.metrics.poll_seconds.labels(source=poll.source, kind=poll.kind).observe(poll.seconds)
        self.health.poll_finished(poll.source, ok=not poll.failed)
        result = poll.result
        if result is None:
            return
        self.metrics.record_counts(result.evaluation.counts)
        self.dashboard.invalidate()  # ages on the page move on with the clock
        self._refresh_ages()
        if result.applied is not None:
            self.metrics.record_writes(result.applied.writes)
        for source, old, new in result.renamed:
            if (source, old, new) not in self._renames_told:
                self._renames_told.add((source, old, new))
                log.warning(
                    "source.repository_renamed",
                    source=source,
                    configured=old,
                    current=new,
                    hint="put the new name in repos",
                )
        log.info(
            "poll.finished",
            source=poll.source,
            kind=poll.kind,
            outcome=poll.outcome,
            items=result.evaluation.items,
            read=sum(read.items for read in result.reads.values()),
            written=result.applied.total if result.applied else 0,
            errors=result.errors,
            seconds=round(poll.seconds, 3),
        )
        if result.needs_confirmation:
            log.warning(
                "poll.needs_confirmation",
                source=poll.source,
                flagged=result.newly_flagged,
                hint="a first run would flag over half of all items; start with --yes to allow it",
            )

    # ---------------------------------------------------------------- lifecycle

    def start_threads(self) -> None:
        """Start every loop (the worker, the poller unless turned off, the
        dashboard's renderer, and on a shared store the keeper of leases and
        claims), each supervised."""
        if self.leases is None:
            recovered = recover(self.store, self.clock.now())
            if recovered:
                log.info("inbox.recovered", entries=recovered)
        for loop in self.loops:
            self._spawn(loop.name, supervise, loop, self.stop)

    def renew_leases_and_claims(self) -> None:
        """One renewal of the leases, of the item locks held and of the claims
        being worked on; raises the store's error (after trying all) when it
        did not answer."""
        if self.leases is None:
            return
        failed: StoreError | None = None
        renewals = [self.leases.renew_all]
        if self.locks is not None:
            renewals.append(self.locks.renew_all)
        for renew in renewals:
            try:
                renew()
            except StoreError as error:
                failed = failed or error
        self.store.extend_claims(self.worker.in_flight(), self.clock.now())
        if failed is not None:
            raise failed

    def _spawn(self, name: str, target: Any, *args: Any) -> None:
        thread = threading.Thread(target=target, args=args, name=f"goldthread-{name}", daemon=True)
        thread.start()
        self._threads.append(thread)

    def stop_threads(self, timeout: float) -> bool:
        """Ask the threads to stop and wait up to ``timeout`` seconds; True if all did."""
        self.stop.set()
        self.wake.set()
        deadline = self.clock.monotonic() + timeout
        for thread in self._threads:
            thread.join(max(0.0, deadline - self.clock.monotonic()))
        left = [thread.name for thread in self._threads if thread.is_alive()]
        if left:
            log.warning("service.abandoned", threads=left, hint="the inbox keeps the work")
        if self.leases is not None:  # a poll still running is fenced off from here on
            self.leases.release_all()
        return not left


def serve(
    settings: Settings,
    secrets: ResolvedSecrets,
    options: ServiceOptions,
    clock: Clock | None = None,
) -> int:
    """Run the service until a signal stops it; returns the exit status (0).

    Raises :class:`~goldthread.errors.StoreError` (another process holds the
    store, or it cannot be opened) and
    :class:`~goldthread.errors.FatalSourceError` (a source cannot be set up)
    before anything is served.
    """
    clock = clock or SystemClock()
    disable_created_metrics()  # type: ignore[no-untyped-call] # *_created series are noise
    store = open_store(settings.store.url)
    connectors: dict[str, Connector] = {}
    try:
        connectors = build_connectors(settings, secrets, clock)
        service = Service(settings, secrets, store, connectors, clock, options)
        server = settings.server
        listeners = Listeners(
            webhooks=(service.app, listen(server.host, server.port)),
            admin=(service.admin_app, listen(server.admin_host, server.admin_port)),
            stop=service.stop,
            grace_seconds=options.grace_seconds / 2,
        )
        service.start_threads()
        log.info(
            "service.listening",
            url=listeners.url("webhooks"),
            admin_url=listeners.url("admin"),
            github_webhooks=bool(service.state.secrets.github),
            jira_webhooks=bool(service.state.secrets.jira or service.state.secrets.jira_tokens),
            sources=list(connectors),
        )
        _warn_if_open(server.admin_host, secrets.dashboard_token is not None)
        listeners.run()
        service.stop_threads(options.grace_seconds / 2)
        log.info("service.stopped")
        return 0
    finally:
        close_all(connectors)
        store.close()


def _warn_if_open(admin_host: str, has_token: bool) -> None:
    """Say so when the dashboard is reachable from other hosts without a token."""
    try:
        local = ipaddress.ip_address(admin_host).is_loopback
    except ValueError:
        local = admin_host == "localhost"
    if not local and not has_token:
        log.warning(
            "service.dashboard_open",
            admin_host=admin_host,
            hint="the dashboard shows every issue title; set server.dashboard_token_env,"
            " or keep server.admin_host on 127.0.0.1 and reach it through a port-forward",
        )
