"""The pure core at organisation scale: 100,000 items, classified and traced.

The organisation is synthetic and deterministic (fixed seed): Jira visions,
epics, stories and sub-tasks, GitHub issues naming their epics in the body
(across trackers), orphans, missing parents, loops, layer skips, exempt and
closed items. Targets: classify + trace under 1 s, peak memory under 300 MB.
"""

from __future__ import annotations

import dataclasses
import gc
import random
import resource
import time
import tracemalloc
from collections import Counter
from collections.abc import Callable
from datetime import UTC, datetime, timedelta

from goldthread.config.groups import DEFAULT_REFERENCE_PATTERN
from goldthread.config.patterns import compile_pattern
from goldthread.core.barren import find_barren
from goldthread.core.model import (
    Layer,
    LayerRule,
    LinkKind,
    ParentLink,
    TracePolicy,
    VerdictKind,
    WorkItem,
)
from goldthread.core.references import (
    GitHubSourceInfo,
    JiraSourceInfo,
    SourceIndex,
    extract_references,
)
from goldthread.core.rules import CompiledPolicy, compile_policy
from goldthread.core.tracing import coverage, trace

ITEMS = 100_000
SEED = 20_260_301
NOW = datetime(2026, 3, 1, tzinfo=UTC)
PATTERN = compile_pattern(DEFAULT_REFERENCE_PATTERN)  # on RE2, as configured
INDEX = SourceIndex(
    github=(GitHubSourceInfo(name="gh", web_host="github.com", repos=("acme/*",)),),
    jira=(JiraSourceInfo(name="jira", web_host="acme.atlassian.net", projects=("PLAT", "WEB")),),
)
POLICY = TracePolicy(
    rules=(
        LayerRule(layer=Layer.VISION, labels=("vision", "okr-*"), index=0),
        LayerRule(layer=Layer.STRATEGY, labels=("strategy",), index=1),
        LayerRule(layer=Layer.STRATEGY, types=("Epic", "Initiative"), index=2),
        LayerRule(layer=Layer.NONE, labels=("question",), sources=("gh",), index=3),
    ),
    exempt_labels=("no-trace", "chore-*"),
    exempt_types=("Spike",),
    grace_period=timedelta(days=1),
)
TEAM_LABELS = [f"team-{i}" for i in range(40)] + [f"area/{i}" for i in range(400)]


class _Org:
    """Builds the synthetic organisation, item by item."""

    def __init__(self, rng: random.Random) -> None:
        self.rng = rng
        self.items: dict[str, WorkItem] = {}
        self.visions: list[str] = []
        self.epics: list[str] = []
        self.stories: list[str] = []
        self.bodies: list[tuple[str, str | None, str]] = []

    def add(
        self,
        ref: str,
        *,
        type_: str | None,
        labels: tuple[str, ...],
        parents: tuple[ParentLink, ...],
    ) -> None:
        rng = self.rng
        labels = (*labels, *rng.sample(TEAM_LABELS, rng.randint(0, 3)))
        if rng.random() < 0.02:
            labels = (*labels, rng.choice(["no-trace", "chore-deps", "goldthread:untraced"]))
        created = NOW - timedelta(hours=rng.randint(1, 24 * 400))
        source, _, key = ref.partition(":")
        self.items[ref] = WorkItem(
            ref=ref,
            source=source,
            key=key,
            url=f"https://example.test/{key}",
            title=f"work {key}",
            body="",
            type=type_,
            labels=labels,
            state="closed" if rng.random() < 0.15 else "open",
            created_at=created,
            updated_at=created,
            parents=parents,
        )

    def parent(self, pool: list[str], kind: LinkKind = LinkKind.JIRA_PARENT) -> ParentLink:
        rng = self.rng
        roll = rng.random()
        if roll < 0.03 or not pool:
            return ParentLink(
                kind=kind, target=f"jira:PLAT-{10_000_000 + rng.randint(0, 999)}", raw="?"
            )
        return ParentLink(kind=kind, target=rng.choice(pool), raw="")

    def build(self) -> dict[str, WorkItem]:
        rng = self.rng
        n = 0
        for _ in range(200):
            n += 1
            self.visions.append(ref := f"jira:PLAT-{n}")
            self.add(
                ref, type_="Initiative", labels=(rng.choice(["vision", "OKR-2026"]),), parents=()
            )
        for _ in range(3_000):
            n += 1
            self.epics.append(ref := f"jira:PLAT-{n}")
            self.add(ref, type_="Epic", labels=(), parents=(self.parent(self.visions),))
        for _ in range(20):  # barren: kept out of the pools children pick parents from
            n += 1
            self.add(f"jira:PLAT-{n}", type_="Initiative", labels=("vision",), parents=())
            n += 1
            self.add(
                f"jira:PLAT-{n}", type_="Epic", labels=(), parents=(self.parent(self.visions),)
            )
        while len(self.items) < ITEMS * 0.55:
            n += 1
            self.stories.append(ref := f"jira:WEB-{n}")
            pool = self.visions if rng.random() < 0.02 else self.epics
            links = () if rng.random() < 0.08 else (self.parent(pool),)
            self.add(
                ref, type_=rng.choice(["Story", "Task", "Bug", "Spike"]), labels=(), parents=links
            )
        while len(self.items) < ITEMS * 0.75:
            n += 1
            ref = f"jira:WEB-{n}"
            self.add(ref, type_="Sub-task", labels=(), parents=(self.parent(self.stories),))
        self._github(n)
        self._loops()
        return self.items

    def _github(self, n: int) -> None:
        rng = self.rng
        issue = 0
        while len(self.items) < ITEMS:
            issue += 1
            repo = f"acme/repo-{issue % 50}"
            ref = f"gh:{repo}#{issue}"
            roll = rng.random()
            if roll < 0.6:
                epic = rng.choice(self.epics).partition(":")[2]
                body = f"Some context.\n\nPart of {epic}.\n"
            elif roll < 0.7:
                body = f"Parent: https://github.com/{repo}/issues/{max(1, issue - 1)}\n"
            elif roll < 0.75:
                body = "Part of OPS-12\n"
            else:
                body = "Just a bug report, no parent.\n" * 3
            self.bodies.append((ref, repo, body))
            links = extract_references(
                body, [PATTERN], here_source="gh", here_repo=repo, index=INDEX
            )
            labels = ("question",) if rng.random() < 0.01 else ()
            self.add(ref, type_=None, labels=labels, parents=links)
        del n

    def _loops(self) -> None:
        """Rewire a few stories into loops of two to five."""
        rng = self.rng
        for _ in range(300):
            size = rng.randint(2, 5)
            members = rng.sample(self.stories, size)
            for i, ref in enumerate(members):
                old = self.items[ref]
                loop_link = ParentLink(
                    kind=LinkKind.JIRA_PARENT, target=members[(i + 1) % size], raw=""
                )
                self.items[ref] = dataclasses.replace(old, parents=(loop_link,))


