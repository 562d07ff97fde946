"""The write-back plan: desired state against what is observed, as data."""

from __future__ import annotations

from dataclasses import replace
from datetime import UTC, datetime, timedelta

import pytest
from sync_builders import LABEL, organisation, settings

from goldthread.core.model import VerdictKind, WorkItem
from goldthread.core.tracing import trace
from goldthread.store import LedgerEntry
from goldthread.sync.commenting import flag_comment
from goldthread.sync.cycle import writeback_policy
from goldthread.sync.planning import (
    Action,
    ActionKind,
    WritebackPolicy,
    comment_suggestions,
    plan_writes,
)

NOW = datetime(2026, 6, 1, tzinfo=UTC)
POLICY = settings().trace_policy()


def graph(**changes: WorkItem) -> dict[str, WorkItem]:
    jira, github = organisation()
    items = {i.ref: i for i in (*jira, *github)}
    items.update(changes)
    return items


def plan(items: dict[str, WorkItem], ledger: dict[str, LedgerEntry] | None = None, **wb: object):
    verdicts = trace(items, POLICY, NOW)
    policy = replace(WritebackPolicy(exempt_labels=("no-trace",)), **wb)  # type: ignore[arg-type]
    return plan_writes(items, verdicts, ledger or {}, policy)


def entry(ref: str, comment_id: str | None, fingerprint: str | None) -> LedgerEntry:
    return LedgerEntry(ref, True, comment_id, fingerprint, NOW)


def test_an_unflagged_orphan_gets_a_label_and_a_comment() -> None:
    actions = [a for a in plan(graph()) if a.ref == "jira:PLAT-4"]
    assert [a.kind for a in actions] == [ActionKind.ADD_LABEL, ActionKind.CREATE_COMMENT]
    assert actions[0].label == LABEL


def test_an_orphan_already_flagged_with_the_same_text_needs_nothing() -> None:
    items = graph()
    orphan = replace(items["jira:PLAT-4"], labels=(LABEL,))
    items["jira:PLAT-4"] = orphan
    verdict = trace(items, POLICY, NOW)["jira:PLAT-4"]
    doc = flag_comment(orphan, verdict, items, exempt_label="no-trace")
    actions = plan(items, {"jira:PLAT-4": entry("jira:PLAT-4", "9", doc.fingerprint)})
    assert [a for a in actions if a.ref == "jira:PLAT-4"] == []


def test_a_changed_comment_text_is_an_update_of_the_known_comment() -> None:
    items = graph()
    items["jira:PLAT-4"] = replace(items["jira:PLAT-4"], labels=(LABEL,))
    actions = plan(items, {"jira:PLAT-4": entry("jira:PLAT-4", "9", "old")})
    (update,) = [a for a in actions if a.ref == "jira:PLAT-4"]
    assert (update.kind, update.comment_id, update.must_exist) == (
        ActionKind.UPDATE_COMMENT,
        "9",
        True,
    )


def test_a_traced_item_loses_the_label_and_its_comment_per_on_resolve() -> None:
    items = graph()
    items["jira:PLAT-3"] = replace(items["jira:PLAT-3"], labels=(LABEL, "bug"))
    ledger = {"jira:PLAT-3": entry("jira:PLAT-3", "7", "flag-text")}
    kinds = {
        mode: [a.kind for a in plan(items, ledger, on_resolve=mode) if a.ref == "jira:PLAT-3"]
        for mode in ("update", "delete", "keep")
    }
    assert kinds == {
        "update": [ActionKind.REMOVE_LABEL, ActionKind.UPDATE_COMMENT],
        "delete": [ActionKind.REMOVE_LABEL, ActionKind.DELETE_COMMENT],
        "keep": [ActionKind.REMOVE_LABEL],
    }


