"""The reviewable plan of parent links behind ``fix`` (docs/behaviour.md#commands).

Pure. :func:`draft_plan` turns suggestions into one entry per untraced item
(its best suggestion, ``approve: false``); a person edits the file;
:func:`read_plan` checks the edited file against the items as stored and
returns the approved links, or one line per problem (malformed JSON, an
unknown ref, a parent in the wrong layer, a link that would close a loop, a
way of linking the pair cannot take) so that nothing is written from a bad
plan. How a link is written (:func:`how_to_link`):

* ``sub-issue``: a GitHub parent and child on one source (one host) whose
  server has sub-issues, and one repository owner (GitHub's own rule);
* ``jira-parent``: a Jira child under a Jira epic of the same site — the
  hierarchy field (``parent`` on Cloud, Epic Link on Data Center);
* ``jira-link``: other Jira pairs on one site, with the first of the source's
  ``parent_link_types``;
* ``body-reference``: everything else — a line ``Part of <parent>`` at the
  end of the child's description.
"""

from __future__ import annotations

import json
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field, replace
from datetime import datetime
from typing import Any

from goldthread.core.model import Verdict, WorkItem
from goldthread.core.suggesting import Suggestion, needed_layer

HOWS = ("sub-issue", "jira-parent", "jira-link", "body-reference")
SUBTASK_TYPES = frozenset({"sub-task", "subtask"})


@dataclass(frozen=True, slots=True)
class LinkWays:
    """What deciding how to link needs to know of the configured sources.

    ``trackers``: source name -> ``github`` or ``jira``; ``no_sub_issues``:
    GitHub sources whose server has none; ``link_types``: a Jira source's
    first ``parent_link_types`` entry.
    """

    trackers: Mapping[str, str]
    no_sub_issues: frozenset[str] = frozenset()
    link_types: Mapping[str, str] = field(default_factory=dict)


@dataclass(frozen=True, slots=True)
class PlannedLink:
    """One entry of the plan."""

    child: str
    parent: str | None
    how: str | None
    score: float | None = None
    why: str = ""
    approve: bool = False

    def as_json(self) -> dict[str, Any]:
        return {
            "child": self.child,
            "parent": self.parent,
            "how": self.how,
            "score": self.score,
            "why": self.why,
            "approve": self.approve,
        }


def _owner(item: WorkItem) -> str:
    return item.key.partition("/")[0].casefold()


def how_to_link(child: WorkItem, parent: WorkItem, ways: LinkWays) -> str:
    """The way ``child`` is linked under ``parent`` (see the module's list)."""
    tracker = ways.trackers.get(child.source)
    same = child.source == parent.source
    if same and tracker == "github" and child.source not in ways.no_sub_issues:
        return "sub-issue" if _owner(child) == _owner(parent) else "body-reference"
    if same and tracker == "jira":
        child_type = (child.type or "").casefold()
        if (parent.type or "").casefold() == "epic" and child_type not in (
            {"epic"} | SUBTASK_TYPES
        ):
            return "jira-parent"
        if ways.link_types.get(child.source):
            return "jira-link"
    return "body-reference"


def draft_plan(
    items: Mapping[str, WorkItem],
    verdicts: Mapping[str, Verdict],
    suggestions: Mapping[str, Sequence[Suggestion]],
    ways: LinkWays,
) -> list[PlannedLink]:
    """One entry per untraced item, in ref order: its best suggestion, or no
    parent (for a person to fill in); none approved."""
    plan: list[PlannedLink] = []
    for ref in sorted(verdicts):
        if not verdicts[ref].flaggable or ref not in items:
            continue
        best = next(iter(suggestions.get(ref, ())), None)
        parent = items.get(best.ref) if best is not None else None
        if best is None or parent is None:
            plan.append(PlannedLink(ref, None, None, None, "no likely parent found"))
            continue
        how = how_to_link(items[ref], parent, ways)
        plan.append(PlannedLink(ref, best.ref, how, best.score, best.why))
    return plan


def plan_json(plan: Sequence[PlannedLink], generated_at: datetime) -> str:
    """The plan file's text: ``{"generated_at", "links": [...]}``."""
    document = {
        "generated_at": generated_at.isoformat(),
        "links": [link.as_json() for link in plan],
    }
    return json.dumps(document, indent=2, ensure_ascii=False) + "\n"


# ---------------------------------------------------------------- reading a plan


