"""The fix plan: drafted from suggestions, checked whole before anything is written."""

from __future__ import annotations

import json
from dataclasses import replace
from datetime import UTC, datetime
from typing import Any

from support_items import up, work_item

from goldthread.core.fixing import LinkWays, draft_plan, how_to_link, plan_json, read_plan
from goldthread.core.model import LinkKind, Verdict, WorkItem
from goldthread.core.suggesting import Suggestion
from goldthread.core.tracing import trace
from goldthread.sandbox.offline import POLICY

NOW = datetime(2026, 7, 1, tzinfo=UTC)
WAYS = LinkWays({"gh": "github", "jira": "jira"}, link_types={"jira": "implements"})


def organisation() -> dict[str, WorkItem]:
    parent = LinkKind.JIRA_PARENT
    items = [
        work_item("jira", "PLAT-1", type="Initiative", labels=("vision",)),
        work_item("jira", "PLAT-2", up(parent, "jira:PLAT-1"), type="Epic"),
        work_item("jira", "WEB-1", up(parent, "jira:PLAT-2"), type="Story"),
        work_item("jira", "WEB-2", type="Story"),  # orphan
        work_item("jira", "PLAT-3", type="Epic"),  # orphan epic
        work_item("gh", "acme/web#1", type="Epic", body="Part of PLAT-1"),
        work_item("gh", "acme/web#2"),  # orphan
        work_item("gh", "other/web#3"),  # orphan, another owner
    ]
    linked = {
        "gh:acme/web#1": (up(LinkKind.BODY_REFERENCE, "jira:PLAT-1"),),
    }
    return {
        item.ref: (item if item.ref not in linked else _with_parents(item, linked[item.ref]))
        for item in items
    }


def _with_parents(item: WorkItem, parents: tuple[Any, ...]) -> WorkItem:
    return replace(item, parents=parents)


def verdicts(items: dict[str, WorkItem]) -> dict[str, Verdict]:
    return trace(items, POLICY, NOW)


def plan_text(*links: dict[str, Any]) -> str:
    return json.dumps({"generated_at": NOW.isoformat(), "links": list(links)})


def entry(
    child: str, parent: str | None, how: str | None = None, approve: bool = True
) -> dict[str, Any]:
    return {
        "child": child,
        "parent": parent,
        "how": how,
        "score": 0.9,
        "why": "x",
        "approve": approve,
    }


def test_the_draft_has_one_unapproved_entry_per_untraced_item_with_its_best_parent() -> None:
    items = organisation()
    suggestions = {"jira:WEB-2": (Suggestion("jira:PLAT-2", 0.9, "this item mentions PLAT-2"),)}
    plan = draft_plan(items, verdicts(items), suggestions, WAYS)
    assert [link.child for link in plan] == [
        "gh:acme/web#2",
        "gh:other/web#3",
        "jira:PLAT-3",
        "jira:WEB-2",
    ]
    assert not any(link.approve for link in plan)
    web2 = plan[-1]
    assert (web2.parent, web2.how, web2.why) == (
        "jira:PLAT-2",
        "jira-parent",
        "this item mentions PLAT-2",
    )
    assert plan[0].parent is None


def test_the_plan_file_has_the_promised_shape() -> None:
    items = organisation()
    document = json.loads(plan_json(draft_plan(items, verdicts(items), {}, WAYS), NOW))
    assert set(document) == {"generated_at", "links"}
    assert set(document["links"][0]) == {"child", "parent", "how", "score", "why", "approve"}
    assert document["links"][0]["approve"] is False


