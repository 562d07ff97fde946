"""A report of everything a store holds, for the callers that have one open.

The store is only described here (:class:`StoredLike`), never imported: the
reports stay independent of the store package, and any value with these
reads (a real store, a test's stand-in) can be reported on.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from datetime import datetime
from typing import Protocol

from goldthread.core.ageing import FlagSpan
from goldthread.core.model import Barren, Verdict, VerdictKind, WorkItem
from goldthread.core.owners import OwnerRules
from goldthread.reports.data import HistoryLike, LedgerLike, ReportData, build_report


class StoredLike(Protocol):
    """What a report reads from a store."""

    def items(self) -> Iterable[WorkItem]: ...

    def verdicts(self) -> Mapping[str, Verdict]: ...

    def barren(self) -> Sequence[Barren]: ...

    def ledger_all(self) -> Mapping[str, LedgerLike]: ...

    def coverage_history(self) -> Sequence[HistoryLike]: ...

    def flags(self) -> Mapping[str, FlagSpan]: ...


def report_from(
    store: StoredLike,
    *,
    writeback_enabled: bool,
    now: datetime,
    label: str,
    verdict_filter: Iterable[VerdictKind | str] = (),
    owners: OwnerRules | None = None,
    owner_filter: Iterable[str] = (),
) -> ReportData:
    """:func:`~goldthread.reports.data.build_report` over the store's current contents."""
    return build_report(
        store.items(),
        store.verdicts(),
        store.barren(),
        store.ledger_all(),
        store.coverage_history(),
        writeback_enabled=writeback_enabled,
        now=now,
        verdict_filter=verdict_filter,
        label=label,
        owners=owners,
        flags=store.flags(),
        owner_filter=owner_filter,
    )
