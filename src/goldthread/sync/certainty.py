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