def test_each_pair_is_linked_the_way_its_trackers_allow() -> None:
    items = organisation()
    assert how_to_link(items["gh:acme/web#2"], items["gh:acme/web#1"], WAYS) == "sub-issue"
    assert how_to_link(items["gh:other/web#3"], items["gh:acme/web#1"], WAYS) == "body-reference"
    assert how_to_link(items["jira:WEB-2"], items["jira:PLAT-2"], WAYS) == "jira-parent"
    assert how_to_link(items["jira:PLAT-3"], items["jira:PLAT-1"], WAYS) == "jira-link"
    assert how_to_link(items["gh:acme/web#2"], items["jira:PLAT-2"], WAYS) == "body-reference"
    no_subs = LinkWays({"gh": "github"}, no_sub_issues=frozenset({"gh"}))
    assert how_to_link(items["gh:acme/web#2"], items["gh:acme/web#1"], no_subs) == "body-reference"


def test_a_good_plan_gives_the_approved_links_with_their_way_filled_in() -> None:
    items = organisation()
    text = plan_text(
        entry("jira:WEB-2", "jira:PLAT-2"),
        entry("gh:acme/web#2", "gh:acme/web#1", "body-reference"),
        entry("jira:PLAT-3", "jira:PLAT-1", approve=False),
    )
    approved, problems = read_plan(text, items, verdicts(items), WAYS)
    assert problems == []
    assert [(a.child, a.how) for a in approved] == [
        ("jira:WEB-2", "jira-parent"),
        ("gh:acme/web#2", "body-reference"),
    ]


def test_malformed_json_is_one_problem() -> None:
    items = organisation()
    approved, problems = read_plan("{not json", items, verdicts(items), WAYS)
    assert approved == []
    assert len(problems) == 1
    assert problems[0].startswith("not JSON:")


def test_every_bad_entry_is_named_with_its_problem() -> None:
    items = organisation()
    text = plan_text(
        entry("jira:WEB-99", "jira:PLAT-2"),
        entry("jira:WEB-2", "jira:PLAT-77"),
        entry("gh:acme/web#2", "jira:PLAT-1"),
        entry("jira:PLAT-3", None),
        {"child": "jira:WEB-2", "approve": "yes"},
        entry("gh:other/web#3", "gh:acme/web#1", "sub-issue"),
    )
    approved, problems = read_plan(text, items, verdicts(items), WAYS)
    assert problems == [
        "links[1] (jira:WEB-99): no item 'jira:WEB-99' in the store",
        'links[5]: "approve" must be true or false',
        "links[2] (jira:WEB-2): no parent 'jira:PLAT-77' in the store",
        "links[3] (gh:acme/web#2): jira:PLAT-1 is in the vision layer; "
        "a execution item needs a strategy parent",
        "links[4] (jira:PLAT-3): approved without a parent",
        'links[6] (gh:other/web#3): cannot link by "sub-issue" here; use "body-reference"',
    ]
    assert approved == []


def test_a_link_that_would_close_a_loop_is_refused() -> None:
    items = organisation()
    link = LinkKind.ISSUE_LINK
    items["jira:PLAT-9"] = work_item(
        "jira", "PLAT-9", up(link, "jira:PLAT-3"), type="Initiative", labels=("vision",)
    )
    items["jira:PLAT-3"] = _with_parents(items["jira:PLAT-3"], (up(link, "jira:PLAT-4"),))
    items["jira:PLAT-4"] = work_item("jira", "PLAT-4", type="Epic")
    text = plan_text(entry("jira:PLAT-4", "jira:PLAT-9", "jira-link"))
    _, problems = read_plan(text, items, verdicts(items), WAYS)
    assert problems == [
        "jira:PLAT-4 under jira:PLAT-9: would make a loop "
        "(jira:PLAT-9 already sits beneath jira:PLAT-4)"
    ]


def test_the_same_child_approved_twice_is_refused() -> None:
    items = organisation()
    text = plan_text(entry("jira:WEB-2", "jira:PLAT-2"), entry("jira:WEB-2", "jira:PLAT-2"))
    _, problems = read_plan(text, items, verdicts(items), WAYS)
    assert problems == ["links[2] (jira:WEB-2): approved twice (also links[1] (jira:WEB-2))"]