def test_a_labelled_traced_item_the_ledger_does_not_know_has_its_comment_looked_up() -> None:
    items = graph()
    items["jira:PLAT-3"] = replace(items["jira:PLAT-3"], labels=(LABEL,))
    actions = [a for a in plan(items) if a.ref == "jira:PLAT-3"]
    assert [(a.kind, a.comment_id) for a in actions] == [
        (ActionKind.REMOVE_LABEL, None),
        (ActionKind.UPDATE_COMMENT, None),
    ]


def test_exempt_and_traced_items_without_flags_need_nothing() -> None:
    actions = plan(graph())
    refs = {a.ref for a in actions}
    assert refs == {"jira:PLAT-4", "gh:acme/web#3", "gh:acme/web#4"}


def test_an_empty_label_setting_writes_comments_only_and_comment_false_labels_only() -> None:
    comments_only = {a.kind for a in plan(graph(), label="")}
    labels_only = {a.kind for a in plan(graph(), comment=False)}
    assert comments_only == {ActionKind.CREATE_COMMENT}
    assert labels_only == {ActionKind.ADD_LABEL}


def test_the_label_is_recognised_whatever_its_case() -> None:
    items = graph()
    items["jira:PLAT-3"] = replace(items["jira:PLAT-3"], labels=("GoldThread:Untraced",))
    assert next(a.kind for a in plan(items) if a.ref == "jira:PLAT-3") is ActionKind.REMOVE_LABEL


def test_the_grace_period_keeps_a_new_orphan_unflagged() -> None:
    items = graph()
    items["jira:PLAT-4"] = replace(items["jira:PLAT-4"], created_at=NOW)
    verdicts = trace(items, replace(POLICY, grace_period=timedelta(days=1)), NOW)
    assert verdicts["jira:PLAT-4"].kind is VerdictKind.EXEMPT
    wb = writeback_policy(settings())
    assert [a for a in plan_writes(items, verdicts, {}, wb) if a.ref == "jira:PLAT-4"] == []


def test_an_orphan_mentioning_an_epic_is_told_about_it_once_and_not_again() -> None:
    items = graph(**{"gh:acme/web#3": replace(graph()["gh:acme/web#3"], body="See PLAT-2.")})
    verdicts = trace(items, POLICY, NOW)
    policy = WritebackPolicy(exempt_labels=("no-trace",))
    suggestions = comment_suggestions(items, verdicts, policy)
    first = plan_writes(items, verdicts, {}, policy, suggestions=suggestions)
    created = next(a for a in first if a.kind is ActionKind.CREATE_COMMENT and a.ref.endswith("#3"))
    assert created.doc is not None
    listed = [span.text for block in created.doc.blocks for entry in block.items for span in entry]
    assert "jira:PLAT-2" in listed
    ledger = {"gh:acme/web#3": entry("gh:acme/web#3", "c1", created.doc.fingerprint)}
    again = comment_suggestions(items, verdicts, policy)
    replanned = plan_writes(items, verdicts, ledger, policy, suggestions=again)
    comments = {ActionKind.CREATE_COMMENT, ActionKind.UPDATE_COMMENT}
    assert [a for a in replanned if a.ref == "gh:acme/web#3" and a.kind in comments] == []


def test_without_comments_nothing_is_suggested() -> None:
    items = graph(**{"gh:acme/web#3": replace(graph()["gh:acme/web#3"], body="See PLAT-2.")})
    policy = WritebackPolicy(comment=False)
    assert comment_suggestions(items, trace(items, POLICY, NOW), policy) == {}


@pytest.mark.parametrize(
    "kind",
    [
        ActionKind.ADD_LABEL,
        ActionKind.REMOVE_LABEL,
        ActionKind.CREATE_COMMENT,
        ActionKind.UPDATE_COMMENT,
    ],
)
def test_an_action_missing_what_it_writes_is_refused_when_it_is_made(kind: ActionKind) -> None:
    with pytest.raises(ValueError, match=f"{kind.value} on gh:acme/web#1 needs"):
        Action(kind=kind, ref="gh:acme/web#1", source="gh")
