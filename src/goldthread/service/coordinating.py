"""Writes that stay right when several replicas write at once.

On a shared store, a poll on one replica and webhook work on another can
judge the same item at the same moment, each from a ledger that does not yet
show the other's comment. :class:`GuardedConnector` wraps a source's
connector at goldthread's own seam so that:

* a comment is only ever created under the item's lock (a short lease
  ``item:<ref>`` on the store, renewed while held and proved still held
  right before the write), after asking the tracker for goldthread's marker
  comment, whatever the item or this replica's earlier reads say: the second
  replica finds the first one's comment and reuses it, so an item never gets
  two (the label needs no lock: adding it twice is harmless);
* every mutating request first waits for its slot in the credential's shared
  pacing line (:class:`~goldthread.connectors.pacing.SharedPacer`), so
  ``writes_per_minute`` holds for all replicas together;
* in a poll, every mutating request first passes the poll lease's fence, so a
  replica that lost its lease stops writing. :class:`FencedStore` does the
  same before cursors are committed.

With SQLite one process holds the store, its in-process lock already
serialises the work, and none of this is used.
"""

from __future__ import annotations

import hashlib
import threading
from collections.abc import Callable, Iterator, Mapping, Sequence
from contextlib import contextmanager
from datetime import datetime, timedelta
from typing import Any, cast

from goldthread.clock import Clock
from goldthread.config import GitHubSource, ResolvedSecrets, Settings
from goldthread.connectors.base import Connector, ContentLimited, Reconciling, ScopeRead
from goldthread.connectors.pacing import ContentLimits, SharedPacer
from goldthread.core.keys import is_github_com
from goldthread.core.model import (
    CommentDoc,
    OwnComment,
    RateBudget,
    RequestStats,
    WorkItem,
)
from goldthread.core.scope import SourceScope
from goldthread.errors import RetriableError, StoreError
from goldthread.store.base import Store

GITHUB_COM_WRITE_FLOOR = 1.0
"""GitHub.com asks for a second between content-creating requests."""
LOCK_POLL_SECONDS = 0.05

Check = Callable[[], None]


def _nothing() -> None:
    return None


class ItemLocks:
    """Per-item locks across replicas, as short leases ``item:<ref>`` on the store.

    A lock lasts as long as the work under it: the replica's keeper renews
    every held one with its other leases (:meth:`renew_all`). A holder that
    stalled past the lease period anyway (a long pause, the store out of
    reach) may find the item taken over by another replica, which then writes
    there; so right before it writes, the holder proves it still holds the
    lock with the fence :meth:`hold` hands it.
    """

    def __init__(self, store: Store, holder: str, ttl: timedelta, clock: Clock) -> None:
        self._store = store
        self._holder = holder
        self._ttl = ttl
        self._clock = clock
        self._held: dict[tuple[str, str], int] = {}  # (lease, holder) -> fencing token
        self._guard = threading.Lock()

    @contextmanager
    def hold(self, ref: str) -> Iterator[Check]:
        """Hold ``ref``'s lock for the block; waits up to one lease period for
        another replica to finish, then gives up with a retriable error.

        The block gets the fence: it renews the lock under its fencing token,
        or raises a retriable error when another replica took the item over
        (the work is tried again later, and finds that replica's writes).
        """
        name = f"item:{ref}"
        holder = f"{self._holder}#{threading.get_ident()}"
        deadline = self._clock.monotonic() + self._ttl.total_seconds()
        token = self._store.acquire_lease(name, holder, self._ttl, self._clock.now())
        while token is None:
            if self._clock.monotonic() >= deadline:
                raise RetriableError(f"{ref}: another replica is writing to it", retry_after=1.0)
            self._clock.sleep(LOCK_POLL_SECONDS)
            token = self._store.acquire_lease(name, holder, self._ttl, self._clock.now())

        def still_held() -> None:
            if not self._store.renew_lease(name, holder, token, self._ttl, self._clock.now()):
                raise RetriableError(
                    f"{ref}: another replica took it over while this one stalled",
                    retry_after=1.0,
                )

        with self._guard:
            self._held[name, holder] = token
        try:
            yield still_held
        finally:
            with self._guard:
                self._held.pop((name, holder), None)
            self._store.release_lease(name, holder, token)

    def renew_all(self) -> None:
        """Extend every lock held now; raises the first
        :class:`~goldthread.errors.StoreError` once each was tried."""
        with self._guard:
            held = list(self._held.items())
        failed: StoreError | None = None
        for (name, holder), token in held:
            try:
                self._store.renew_lease(name, holder, token, self._ttl, self._clock.now())
            except StoreError as error:
                failed = failed or error
        if failed is not None:
            raise failed


