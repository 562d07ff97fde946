"""What a source can do for goldthread, as the doctor (``check --online``) shows it.

A connector that can say more than "authenticated" implements
:class:`Examinable`: what it can read and write, which link kinds it offers,
its rate budget. Each :class:`Finding` that is a problem carries its fix.
"""

from __future__ import annotations

from dataclasses import dataclass
from enum import StrEnum
from typing import Protocol, runtime_checkable

from goldthread.core.model import RateBudget


class Severity(StrEnum):
    OK = "ok"
    WARNING = "warning"  # goldthread works, with less than it could
    PROBLEM = "problem"  # something goldthread is configured to do will fail


@dataclass(frozen=True, slots=True)
class Finding:
    """One line of the doctor's report: ``topic`` (read, write, links, budget,
    scope, webhooks), what was found, and how to fix it when it is not fine."""

    topic: str
    text: str
    severity: Severity = Severity.OK
    fix: str = ""


@dataclass(frozen=True, slots=True)
class Health:
    who: str
    findings: tuple[Finding, ...]

    @property
    def problems(self) -> int:
        return sum(1 for f in self.findings if f.severity is Severity.PROBLEM)


@runtime_checkable
class Examinable(Protocol):
    def examine(self, *, writes: bool) -> Health:
        """Authenticate and look at everything goldthread needs of the source
        (``writes``: write-back is on, so missing write access is a problem)."""
        ...


def budget_finding(budget: RateBudget | None, *, unknown: str) -> Finding:
    """The request budget as the tracker last announced it."""
    if budget is None or budget.limit is None or budget.remaining is None:
        return Finding("budget", unknown)
    when = f", resets {budget.reset_at:%H:%M} UTC" if budget.reset_at is not None else ""
    text = f"{budget.remaining:,} of {budget.limit:,} requests left{when}"
    if budget.remaining < budget.limit // 10:
        return Finding(
            "budget",
            text,
            Severity.WARNING,
            "other tools share this credential's budget: give goldthread its own",
        )
    return Finding("budget", text)
