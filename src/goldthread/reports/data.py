"""What every report shows, as one frozen value built before any rendering.

The renderers (JSON, CSV, Markdown, rich table, HTML page) only format a
:class:`ReportData`; they never look at the store or the config. That keeps
the formats consistent with each other and lets tests hand-build a report.
:func:`build_report` is pure: the store's contents and ``now`` come in as
plain values.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Protocol

from goldthread.core.ageing import BUCKET_NAMES, FlagSpan, age, age_text, bucket
from goldthread.core.labels import carries_label
from goldthread.core.model import Barren, Layer, Verdict, VerdictKind, WorkItem, split_ref
from goldthread.core.owners import OwnerRules
from goldthread.core.suggesting import Suggestion, suggest_parents
from goldthread.reports.tree import TreeNode, build_tree

LAYERS: tuple[Layer, ...] = (Layer.VISION, Layer.STRATEGY, Layer.EXECUTION, Layer.NONE)
VERDICTS: tuple[VerdictKind, ...] = tuple(VerdictKind)


class LedgerLike(Protocol):
    """What a report needs of a write-back ledger entry."""

    @property
    def label_applied(self) -> bool: ...

    @property
    def comment_id(self) -> str | None: ...


class HistoryLike(Protocol):
    """What a report needs of one recorded coverage row."""

    @property
    def at(self) -> datetime: ...

    @property
    def layer(self) -> Layer: ...

    @property
    def traced(self) -> int: ...

    @property
    def orphan(self) -> int: ...

    @property
    def broken(self) -> int: ...


@dataclass(frozen=True, slots=True)
class ReportRow:
    """One item as every format shows it.

    ``parents`` are the refs of the item's parent links in order of
    preference (the raw reference when it names nothing configured);
    ``chain`` the refs walked upward, the item first.
    """

    ref: str
    source: str
    key: str
    url: str
    title: str
    layer: Layer
    verdict: VerdictKind
    reason: str
    parents: tuple[str, ...]
    chain: tuple[str, ...]
    flagged: bool
    detail: str = ""
    owner: str | None = None
    flagged_since: datetime | None = None
    """When goldthread first judged the item untraced (while it is)."""
    suggestions: tuple[Suggestion, ...] = ()
    """Likely parents of an untraced item, best first."""


@dataclass(frozen=True, slots=True)
class Tally:
    """Verdict counts of one group (a layer, a source, or everything)."""

    name: str
    traced: int = 0
    orphan: int = 0
    broken: int = 0
    exempt: int = 0

    @property
    def items(self) -> int:
        return self.traced + self.orphan + self.broken + self.exempt

    @property
    def untraced(self) -> int:
        return self.orphan + self.broken

    @property
    def coverage(self) -> float | None:
        """traced ÷ (traced + orphan + broken); ``None`` when nothing counts."""
        counted = self.traced + self.untraced
        return self.traced / counted if counted else None

    def count(self, verdict: VerdictKind) -> int:
        return int(getattr(self, verdict.value))


@dataclass(frozen=True, slots=True)
class OwnerAges:
    """One owner's items: the tally, and the untraced ones by age bucket."""

    tally: Tally
    ages: tuple[tuple[str, int], ...]
    oldest_since: datetime | None = None

    @property
    def owner(self) -> str:
        return self.tally.name


@dataclass(frozen=True, slots=True)
class Summary:
    """Totals over every evaluated item, whatever the report lists."""

    total: Tally
    by_layer: tuple[Tally, ...]
    by_source: tuple[Tally, ...]

    @property
    def coverage(self) -> float | None:
        return self.total.coverage


@dataclass(frozen=True, slots=True)
class TrendPoint:
    """Coverage as recorded by one evaluation: overall and per layer."""

    at: datetime
    coverage: float | None
    by_layer: tuple[tuple[Layer, float | None], ...] = ()