class GuardedConnector:
    """``inner``, with comment creation under the item's lock and every write
    first passing ``before_write`` (pacing, and the poll fence when given)."""

    def __init__(self, inner: Connector, *, locks: ItemLocks, before_write: Check) -> None:
        self._inner = inner
        self._locks = locks
        self._before_write = before_write

    @property
    def name(self) -> str:
        return self._inner.name

    @property
    def stats(self) -> RequestStats:
        return self._inner.stats

    def check(self) -> str:
        return self._inner.check()

    def scopes(self) -> list[str]:
        return self._inner.scopes()

    @property
    def old_keys_resolve(self) -> bool:
        return self._inner.old_keys_resolve

    def scope(self) -> SourceScope:
        return self._inner.scope()

    def read(self, scope: str, cursor: str | None) -> ScopeRead:
        return self._inner.read(scope, cursor)

    def get(self, keys: Sequence[str]) -> list[WorkItem]:
        return self._inner.get(keys)

    def budget(self) -> RateBudget | None:
        return self._inner.budget()

    def cursor_since(self, when: datetime) -> str:
        return self._inner.cursor_since(when)

    def close(self) -> None:
        self._inner.close()

    def content_limits(self) -> ContentLimits | None:
        inner = self._inner
        return inner.content_limits() if isinstance(inner, ContentLimited) else None

    def written_lately(self, items: Sequence[WorkItem], when: Mapping[str, datetime]) -> None:
        if isinstance(self._inner, Reconciling):
            self._inner.written_lately(items, when)

    def add_label(self, item: WorkItem, label: str) -> None:
        self._before_write()
        self._inner.add_label(item, label)

    def remove_label(self, item: WorkItem, label: str) -> None:
        self._before_write()
        self._inner.remove_label(item, label)

    def find_own_comment(self, item: WorkItem, *, fresh: bool = False) -> OwnComment | None:
        return self._inner.find_own_comment(item, fresh=fresh)

    def create_comment(self, item: WorkItem, doc: CommentDoc) -> OwnComment:
        """Create it, unless another replica just did: then reuse (update) theirs.

        The look is ``fresh``: neither the item as read nor what this
        replica's connector read or wrote before can show a comment another
        replica made since, so only the tracker is asked.
        """
        with self._locks.hold(item.ref) as still_held:
            found = self._inner.find_own_comment(item, fresh=True)
            if found is not None and found.fingerprint == doc.fingerprint:
                return found
            self._before_write()
            still_held()  # after the wait for a slot, the last moment before writing
            if found is not None:
                return self._inner.update_comment(item, found.comment_id, doc)
            return self._inner.create_comment(item, doc)

    def update_comment(self, item: WorkItem, comment_id: str, doc: CommentDoc) -> OwnComment:
        self._before_write()
        return self._inner.update_comment(item, comment_id, doc)

    def delete_comment(self, item: WorkItem, comment_id: str) -> None:
        self._before_write()
        self._inner.delete_comment(item, comment_id)


class FencedStore:
    """``store``, checking ``fence`` before cursors are committed (every other
    call goes straight through)."""

    def __init__(self, store: Store, fence: Check) -> None:
        self._store = store
        self._fence = fence

    def commit_cursors(self, source: str, mapping: Mapping[str, str]) -> None:
        self._fence()
        self._store.commit_cursors(source, mapping)

    def __getattr__(self, name: str) -> Any:
        return getattr(self._store, name)


def fenced(store: Store, fence: Check) -> Store:
    """``store`` as a :class:`Store` whose cursor commits pass ``fence``."""
    return cast(Store, FencedStore(store, fence))


def credential_line(settings: Settings, secrets: ResolvedSecrets, source: str) -> str:
    """The pacing line of a source's credential: sources sharing a token (or
    a GitHub App) on one host share one line. Named by a digest, never the secret."""
    config = next(s for s in settings.sources if s.name == source)
    if isinstance(config, GitHubSource):
        host = str(config.base_url)
        secret = secrets.tokens.get(source) or secrets.app_keys.get(source)
        who = secret.get_secret_value() if secret is not None else f"app:{config.app_id}"
    else:
        host = str(config.url)
        secret = secrets.tokens.get(source)
        who = secret.get_secret_value() if secret is not None else source
    digest = hashlib.sha256(f"{host}\n{who}".encode()).hexdigest()[:20]
    return f"pace:{digest}"


def shared_pacers(
    settings: Settings, secrets: ResolvedSecrets, store: Store, clock: Clock
) -> dict[str, SharedPacer]:
    """One pacer per source, on its credential's line in the store."""
    pacers: dict[str, SharedPacer] = {}
    per_minute = settings.writeback.writes_per_minute
    for config in settings.sources:
        line = credential_line(settings, secrets, config.name)
        floor = 0.0
        if isinstance(config, GitHubSource) and is_github_com(str(config.base_url)):
            floor = GITHUB_COM_WRITE_FLOOR

        def reserve(interval: timedelta, now: datetime, line: str = line) -> datetime:
            return store.reserve_slot(line, interval, now)

        pacers[config.name] = SharedPacer(per_minute, clock, reserve, min_interval=floor)
    return pacers


def guard_all(
    connectors: Mapping[str, Connector],
    locks: ItemLocks,
    pacers: Mapping[str, SharedPacer],
    fences: Mapping[str, Check] | None = None,
) -> dict[str, Connector]:
    """Every connector guarded; a source with a fence checks it before each write."""
    guarded: dict[str, Connector] = {}
    for name, connector in connectors.items():
        pacer = pacers.get(name)
        fence = (fences or {}).get(name, _nothing)

        def before_write(pacer: SharedPacer | None = pacer, fence: Check = fence) -> None:
            fence()
            if pacer is not None:
                pacer.wait()

        guarded[name] = GuardedConnector(connector, locks=locks, before_write=before_write)
    return guarded
