"""Plain-text renderings of a cycle: the write-back plan and the end-of-run summary.

Pure: a :class:`CycleResult` or a plan in, text out. The CLI prints these;
the service logs the same numbers as one summary line per cycle.
"""

from __future__ import annotations

from collections.abc import Sequence

from goldthread.core.model import Layer, VerdictKind
from goldthread.sync.cycle import CycleResult
from goldthread.sync.planning import Action, ActionKind, count_actions
from goldthread.sync.progress import budget_text

_LAYERS = (Layer.VISION, Layer.STRATEGY, Layer.EXECUTION, Layer.NONE)


def render_plan(plan: Sequence[Action], *, limit: int = 200) -> str:
    """Counts per action and source, then the items (at most ``limit``)."""
    if not plan:
        return "Write-back plan: nothing to write; every item is as it should be.\n"
    lines = [f"Write-back plan: {len(plan)} write(s), none sent."]
    for (source, kind), count in sorted(count_actions(list(plan)).items()):
        lines.append(f"  {source:<12} {kind.value:<16} {count:>6}")
    lines.append("")
    lines.extend(f"  {a.kind.value:<16} {a.ref}  ({a.why})" for a in plan[:limit])
    if len(plan) > limit:
        lines.append(f"  … and {len(plan) - limit} more")
    return "\n".join(lines) + "\n"


def _percent(value: float | None) -> str:
    return "n/a" if value is None else f"{value * 100:.1f}%"


def render_summary(result: CycleResult) -> str:
    """The one summary at the end of a run."""
    ev = result.evaluation
    layers = ", ".join(f"{layer.value} {ev.by_layer.get(layer, 0)}" for layer in _LAYERS)
    verdicts = ", ".join(f"{kind.value} {ev.by_verdict.get(kind, 0)}" for kind in VerdictKind)
    read = ", ".join(f"{name} {r.items}" for name, r in sorted(result.reads.items())) or "none"
    lines = [
        f"goldthread {result.kind}: {ev.items} items ({read} read this run)",
        f"  by layer:   {layers}",
        f"  by verdict: {verdicts}",
        f"  coverage:   {_percent(ev.coverage)}",
        f"  writes:     {_writes(result)}",
        f"  requests:   {_requests(result)}",
        f"  budget:     {_budgets(result)}",
        f"  duration:   {result.seconds:.1f}s",
    ]
    if result.held:
        lines.append(
            f"  held back:  writes on {result.held} item(s) that lead into a source that failed"
        )
    if result.unconfirmed:
        lines.append(
            f"  waiting:    writes on {result.unconfirmed} item(s) not yet confirmed"
            " where they are; the next run confirms them"
        )
    if result.deleted:
        lines.append(
            f"  forgotten:  {result.deleted} item(s) deleted on their tracker or moved out of scope"
        )
    if result.moved:
        lines.append(f"  moved:      {len(result.moved)} item(s) now judged under their new ref")
    lines += [
        f"  renamed:    {source}: repository {old} is now {new}; put the new name in repos"
        for source, old, new in result.renamed
    ]
    return "\n".join(lines) + "\n"


def _writes(result: CycleResult) -> str:
    applied = result.applied
    if applied is None or not applied.total:
        return "none" if result.plan or applied is not None else "none planned"
    by_kind: dict[ActionKind, int] = {}
    for (_source, kind), count in applied.writes.items():
        by_kind[kind] = by_kind.get(kind, 0) + count
    return ", ".join(f"{kind.value} {count}" for kind, count in sorted(by_kind.items()) if count)


def _requests(result: CycleResult) -> str:
    total = sum(result.requests.values())
    parts = ", ".join(f"{name} {count}" for name, count in sorted(result.requests.items()))
    return f"{total} ({parts})" if parts else str(total)


def _budgets(result: CycleResult) -> str:
    if not result.budgets:
        return "n/a"
    return ", ".join(
        f"{name} {budget_text(budget).removeprefix('budget ')}"
        for name, budget in sorted(result.budgets.items())
    )
