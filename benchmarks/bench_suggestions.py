"""Parent suggestions: how often they are right, and what they cost.

The sandbox organisation with evidence (:mod:`goldthread.sandbox.evidence`):
each orphan or broken item with an obvious home carries one kind of trace of
its true parent — the parent naming it, it mentioning the parent, a shared
label with a few topic words, topic words alone, or nothing — among decoys
that share words and labels but not the thread. The items are what the
connectors make of the seeds (:mod:`goldthread.sandbox.offline`), traced
under the sandbox's rules.

Reported at 200 and 30,000 items: top-1 and top-3 accuracy over the items
with a recorded true parent, the share with no suggestion, wrong top-1 as a
share of the items that got a suggestion, suggestion time per untraced item
and in all, and the peak memory of a run. Targets: top-3 >= 70 %,
top-1 >= 50 %, wrong top-1 <= 15 % of suggestions, 30,000 items in <= 10 s.
"""

from __future__ import annotations

import gc
import time
import tracemalloc
from collections import Counter
from datetime import UTC, datetime

import goldthread.core.ranking  # noqa: F401 - imported up front: its import is not timed
from goldthread.core.suggesting import suggest_parents
from goldthread.core.tracing import trace
from goldthread.sandbox.offline import POLICY, work_items
from goldthread.sandbox.org import generate

NOW = datetime(2027, 1, 1, tzinfo=UTC)
SIZES = (200, 30_000)
IGNORED = ("goldthread:untraced",)


def _measure(size: int) -> None:
    org = generate(size, seed=7, evidence=True)
    items = work_items(org)
    verdicts = trace(items, POLICY, NOW)
    untraced = sum(1 for v in verdicts.values() if v.flaggable)

    gc.collect()
    start = time.perf_counter()
    found = suggest_parents(items, verdicts, ignore_labels=IGNORED)
    took = time.perf_counter() - start

    gc.collect()
    tracemalloc.start()
    suggest_parents(items, verdicts, ignore_labels=IGNORED)
    _current, peak = tracemalloc.get_traced_memory()
    tracemalloc.stop()

    truths = org.true_parents
    top1 = top3 = silent = 0
    right_by_kind: Counter[str] = Counter()
    by_kind: Counter[str] = Counter()
    for child, parent in truths.items():
        kind = org.evidence[child]
        by_kind[kind] += 1
        refs = [s.ref for s in found.get(child, ())]
        if not refs:
            silent += 1
            continue
        top1 += refs[0] == parent
        top3 += parent in refs
        right_by_kind[kind] += refs[0] == parent
    n = len(truths)
    suggested = n - silent
    wrong = suggested - top1
    print(
        f"{len(items):,} items, {untraced:,} untraced, {n:,} with a recorded true parent:\n"
        f"  top-1 {top1 / n:.1%} (target >= 50%), top-3 {top3 / n:.1%} (target >= 70%), "
        f"no suggestion {silent / n:.1%}\n"
        f"  wrong top-1 {wrong / max(1, suggested):.1%} of suggestions (target <= 15%)\n"
        f"  by evidence (top-1 right): "
        + ", ".join(f"{k} {right_by_kind[k]}/{by_kind[k]}" for k in sorted(by_kind))
    )
    print(
        f"  suggestions for all {untraced:,} untraced items: {took:.2f} s"
        f" ({took / max(1, untraced) * 1000:.2f} ms per item; target <= 10 s at 30,000 items),"
        f" peak allocation {peak / 2**20:.1f} MB (tracemalloc)"
    )


def main() -> None:
    for size in SIZES:
        _measure(size)


if __name__ == "__main__":
    main()
