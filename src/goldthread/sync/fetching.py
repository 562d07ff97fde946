"""Reading every source into the store, one thread per source.

Each source reads its scopes (repositories, projects) one after the other,
storing items in batches as they arrive, so memory holds one batch per
source rather than the organisation. A scope that cannot be read is
reported and skipped; a source that fails as a whole stops, and the others
carry on. Only scopes read to the end get a new cursor, and it is handed
back, not committed: the cycle commits it once everything after the read
succeeded too.

A read can be asked to stop (the service received SIGTERM): ``stop`` is
asked before each item is taken from the connector, and a connector fetches
its next page only when the items of the last one are taken, so no page is
requested after the stop. What was read is stored; the scope cut short gets
no cursor and no list of seen items, so nothing is skipped and nothing is
taken for deleted.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field

from goldthread.connectors.base import Connector
from goldthread.core.model import WorkItem
from goldthread.errors import FatalSourceError, RetriableError, SkippableError, SourceError
from goldthread.store.base import Store
from goldthread.sync.progress import Progress
from goldthread.sync.scoping import admit

BATCH = 500

CursorFor = Callable[[str, str], str | None]
"""``(source, scope) -> cursor`` to read from (``None``: everything)."""

StopAsked = Callable[[], bool]
"""Whether the read should stop now (checked between items, so between pages)."""


def never() -> bool:
    """A read that is never asked to stop."""
    return False


@dataclass(slots=True)
class SourceRead:
    """What reading one source found.

    ``cursors`` are the new cursors of the scopes read to the end;
    ``seen`` the refs read per scope (kept only for full reads, to notice
    items deleted on the tracker); ``stored`` every ref stored, with its
    tracker id (to notice moved items); ``refused`` the refs read but outside
    the source's scope; ``stopped`` that the read was asked to stop before
    every scope was read to the end.
    """

    source: str
    items: int = 0
    cursors: dict[str, str] = field(default_factory=dict)
    failed_scopes: dict[str, str] = field(default_factory=dict)
    fatal: str | None = None
    seen: dict[str, set[str]] = field(default_factory=dict)
    stored: dict[str, str] = field(default_factory=dict)
    refused: list[str] = field(default_factory=list)
    stopped: bool = False

    @property
    def ok(self) -> bool:
        return self.fatal is None and not self.failed_scopes

    def errors(self) -> list[str]:
        found = [f"{self.source}: {self.fatal}"] if self.fatal else []
        found += [f"{self.source}: {scope}: {why}" for scope, why in self.failed_scopes.items()]
        return found


def fetch_all(
    connectors: Mapping[str, Connector],
    store: Store,
    cursor_for: CursorFor,
    progress: Progress,
    *,
    keep_seen: bool,
    stop: StopAsked = never,
) -> dict[str, SourceRead]:
    """Read every source concurrently; one :class:`SourceRead` per source."""
    if not connectors:
        return {}
    with ThreadPoolExecutor(max_workers=len(connectors), thread_name_prefix="read") as pool:
        futures = {
            name: pool.submit(
                fetch_source,
                connector,
                store,
                cursor_for,
                progress,
                keep_seen=keep_seen,
                stop=stop,
            )
            for name, connector in connectors.items()
        }
        return {name: future.result() for name, future in futures.items()}


def fetch_source(
    connector: Connector,
    store: Store,
    cursor_for: CursorFor,
    progress: Progress,
    *,
    keep_seen: bool,
    stop: StopAsked = never,
) -> SourceRead:
    """Read one source's scopes into the store; never raises a source error."""
    result = SourceRead(connector.name)
    try:
        scopes = connector.scopes()
    except SourceError as error:
        result.fatal = f"cannot list what to read: {error}"
        progress.finished(connector.name, ok=False)
        return result
    progress.started(connector.name, len(scopes))
    for scope in scopes:
        if stop():
            result.stopped = True
            break
        try:
            _read_scope(
                connector,
                store,
                scope,
                cursor_for=cursor_for,
                progress=progress,
                result=result,
                keep_seen=keep_seen,
                stop=stop,
            )
        except SkippableError as error:
            result.failed_scopes[scope] = str(error)
        except (FatalSourceError, RetriableError) as error:
            result.fatal = str(error)
            break
        if result.stopped:
            break
        progress.scope_done(connector.name, scope, connector.budget())
    progress.finished(connector.name, ok=result.ok)
    return result


def _read_scope(
    connector: Connector,
    store: Store,
    scope: str,
    *,
    cursor_for: CursorFor,
    progress: Progress,
    result: SourceRead,
    keep_seen: bool,
    stop: StopAsked,
) -> None:
    read = connector.read(scope, cursor_for(connector.name, scope))
    items = iter(read)
    seen: set[str] = set()
    batch: list[WorkItem] = []
    while not stop():
        item = next(items, None)
        if item is None:
            break
        batch.append(item)
        if keep_seen:
            seen.add(item.ref)  # out of scope too: the scope's old items are gone
        if len(batch) >= BATCH:
            _store(store, batch, result, progress, connector)
    else:  # asked to stop: keep what was read, but no cursor and no seen list
        _store(store, batch, result, progress, connector)
        result.stopped = True
        return
    _store(store, batch, result, progress, connector)
    if read.cursor is not None:
        result.cursors[scope] = read.cursor
    if keep_seen:
        result.seen[scope] = seen
        current = connector.scope().current_name(scope)
        if current != scope:  # a renamed repository: its items go by the new name
            result.seen[current] = seen


def _store(
    store: Store,
    batch: list[WorkItem],
    result: SourceRead,
    progress: Progress,
    connector: Connector,
) -> None:
    if not batch:
        return
    admitted = admit(store, connector, batch)
    result.stored.update((item.ref, item.external_id) for item in admitted.kept)
    result.refused += admitted.refused
    result.items += len(admitted.kept)
    progress.advanced(connector.name, len(batch), connector.budget())
    batch.clear()