@dataclass(frozen=True, slots=True)
class ReportData:
    """Everything a report shows. ``rows`` are the listed items (after any
    verdict filter); ``summary`` and ``tree`` always cover every item."""

    generated_at: datetime
    rows: tuple[ReportRow, ...]
    barren: tuple[Barren, ...]
    summary: Summary
    trend: tuple[TrendPoint, ...] = ()
    tree: tuple[TreeNode, ...] = ()
    all_rows: tuple[ReportRow, ...] = ()
    writeback_enabled: bool = True
    verdict_filter: tuple[VerdictKind, ...] = ()
    by_owner: tuple[OwnerAges, ...] = ()
    """Per owner (no owner last, as ``—``), when owners are configured."""
    owner_filter: tuple[str, ...] = ()

    def index(self) -> dict[str, ReportRow]:
        """Every item by ref, listed or not."""
        return {row.ref: row for row in (*self.rows, *self.all_rows)}

    def with_verdict(self, verdict: VerdictKind) -> tuple[ReportRow, ...]:
        return tuple(row for row in self.rows if row.verdict is verdict)


def build_report(
    items: Iterable[WorkItem],
    verdicts: Mapping[str, Verdict],
    barren: Sequence[Barren],
    ledger: Mapping[str, LedgerLike],
    history: Sequence[HistoryLike],
    *,
    writeback_enabled: bool,
    now: datetime,
    verdict_filter: Iterable[VerdictKind | str] = (),
    label: str = "goldthread:untraced",
    owners: OwnerRules | None = None,
    flags: Mapping[str, FlagSpan] | None = None,
    owner_filter: Iterable[str] = (),
) -> ReportData:
    """Join stored items, verdicts, ledger and flag history into a report.

    Items without a verdict (never evaluated) are left out; a verdict whose
    item is gone still shows, with what its ref says. With ``owner_filter``
    the report is those teams' alone: their items, totals and barren items.
    """
    by_ref = {item.ref: item for item in items}
    spans = flags or {}
    likely = suggest_parents(by_ref, verdicts, ignore_labels=(label,) if label else ())
    rows = tuple(
        _row(
            ref,
            by_ref.get(ref),
            verdicts[ref],
            entry=ledger.get(ref),
            writeback_enabled=writeback_enabled,
            label=label,
            owners=owners,
            span=spans.get(ref),
            suggestions=likely.get(ref, ()),
        )
        for ref in sorted(verdicts)
    )
    teams = tuple(dict.fromkeys(owner_filter))
    if teams:
        rows = tuple(row for row in rows if row.owner in teams)
        kept = {row.ref for row in rows}
        barren = [b for b in barren if b.ref in kept]
    known = {row.ref for row in rows}
    wanted = tuple(dict.fromkeys(VerdictKind(v) for v in verdict_filter))
    listed = tuple(row for row in rows if not wanted or row.verdict in wanted)
    return ReportData(
        generated_at=now,
        rows=listed,
        barren=tuple(sorted(barren, key=lambda b: (b.layer.rank * -1, b.ref))),
        summary=summarise(rows),
        trend=trend(history),
        tree=build_tree([(row.ref, row.layer, _tree_parent(row, known)) for row in rows]),
        all_rows=rows,
        writeback_enabled=writeback_enabled,
        verdict_filter=wanted,
        by_owner=owner_ages(rows, now) if owners else (),
        owner_filter=teams,
    )


NO_OWNER = "—"
"""How reports name the items no owner rule matched."""


def owner_ages(rows: Sequence[ReportRow], now: datetime) -> tuple[OwnerAges, ...]:
    """Per owner (in name order, items without an owner last): the tally and
    the untraced items' ages by bucket."""
    groups: dict[str, list[ReportRow]] = {}
    for row in rows:
        groups.setdefault(row.owner or NO_OWNER, []).append(row)
    names = sorted(groups, key=lambda name: (name == NO_OWNER, name.casefold()))
    found = []
    for name in names:
        members = groups[name]
        sinces = [r.flagged_since for r in members if r.verdict.flaggable and r.flagged_since]
        counts = dict.fromkeys(BUCKET_NAMES, 0)
        for since in sinces:
            counts[bucket(since, now)] += 1
        found.append(
            OwnerAges(
                tally=_tally(name, members),
                ages=tuple(counts.items()),
                oldest_since=min(sinces, default=None),
            )
        )
    return tuple(found)


