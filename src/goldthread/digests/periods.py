"""Each scheduled period prepared once, across restarts and replicas.

Preparing a period composes every notified team's digest from the store,
replaces the teams' snapshots (the next digest's baseline) and queues one
message per target, in one transaction keyed by the period's start: a
second process trying the same period finds it prepared and does nothing.
The first period after digests are configured is a baseline: snapshots only,
no message, so the first digest says what changed since digests began.
A team with nothing untraced, nothing barren and nothing changed gets no
message.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from goldthread.config import Settings
from goldthread.core.schedule import next_start, period_start
from goldthread.digests.building import digests_of, notified_teams, owner_facts
from goldthread.digests.document import dumps
from goldthread.logs import get_logger
from goldthread.store.base import Store

log = get_logger("goldthread.digests")


@dataclass(frozen=True, slots=True)
class Prepared:
    """A period just prepared: when it starts, and the messages it queued."""

    period: datetime
    messages: int
    baseline: bool


def prepare_due(settings: Settings, store: Store, now: datetime) -> Prepared | None:
    """Prepare the period ``now`` is in, unless it was prepared already
    (or no team has a target); what was prepared, else ``None``."""
    teams = notified_teams(settings)
    if not teams:
        return None
    start = period_start(settings.digest.schedule(), now)
    if store.digest_prepared(start):
        return None
    baseline = not store.digest_started()
    made = digests_of(settings, owner_facts(settings, store, teams), store.snapshots(), now)
    messages = [
        (digest.team, target, dumps(digest))
        for digest, _ in made
        if not baseline and not digest.quiet
        for target in settings.targets_of(digest.team)
    ]
    snapshots = [snap for _, snap in made]
    if not store.prepare_digest(start, now, snapshots, messages, baseline=baseline):
        return None
    quiet = [digest.team for digest, _ in made if digest.quiet]
    log.info(
        "digest.prepared",
        period=start.isoformat(),
        baseline=baseline,
        messages=len(messages),
        quiet_teams=quiet,
    )
    return Prepared(start, len(messages), baseline)


def seconds_to_next(settings: Settings, now: datetime) -> float:
    """Seconds until the next period starts."""
    return max(0.0, (next_start(settings.digest.schedule(), now) - now).total_seconds())