def read_plan(
    text: str,
    items: Mapping[str, WorkItem],
    verdicts: Mapping[str, Verdict],
    ways: LinkWays,
) -> tuple[list[PlannedLink], list[str]]:
    """The approved links of an edited plan, and every problem found in it.

    Any problem means the plan must not be applied at all.
    """
    try:
        document = json.loads(text)
    except ValueError as error:
        return [], [f"not JSON: {error}"]
    raw = document.get("links") if isinstance(document, dict) else None
    if not isinstance(raw, list):
        return [], ['not a plan: expected an object with a "links" list']
    problems: list[str] = []
    entries: list[tuple[str, PlannedLink]] = []
    for number, entry in enumerate(raw, start=1):
        where = f"links[{number}]"
        link, trouble = _entry(entry)
        if link is None:
            problems.append(f"{where}: {trouble}")
            continue
        where = f"{where} ({link.child})"
        if link.child not in items:
            problems.append(f"{where}: no item {link.child!r} in the store")
        elif link.approve:
            entries.append((where, link))
    approved: list[PlannedLink] = []
    seen: dict[str, str] = {}
    for where, link in entries:
        trouble = _check(link, items, verdicts, ways)
        if link.child in seen:
            trouble = trouble or f"approved twice (also {seen[link.child]})"
        seen.setdefault(link.child, where)
        if trouble:
            problems.append(f"{where}: {trouble}")
        elif link.parent is not None:
            how = link.how or how_to_link(items[link.child], items[link.parent], ways)
            approved.append(replace(link, how=how))
    problems += _loops(approved, items)
    return approved, problems


def _entry(entry: object) -> tuple[PlannedLink | None, str]:
    if not isinstance(entry, dict):
        return None, "not an object"
    child, parent, how = entry.get("child"), entry.get("parent"), entry.get("how")
    approve, score, why = entry.get("approve"), entry.get("score"), entry.get("why", "")
    if not isinstance(child, str) or not child:
        return None, '"child" must be a ref'
    if parent is not None and not isinstance(parent, str):
        return None, '"parent" must be a ref or null'
    if how is not None and how not in HOWS:
        return None, f'"how" must be one of {", ".join(HOWS)}'
    if not isinstance(approve, bool):
        return None, '"approve" must be true or false'
    if score is not None and (isinstance(score, bool) or not isinstance(score, (int, float))):
        score = None
    return PlannedLink(child, parent, how, score, why if isinstance(why, str) else "", approve), ""


def _check(
    link: PlannedLink,
    items: Mapping[str, WorkItem],
    verdicts: Mapping[str, Verdict],
    ways: LinkWays,
) -> str:
    """What is wrong with one approved link ("" when nothing is)."""
    if link.parent is None:
        return "approved without a parent"
    parent = items.get(link.parent)
    if parent is None:
        return f"no parent {link.parent!r} in the store"
    if link.parent == link.child:
        return "an item cannot be its own parent"
    child_verdict, parent_verdict = verdicts.get(link.child), verdicts.get(link.parent)
    wanted = needed_layer(child_verdict.layer) if child_verdict is not None else None
    if wanted is not None and parent_verdict is not None and parent_verdict.layer is not wanted:
        return (
            f"{link.parent} is in the {parent_verdict.layer.value} layer; "
            f"a {child_verdict.layer.value if child_verdict else '?'} item needs a "
            f"{wanted.value} parent"
        )
    possible = how_to_link(items[link.child], parent, ways)
    if link.how is not None and link.how not in (possible, "body-reference"):
        return f'cannot link by "{link.how}" here; use "{possible}"'
    return ""


def _loops(approved: Sequence[PlannedLink], items: Mapping[str, WorkItem]) -> list[str]:
    """A line for each approved link that would make a loop with the links
    already there and the other approved ones."""
    up: dict[str, set[str]] = {
        ref: {link.target for link in item.parents if link.target} for ref, item in items.items()
    }
    for link in approved:
        if link.parent is not None:
            up.setdefault(link.child, set()).add(link.parent)
    return [
        f"{link.child} under {link.parent}: would make a loop "
        f"({link.parent} already sits beneath {link.child})"
        for link in approved
        if link.parent is not None and _reaches(up, link.parent, link.child)
    ]


def _reaches(up: Mapping[str, set[str]], start: str, goal: str) -> bool:
    seen: set[str] = set()
    stack = [start]
    while stack:
        ref = stack.pop()
        if ref == goal:
            return True
        if ref in seen:
            continue
        seen.add(ref)
        stack.extend(up.get(ref, ()))
    return False