def row_age(row: ReportRow, now: datetime) -> str:
    """How long the row's item has been untraced, for people (``—``: it is not)."""
    return age_text(age(row.flagged_since, now))


def summarise(rows: Sequence[ReportRow]) -> Summary:
    """Tallies overall, per layer (every layer, zero included) and per source."""
    sources = sorted({row.source for row in rows})
    return Summary(
        total=_tally("all", rows),
        by_layer=tuple(
            _tally(layer.value, [r for r in rows if r.layer is layer]) for layer in LAYERS
        ),
        by_source=tuple(_tally(src, [r for r in rows if r.source == src]) for src in sources),
    )


def trend(history: Sequence[HistoryLike]) -> tuple[TrendPoint, ...]:
    """One point per recorded evaluation, oldest first."""
    moments: dict[datetime, list[HistoryLike]] = {}
    for row in history:
        moments.setdefault(row.at, []).append(row)
    return tuple(
        TrendPoint(
            at=at,
            coverage=_ratio(rows),
            by_layer=tuple(
                (layer, _ratio([r for r in rows if r.layer is layer])) for layer in LAYERS[:3]
            ),
        )
        for at, rows in sorted(moments.items())
    )


def _ratio(rows: Sequence[HistoryLike]) -> float | None:
    traced = sum(r.traced for r in rows)
    counted = traced + sum(r.orphan + r.broken for r in rows)
    return traced / counted if counted else None


def _tally(name: str, rows: Sequence[ReportRow]) -> Tally:
    counts = {kind.value: sum(1 for row in rows if row.verdict is kind) for kind in VERDICTS}
    return Tally(name=name, **counts)


def _row(
    ref: str,
    item: WorkItem | None,
    verdict: Verdict,
    *,
    entry: LedgerLike | None,
    writeback_enabled: bool,
    label: str,
    owners: OwnerRules | None = None,
    span: FlagSpan | None = None,
    suggestions: tuple[Suggestion, ...] = (),
) -> ReportRow:
    source, key = split_ref(ref)
    owner = owners.team(item) if owners and item is not None else None
    since = span.since if span is not None and span.open and verdict.flaggable else None
    return ReportRow(
        ref=ref,
        source=item.source if item else source,
        key=item.key if item else key,
        url=item.url if item else "",
        title=item.title if item else "",
        layer=verdict.layer,
        verdict=verdict.kind,
        reason=verdict.reason.value,
        parents=tuple(link.target or link.raw for link in item.parents) if item else (),
        chain=verdict.chain,
        flagged=writeback_enabled and _flag_on(item, verdict, entry, label),
        detail=verdict.detail,
        owner=owner,
        flagged_since=since,
        suggestions=suggestions,
    )


def _flag_on(item: WorkItem | None, verdict: Verdict, entry: LedgerLike | None, label: str) -> bool:
    """goldthread's flag as last seen on the item or last written to it."""
    if label:
        seen = item is not None and carries_label(item.labels, label)
        return seen or (entry is not None and entry.label_applied)
    # Comments only: the flag is our comment on an item that is still untraced.
    return verdict.flaggable and entry is not None and entry.comment_id is not None


def _tree_parent(row: ReportRow, known: set[str]) -> str | None:
    """The parent a row hangs under in the tree: the one its chain went
    through, else its first parent link that names a known item."""
    if len(row.chain) > 1 and row.chain[1] in known:
        return row.chain[1]
    return next((p for p in row.parents if p in known), None)


def percent(value: float | None) -> str:
    """Coverage for people: ``83.3%``, or an em dash when nothing counts."""
    return "—" if value is None else f"{value * 100:.1f}%"
