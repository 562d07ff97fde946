"""``goldthread suggest REF``: an untraced item's likely parents, for people.

Plain text, best first, each with its score, title, reason and address.
Tracker text goes through :func:`~goldthread.core.neutral.one_line`, so a
title cannot forge lines or move the terminal's cursor.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence

from goldthread.core.model import Verdict, WorkItem
from goldthread.core.neutral import one_line
from goldthread.core.suggesting import Suggestion, needed_layer


def suggest_text(
    ref: str,
    items: Mapping[str, WorkItem],
    verdict: Verdict | None,
    suggestions: Sequence[Suggestion],
) -> str:
    """What ``suggest`` prints for ``ref``."""
    item = items[ref]
    head = f"{ref}  {one_line(item.title)}"
    if verdict is None:
        return f"{head}\nNot evaluated yet: run `goldthread sync` first.\n"
    state = f"Verdict: {verdict.kind.value} ({verdict.reason.value})"
    needed = needed_layer(verdict.layer)
    if not verdict.flaggable or needed is None:
        return f"{head}\n{state}: it needs no parent suggested.\n"
    lines = [head, state, f"Needs a parent in the {needed.value} layer."]
    if not suggestions:
        lines.append("No likely parent: nothing goldthread found is strong enough to suggest one.")
        return "\n".join(lines) + "\n"
    lines.append("Likely parents, best first:")
    for rank, suggestion in enumerate(suggestions, start=1):
        parent = items.get(suggestion.ref)
        title = one_line(parent.title) if parent is not None else ""
        lines.append(f"  {rank}. {suggestion.ref}  {suggestion.score:.2f}  {title}".rstrip())
        lines.append(f"     why: {one_line(suggestion.why)}")
        if parent is not None and parent.url:
            lines.append(f"     {one_line(parent.url)}")
    lines.append("A suggestion is a hint: `goldthread fix --output PLAN` to link in bulk.")
    return "\n".join(lines) + "\n"
