"""A small organisation with every verdict, as the store would hand it over."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from goldthread.core.model import (
    Barren,
    Layer,
    LinkKind,
    ParentLink,
    Reason,
    Verdict,
    VerdictKind,
    WorkItem,
)
from goldthread.reports.data import ReportData, build_report
from goldthread.store.base import CoveragePoint, LedgerEntry

NOW = datetime(2026, 3, 2, 9, 30, tzinfo=UTC)
HOSTILE = "<script>alert(1)</script>"


def item(
    ref: str,
    title: str,
    *,
    labels: tuple[str, ...] = (),
    parents: tuple[ParentLink, ...] = (),
    state: str = "open",
    url: str | None = None,
    body: str = "",
) -> WorkItem:
    source, key = ref.split(":", 1)
    default_url = (
        f"https://github.com/{key.replace('#', '/issues/')}"
        if source == "gh"
        else f"https://acme.atlassian.net/browse/{key}"
    )
    return WorkItem(
        ref=ref,
        source=source,
        key=key,
        url=default_url if url is None else url,
        title=title,
        body=body,
        type=None,
        labels=labels,
        state=state,
        created_at=NOW - timedelta(days=30),
        updated_at=NOW - timedelta(days=1),
        parents=parents,
    )


def verdict(ref: str, layer: Layer, kind: VerdictKind, reason: Reason, *chain: str) -> Verdict:
    return Verdict(
        ref=ref,
        layer=layer,
        kind=kind,
        reason=reason,
        chain=(ref, *chain),
        detail=f"{kind.value} because {reason.value}",
    )


def sub_issue(target: str) -> ParentLink:
    return ParentLink(LinkKind.SUB_ISSUE, target, target, "parent_issue_url")


ITEMS = (
    item("jira:VIS-1", "Be the place teams plan", labels=("vision",)),
    item("jira:VIS-2", "Delight admins", labels=("vision",)),
    item("jira:PLAT-7", "Self-serve onboarding", parents=(sub_issue("jira:VIS-1"),)),
    item("jira:PLAT-8", "Audit trail", parents=(sub_issue("jira:VIS-1"),)),
    item(
        "gh:acme/web#12",
        "Add the sign-up form",
        parents=(ParentLink(LinkKind.BODY_REFERENCE, "jira:PLAT-7", "PLAT-7", "body line 1"),),
    ),
    item("gh:acme/web#13", HOSTILE),
    item(
        "gh:acme/web#14",
        "Fix the footer",
        labels=("goldthread:untraced",),
        parents=(ParentLink(LinkKind.BODY_REFERENCE, None, "other/repo#9", "body line 2"),),
    ),
    item("gh:acme/web#15", "Old chore", state="closed"),
    item("gh:acme/api#3", "Rate limits", parents=(sub_issue("gh:acme/web#12"),)),
    item(
        "gh:acme/web#16",
        "Quick win",
        parents=(sub_issue("jira:VIS-1"),),
        body="Came up in the PLAT-8 review.",
    ),
)

VERDICTS = {
    v.ref: v
    for v in (
        verdict("jira:VIS-1", Layer.VISION, VerdictKind.TRACED, Reason.VISION),
        verdict("jira:VIS-2", Layer.VISION, VerdictKind.TRACED, Reason.VISION),
        verdict("jira:PLAT-7", Layer.STRATEGY, VerdictKind.TRACED, Reason.LINKED, "jira:VIS-1"),
        verdict("jira:PLAT-8", Layer.STRATEGY, VerdictKind.TRACED, Reason.LINKED, "jira:VIS-1"),
        verdict(
            "gh:acme/web#12",
            Layer.EXECUTION,
            VerdictKind.TRACED,
            Reason.LINKED,
            "jira:PLAT-7",
            "jira:VIS-1",
        ),
        verdict("gh:acme/web#13", Layer.EXECUTION, VerdictKind.ORPHAN, Reason.NO_PARENT),
        verdict("gh:acme/web#14", Layer.EXECUTION, VerdictKind.BROKEN, Reason.PARENT_MISSING),
        verdict("gh:acme/web#15", Layer.EXECUTION, VerdictKind.EXEMPT, Reason.CLOSED),
        verdict(
            "gh:acme/api#3",
            Layer.EXECUTION,
            VerdictKind.TRACED,
            Reason.LINKED,
            "gh:acme/web#12",
            "jira:PLAT-7",
            "jira:VIS-1",
        ),
        verdict(
            "gh:acme/web#16", Layer.EXECUTION, VerdictKind.BROKEN, Reason.SKIPS_LAYER, "jira:VIS-1"
        ),
    )
}

BARREN = (
    Barren("jira:VIS-2", Layer.VISION, Layer.STRATEGY),
    Barren("jira:PLAT-8", Layer.STRATEGY, Layer.EXECUTION),
)

LEDGER = {
    "gh:acme/web#13": LedgerEntry("gh:acme/web#13", True, "c-1", "f-1", NOW),
}


def history() -> list[CoveragePoint]:
    points = []
    for run, (days, traced, orphan) in enumerate(((14, 3, 4), (7, 5, 2), (0, 5, 1)), start=1):
        at = NOW - timedelta(days=days)
        points += [
            CoveragePoint("gh", Layer.EXECUTION, traced, orphan, 1, 1, run_id=run, at=at),
            CoveragePoint("jira", Layer.STRATEGY, 2, 0, 0, 0, run_id=run, at=at),
            CoveragePoint("jira", Layer.VISION, 2, 0, 0, 0, run_id=run, at=at),
        ]
    return points


def sample_report(**overrides: object) -> ReportData:
    arguments: dict[str, object] = {
        "writeback_enabled": True,
        "now": NOW,
        "verdict_filter": (),
    }
    arguments.update(overrides)
    return build_report(
        ITEMS,
        VERDICTS,
        list(BARREN),
        LEDGER,
        history(),
        **arguments,  # type: ignore[arg-type]
    )
