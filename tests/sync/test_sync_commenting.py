"""goldthread's comment says what is missing, why, and how to fix it, in plain words."""

from __future__ import annotations

from dataclasses import replace
from datetime import UTC, datetime

from sync_builders import organisation, settings

from goldthread.core.model import CommentDoc, WorkItem
from goldthread.core.suggesting import Evidence, Suggestion
from goldthread.core.tracing import trace
from goldthread.sync.commenting import flag_comment, resolved_comment

NOW = datetime(2026, 6, 1, tzinfo=UTC)


def graph() -> dict[str, WorkItem]:
    jira, github = organisation()
    return {i.ref: i for i in (*jira, *github)}


def text(doc: CommentDoc) -> str:
    parts = []
    for block in doc.blocks:
        parts.append("".join(span.text for span in block.spans))
        parts.extend("".join(span.text for span in entry) for entry in block.items)
    return "\n".join(parts)


def comment(ref: str, items: dict[str, WorkItem] | None = None) -> CommentDoc:
    items = items or graph()
    verdicts = trace(items, settings().trace_policy(), NOW)
    return flag_comment(items[ref], verdicts[ref], items, exempt_label="no-trace")


def test_an_orphan_comment_says_it_has_no_parent_and_which_layer_to_link_to() -> None:
    said = text(comment("gh:acme/web#3"))
    assert "no parent link" in said
    assert "strategy item" in said
    assert "sub-issue" in said
    assert "no-trace" in said


def test_a_broken_comment_names_the_missing_parent_and_the_chain() -> None:
    said = text(comment("gh:acme/web#4"))
    assert "PLAT-99" in said
    assert "does not exist" in said
    assert "broken (parent-missing)" in said


def test_a_jira_comment_explains_the_jira_way_to_link() -> None:
    assert "Epic Link" in text(comment("jira:PLAT-4"))


def test_the_same_verdict_always_gives_the_same_fingerprint_and_titles_do_not_matter() -> None:
    items = graph()
    renamed = dict(items)
    renamed["gh:acme/web#3"] = replace(items["gh:acme/web#3"], title="Renamed @everyone")
    assert (
        comment("gh:acme/web#3", items).fingerprint == comment("gh:acme/web#3", renamed).fingerprint
    )
    assert comment("gh:acme/web#3").fingerprint != comment("gh:acme/web#4").fingerprint


def test_tracker_text_only_ever_travels_inside_spans() -> None:
    doc = comment("gh:acme/web#4")
    refs = [span for block in doc.blocks for entry in block.items for span in entry]
    assert any(span.text == "PLAT-99" and span.code for span in refs)


def test_the_resolved_comment_says_there_is_nothing_left_to_do() -> None:
    items = graph()
    verdicts = trace(items, settings().trace_policy(), NOW)
    said = text(resolved_comment(verdicts["gh:acme/web#2"], items))
    assert "now traces back" in said
    assert "jira:PLAT-1" in said


def suggested(*pairs: tuple[str, float, str, Evidence]) -> tuple[Suggestion, ...]:
    return tuple(Suggestion(ref, score, why, evidence) for ref, score, why, evidence in pairs)


def test_the_comment_names_each_likely_parent_as_a_link_with_its_reason() -> None:
    items = graph()
    verdicts = trace(items, settings().trace_policy(), NOW)
    doc = flag_comment(
        items["gh:acme/web#3"],
        verdicts["gh:acme/web#3"],
        items,
        suggestions=suggested(
            ("jira:PLAT-2", 0.9, "PLAT-2 names this item", Evidence.NAMED_BY_CANDIDATE)
        ),
    )
    said = text(doc)
    assert "Likely parents" in said
    assert "jira:PLAT-2: PLAT-2 names this item" in said
    links = [span.url for block in doc.blocks for entry in block.items for span in entry]
    assert items["jira:PLAT-2"].url in links


def test_the_same_suggestions_with_other_scores_give_the_same_comment() -> None:
    items = graph()
    verdicts = trace(items, settings().trace_policy(), NOW)
    first = suggested(
        ("jira:PLAT-2", 0.9, "shares label x", Evidence.SHARED_TAGS),
        ("gh:acme/web#1", 0.6, "shares label y", Evidence.SHARED_TAGS),
    )
    second = suggested(
        ("gh:acme/web#1", 0.8, "shares label y", Evidence.SHARED_TAGS),
        ("jira:PLAT-2", 0.7, "shares label x", Evidence.SHARED_TAGS),
    )
    ref = "gh:acme/web#3"
    docs = [flag_comment(items[ref], verdicts[ref], items, suggestions=s) for s in (first, second)]
    assert docs[0] == docs[1]


def test_another_suggestion_changes_the_comment() -> None:
    items = graph()
    verdicts = trace(items, settings().trace_policy(), NOW)
    ref = "gh:acme/web#3"
    without = flag_comment(items[ref], verdicts[ref], items)
    with_one = flag_comment(
        items[ref],
        verdicts[ref],
        items,
        suggestions=suggested(("jira:PLAT-2", 0.9, "shares label x", Evidence.SHARED_TAGS)),
    )
    assert without.fingerprint != with_one.fingerprint
    assert "Likely parents" not in text(without)


def test_a_closed_item_is_not_told_it_now_traces_back_to_a_vision() -> None:
    items = graph()
    closed = replace(items["gh:acme/web#3"], state="closed")
    verdicts = trace({**items, closed.ref: closed}, settings().trace_policy(), NOW)
    said = text(resolved_comment(verdicts[closed.ref], items))
    assert "now traces back" not in said
    assert "no longer needs a parent" in said
    assert "the item is closed" in said
