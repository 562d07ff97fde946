"""Likely parents for untraced items: the evidence, the layer, the silence."""

from __future__ import annotations

from dataclasses import replace
from datetime import UTC, datetime
from typing import Any

from support_items import up, work_item

from goldthread.core.model import LinkKind, WorkItem
from goldthread.core.suggesting import Evidence, Suggestion, suggest_parents
from goldthread.core.tracing import trace
from goldthread.sandbox.offline import POLICY

NOW = datetime(2026, 7, 1, tzinfo=UTC)


def vision(key: str, **fields: Any) -> WorkItem:
    return work_item("jira", key, type="Initiative", labels=("vision",), **fields)


def epic(key: str, *, under: str | None = "PLAT-1", **fields: Any) -> WorkItem:
    parents = (up(LinkKind.JIRA_PARENT, f"jira:{under}"),) if under else ()
    return work_item("jira", key, *parents, type="Epic", **fields)


def story(key: str, **fields: Any) -> WorkItem:
    return work_item("jira", key, type="Story", **fields)


def noise(count: int) -> list[WorkItem]:
    """Traced stories under PLAT-2 with nothing in common with anything."""
    return [
        story(f"WEB-{100 + n}", parents=(up(LinkKind.JIRA_PARENT, "jira:PLAT-2"),))
        for n in range(count)
    ]


def suggest(*items: WorkItem, **options: Any) -> dict[str, tuple[Suggestion, ...]]:
    by_ref = {item.ref: item for item in items}
    return suggest_parents(by_ref, trace(by_ref, POLICY, NOW), **options)


def organisation(*extra: WorkItem) -> list[WorkItem]:
    return [
        vision("PLAT-1", title="Be the most trusted checkout"),
        epic("PLAT-2", title="Harden login", body="Passwords, sessions and tokens."),
        epic("PLAT-3", title="Faster search", body="Index shards and query caching."),
        epic("PLAT-4", title="Ledger reconciliation", body="Nightly settlement matching."),
        *noise(6),
        *extra,
    ]


def test_an_epic_that_names_the_orphan_is_its_best_suggestion_and_says_so() -> None:
    items = organisation(story("WEB-1", title="Tidy footer"))
    items[3] = epic("PLAT-4", title="Ledger reconciliation", body="Also tracks WEB-1.")
    found = suggest(*items)["jira:WEB-1"]
    assert (found[0].ref, found[0].why) == ("jira:PLAT-4", "PLAT-4 names this item in its text")


def test_an_orphan_that_mentions_an_epic_gets_it_suggested_with_the_mention() -> None:
    orphan = story("WEB-1", title="Tidy footer", body="Came up in the PLAT-3 review.")
    found = suggest(*organisation(orphan))["jira:WEB-1"]
    assert (found[0].ref, found[0].why) == ("jira:PLAT-3", "this item mentions PLAT-3")


def test_a_rare_shared_label_with_a_shared_word_is_enough() -> None:
    items = organisation(
        story("WEB-1", title="Reconciliation report", labels=("ledger-reconciliation",))
    )
    items[3] = epic(
        "PLAT-4", title="Ledger reconciliation", labels=("ledger-reconciliation",), body="x"
    )
    found = suggest(*items)["jira:WEB-1"]
    assert found[0].ref == "jira:PLAT-4"
    assert found[0].why.startswith("shares label ledger-reconciliation")


def test_a_label_most_items_carry_suggests_nothing_on_its_own() -> None:
    items = [
        item if item.ref == "jira:PLAT-1" else _with_label(item, "bug")
        for item in organisation(story("WEB-1", title="Tidy footer"))
    ]
    assert "jira:WEB-1" not in suggest(*items)


def test_close_titles_and_descriptions_are_suggested_with_the_shared_words() -> None:
    orphan = story(
        "WEB-1",
        title="Nightly ledger settlement",
        body="Reconciliation of the settlement matching.",
    )
    found = suggest(*organisation(orphan))["jira:WEB-1"]
    assert found[0].ref == "jira:PLAT-4"
    assert found[0].evidence is Evidence.TEXT
    assert "settlement" in found[0].why


def test_an_orphan_with_nothing_in_common_gets_no_suggestion() -> None:
    orphan = story("WEB-1", title="Tidy footer", body="Rounded corners.")
    assert "jira:WEB-1" not in suggest(*organisation(orphan))


def test_closed_and_untraced_epics_are_never_suggested() -> None:
    closed = epic("PLAT-5", title="Footer polish", body="Tidy footer links.", state="closed")
    orphan_epic = epic("PLAT-6", under=None, title="Footer tidy", body="Tidy footer links.")
    orphan = story("WEB-1", title="Tidy footer links", body="Mentions PLAT-5 and PLAT-6.")
    found = suggest(*organisation(closed, orphan_epic, orphan)).get("jira:WEB-1", ())
    assert {s.ref for s in found}.isdisjoint({"jira:PLAT-5", "jira:PLAT-6"})


def test_an_orphan_epic_is_offered_a_vision_not_another_epic() -> None:
    orphan_epic = epic("PLAT-9", under=None, title="Checkout", body="Came up at PLAT-1 and PLAT-2.")
    found = suggest(*organisation(orphan_epic))["jira:PLAT-9"]
    assert [s.ref for s in found] == ["jira:PLAT-1"]


def test_a_story_skipping_the_strategy_layer_is_offered_an_epic() -> None:
    skipper = story(
        "WEB-1", parents=(up(LinkKind.JIRA_PARENT, "jira:PLAT-1"),), body="See PLAT-3 for more."
    )
    found = suggest(*organisation(skipper))["jira:WEB-1"]
    assert found[0].ref == "jira:PLAT-3"


def test_at_most_three_suggestions_best_first_with_scores_between_zero_and_one() -> None:
    orphan = story("WEB-1", title="Tidy footer", body="PLAT-2, PLAT-3 and PLAT-4 all need it.")
    items = organisation(orphan)
    items[3] = epic("PLAT-4", title="Ledger reconciliation", body="Also tracks WEB-1.")
    items.append(epic("PLAT-5", title="Footer", body="Tidy footer."))
    found = suggest(*items)["jira:WEB-1"]
    assert len(found) == 3
    assert found[0].ref == "jira:PLAT-4"
    scores = [s.score for s in found]
    assert scores == sorted(scores, reverse=True)
    assert all(0 <= score <= 1 for score in scores)


def test_an_item_asked_about_alone_gets_what_it_gets_among_all() -> None:
    first = story("WEB-1", title="Tidy footer", body="Came up in the PLAT-3 review.")
    second = story("WEB-2", title="Nightly ledger settlement", body="Settlement matching.")
    items = organisation(first, second)
    assert suggest(*items, only=["jira:WEB-2"])["jira:WEB-2"] == suggest(*items)["jira:WEB-2"]


def test_goldthreads_own_label_is_no_evidence() -> None:
    items = organisation(story("WEB-1", title="Tidy footer", labels=("goldthread:untraced",)))
    items[3] = epic("PLAT-4", title="x", body="y", labels=("goldthread:untraced",))
    assert "jira:WEB-1" not in suggest(*items, ignore_labels=["goldthread:untraced"])


def _with_label(item: WorkItem, label: str) -> WorkItem:
    return replace(item, labels=(*item.labels, label))