def _best_of(runs: int, fn: Callable[[], object]) -> float:
    best = float("inf")
    for _ in range(runs):
        gc.collect()
        start = time.perf_counter()
        fn()
        best = min(best, time.perf_counter() - start)
    return best


def _summarise(items: dict[str, WorkItem]) -> None:
    """What the walk found, and how long the barren search takes."""
    verdicts = trace(items, POLICY, NOW)
    barren_s = _best_of(3, lambda: find_barren(items, verdicts))
    print(f"find_barren: {barren_s * 1000:.0f} ms, {len(find_barren(items, verdicts)):,} barren")
    kinds = Counter(v.kind.value for v in verdicts.values())
    reasons = Counter(v.reason.value for v in verdicts.values() if v.kind is not VerdictKind.TRACED)
    print("verdicts:", ", ".join(f"{k} {c:,}" for k, c in sorted(kinds.items())))
    print("reasons:", ", ".join(f"{k} {c:,}" for k, c in reasons.most_common()))
    print(f"coverage: {coverage(verdicts):.1%}")


def main() -> None:
    start = time.perf_counter()
    builder = _Org(random.Random(SEED))
    items = builder.build()
    built = time.perf_counter() - start
    print(f"organisation: {len(items):,} items built in {built:.2f} s")

    bodies = builder.bodies
    scan = _best_of(
        3,
        lambda: [
            extract_references(b, [PATTERN], here_source="gh", here_repo=r, index=INDEX)
            for _ref, r, b in bodies
        ],
    )
    print(f"extract_references: {len(bodies):,} bodies in {scan * 1000:.0f} ms")

    def classify_all() -> None:
        classify = CompiledPolicy(POLICY).classify
        for item in items.values():
            classify(item)

    classify_s = _best_of(3, classify_all)
    print(f"classify (fresh policy each run): {classify_s * 1000:.0f} ms")

    def trace_cold() -> None:
        compile_policy.cache_clear()
        trace(items, POLICY, NOW)

    trace_s = _best_of(3, trace_cold)
    print(f"classify + trace (cold policy): {trace_s * 1000:.0f} ms (target < 1000 ms)")

    _summarise(items)
    gc.collect()
    tracemalloc.start()
    trace(items, POLICY, NOW)
    _current, peak = tracemalloc.get_traced_memory()
    tracemalloc.stop()
    maxrss_mb = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    print(f"trace peak allocation (tracemalloc): {peak / 2**20:.0f} MB")
    print(f"process peak RSS, organisation included: {maxrss_mb:.0f} MB (target < 300 MB)")


if __name__ == "__main__":
    main()
