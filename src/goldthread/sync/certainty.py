"""Which verdicts a cycle can act on, and which must wait.

A verdict is only as good as the graph it was walked on. A parent that sits
in a tracker that failed to read, or in one goldthread has never read in
full (a first ``--since`` backfill, ``--source`` on a new store), is not a
missing parent: it is unknown. Items that lead up into such a source or
scope keep their verdicts for the report, but their writes wait for a run
that reads it. Pure: reads in, refs out.
"""

from __future__ import annotations

from collections.abc import Collection, Mapping

from goldthread.core.model import WorkItem
from goldthread.core.scope import scope_of
from goldthread.core.tracing import descendants
from goldthread.sync.fetching import SourceRead


def unsure_sources(
    configured: Collection[str],
    reads: Mapping[str, SourceRead],
    *,
    complete_before: Collection[str],
    full_read: bool,
) -> set[str]:
    """Sources whose stored items cannot be trusted to be all there is.

    A source is trusted when it was complete before this run (it has
    committed cursors) or read in full now, and did not fail as a whole now.
    ``full_read``: this run read from no cursor (a backfill without
    ``--since``); a sync reads a never-read source in full too.
    """
    unsure: set[str] = set()
    for name in configured:
        read = reads.get(name)
        was_complete = name in complete_before
        if read is None:
            if not was_complete:
                unsure.add(name)
        elif read.fatal is not None or not (was_complete or full_read):
            unsure.add(name)
    return unsure


def held_back(
    items: Mapping[str, WorkItem], unsure: Collection[str], reads: Mapping[str, SourceRead]
) -> set[str]:
    """Items in, or leading up into, an unsure source or a scope that failed."""
    scopes = {(name, scope) for name, read in reads.items() for scope in read.failed_scopes}
    if not unsure and not scopes:
        return set()

    def doubtful(ref: str) -> bool:
        source, _, key = ref.partition(":")
        return source in unsure or (source, scope_of(key)) in scopes

    roots = {ref for ref in items if doubtful(ref)}
    roots |= {
        link.target
        for item in items.values()
        for link in item.parents
        if link.target is not None and doubtful(link.target)
    }
    return descendants(items, roots)
