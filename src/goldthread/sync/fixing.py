"""Writing the approved links of a ``fix`` plan (docs/behaviour.md#commands).

Each link is written only after both items were read again from their
trackers: a child that is gone, moved, or no longer untraced (someone linked
it meanwhile, or an earlier run of the same plan did) is skipped, so is one
that already has a link to that parent (even one that did not trace it), and
so is a parent that is gone, closed or no longer traced. That re-check is what makes
applying a plan twice harmless. Writes go through the connectors, paced like
every write (a sub-issue also takes a slot of GitHub.com's content limits,
shared through the store as comments do), and stop at
``writeback.max_writes_per_run``. A ``Part of``
line is written only in a form the configured ``reference_patterns`` read
back as that parent. The flags come down on the next sync, which reads the
linked items like any other change.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import datetime

from goldthread.connectors.base import Connector, ParentLinking
from goldthread.connectors.pacing import ContentPacer
from goldthread.core.fixing import PlannedLink
from goldthread.core.model import TracePolicy, VerdictKind, WorkItem
from goldthread.core.references import SourceIndex, TextPattern, extract_references
from goldthread.core.tracing import trace
from goldthread.errors import GoldthreadError


@dataclass(slots=True)
class FixResult:
    """What applying a plan did: one line per link written, skipped or failed."""

    written: list[str] = field(default_factory=list)
    skipped: list[str] = field(default_factory=list)
    errors: list[str] = field(default_factory=list)
    not_done: int = 0
    """Approved links left unwritten because the write limit was reached."""


@dataclass(frozen=True, slots=True)
class References:
    """How the configured sources read references, to check a ``Part of`` line."""

    patterns: Sequence[TextPattern]
    index: SourceIndex


def reference_to(parent: WorkItem) -> str:
    """How a ``Part of`` line names ``parent``: its web address (unambiguous
    across sites and hosts), else its key."""
    return parent.url if parent.url.startswith(("https://", "http://")) else parent.key


def apply_links(
    links: Sequence[PlannedLink],
    connectors: Mapping[str, Connector],
    items: Mapping[str, WorkItem],
    policy: TracePolicy,
    references: References,
    *,
    now: Callable[[], datetime],
    max_writes: int,
    pacers: Mapping[str, ContentPacer] | None = None,
) -> FixResult:
    """Write each approved link that still needs writing, in plan order.

    ``pacers``: the content pacers of sources with documented content limits
    (GitHub.com); adding a sub-issue takes a slot there, as a comment does.
    """
    writer = _LinkWriter(connectors, dict(items), policy, references, dict(pacers or {}))
    for position, link in enumerate(links):
        if len(writer.result.written) >= max_writes:
            writer.result.not_done = len(links) - position
            break
        try:
            writer.write(link, now())
        except GoldthreadError as error:
            writer.result.errors.append(f"{link.child} under {link.parent}: {error}")
    return writer.result


@dataclass(slots=True)
class _LinkWriter:
    connectors: Mapping[str, Connector]
    known: dict[str, WorkItem]
    policy: TracePolicy
    references: References
    pacers: dict[str, ContentPacer]
    result: FixResult = field(default_factory=FixResult)

    def write(self, link: PlannedLink, now: datetime) -> None:
        if link.parent is None or link.how is None:  # read_plan fills both in
            return
        child, parent = self.known[link.child], self.known[link.parent]
        connector: object = self.connectors.get(child.source)
        if not isinstance(connector, ParentLinking):
            self.result.errors.append(f"{link.child}: source {child.source!r} cannot write links")
            return
        fresh_child = _read(self.connectors, child)
        fresh_parent = _read(self.connectors, parent)
        if fresh_child is None or fresh_child.ref != child.ref:
            self.result.skipped.append(f"{link.child}: gone or moved since the plan was made")
            return
        if fresh_parent is None or fresh_parent.ref != parent.ref or fresh_parent.closed:
            self.result.skipped.append(f"{link.child}: parent {link.parent} is gone or closed")
            return
        self.known[child.ref], self.known[parent.ref] = fresh_child, fresh_parent
        verdicts = trace(_above(self.known, (child.ref, parent.ref)), self.policy, now)
        if not verdicts[child.ref].flaggable:
            self.result.skipped.append(f"{link.child}: no longer untraced")
            return
        if any(up.target == parent.ref for up in fresh_child.parents):
            self.result.skipped.append(f"{link.child}: already linked to {link.parent}")
            return
        if verdicts[parent.ref].kind is not VerdictKind.TRACED:
            self.result.skipped.append(
                f"{link.child}: parent {link.parent} no longer traces to a vision"
            )
            return
        reference = reference_to(fresh_parent)
        if link.how == "body-reference" and not _reads_back(
            fresh_child, fresh_parent, self.references
        ):
            self.result.errors.append(
                f"{link.child}: the configured reference_patterns would not read "
                f"'Part of {reference}' as {link.parent}; link it by hand"
            )
            return
        pacer = self.pacers.get(child.source)
        if link.how == "sub-issue" and pacer is not None:
            pacer.wait()
        connector.link_parent(fresh_child, fresh_parent, link.how, reference)
        self.result.written.append(f"{link.child} under {link.parent} ({link.how})")


def _read(connectors: Mapping[str, Connector], item: WorkItem) -> WorkItem | None:
    connector = connectors.get(item.source)
    if connector is None:
        return None
    return next(iter(connector.get([item.key])), None)


def _above(items: Mapping[str, WorkItem], refs: Sequence[str]) -> dict[str, WorkItem]:
    """``refs`` and every item their parent links reach: all their verdicts depend on."""
    found: dict[str, WorkItem] = {}
    stack = list(refs)
    while stack:
        current = stack.pop()
        item = items.get(current)
        if item is None or current in found:
            continue
        found[current] = item
        stack.extend(link.target for link in item.parents if link.target)
    return found


def _reads_back(child: WorkItem, parent: WorkItem, references: References) -> bool:
    repo = child.key.rpartition("#")[0] if "#" in child.key else None
    found = extract_references(
        f"Part of {reference_to(parent)}",
        references.patterns,
        here_source=child.source,
        here_repo=repo,
        index=references.index,
    )
    return any(link.target == parent.ref for link in found)
