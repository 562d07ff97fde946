"""Each owner's facts read from the store, and their digests composed.

Reads only the store (never a tracker): the items with their verdicts, the
flag history, the barren list and each team's last snapshot. The owner of
each item is decided now, by the config's ``[[owners]]``.
"""

from __future__ import annotations

from collections.abc import Collection, Iterable, Mapping
from dataclasses import dataclass
from datetime import datetime, timedelta

from goldthread.config import Settings
from goldthread.core.ageing import FlagSpan
from goldthread.core.digest import BarrenEntry, Digest, Entry, Snapshot, compose, snapshot
from goldthread.core.model import Barren, Verdict, WorkItem
from goldthread.store.base import ItemStore


@dataclass(frozen=True, slots=True)
class OwnerFacts:
    """What the store says about one team's items now."""

    team: str
    entries: tuple[Entry, ...]
    barren: tuple[BarrenEntry, ...]


def owner_facts(settings: Settings, store: ItemStore, teams: Collection[str]) -> list[OwnerFacts]:
    """The facts of each of ``teams`` (in the order given)."""
    items = {item.ref: item for item in store.items()}
    return facts_of(
        settings,
        items,
        store.verdicts(),
        flags=store.flags(),
        barren=store.barren(),
        teams=teams,
    )


def facts_of(
    settings: Settings,
    items: Mapping[str, WorkItem],
    verdicts: Mapping[str, Verdict],
    *,
    flags: Mapping[str, FlagSpan],
    barren: Iterable[Barren],
    teams: Collection[str],
) -> list[OwnerFacts]:
    """:func:`owner_facts` over values already read."""
    rules = settings.owner_rules()
    owner_of = {ref: rules.team(item) for ref, item in items.items()}
    entries: dict[str, list[Entry]] = {team: [] for team in teams}
    for ref, verdict in sorted(verdicts.items()):
        item = items.get(ref)
        team = owner_of.get(ref)
        if item is None or team not in entries:
            continue
        span = flags.get(ref)
        entries[team].append(
            Entry(
                ref=ref,
                url=item.url,
                title=item.title,
                layer=verdict.layer,
                verdict=verdict.kind,
                reason=verdict.reason.value,
                since=span.since if span is not None and span.open else None,
                cleared_at=span.cleared_at if span is not None else None,
            )
        )
    barren_of: dict[str, list[BarrenEntry]] = {team: [] for team in teams}
    for found in barren:
        item = items.get(found.ref)
        team = owner_of.get(found.ref)
        if item is not None and team in barren_of:
            barren_of[team].append(
                BarrenEntry(found.ref, item.url, item.title, found.layer, found.missing)
            )
    return [OwnerFacts(team, tuple(entries[team]), tuple(barren_of[team])) for team in teams]


def digests_of(
    settings: Settings,
    facts: Iterable[OwnerFacts],
    previous: Mapping[str, Snapshot],
    now: datetime,
    window: timedelta | None = None,
) -> list[tuple[Digest, Snapshot]]:
    """Each team's digest at ``now`` and the snapshot the next one compares with."""
    span = window if window is not None else settings.digest.every
    return [
        (
            compose(
                fact.team,
                fact.entries,
                fact.barren,
                previous.get(fact.team),
                now=now,
                window=span,
                oldest=settings.digest.oldest,
            ),
            snapshot(fact.team, fact.entries, now),
        )
        for fact in facts
    ]


def notified_teams(settings: Settings) -> tuple[str, ...]:
    """The teams with at least one notify target, in config order."""
    return tuple(team for team in settings.owner_rules().teams() if settings.targets_of(team))
