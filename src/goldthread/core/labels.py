"""goldthread's label, recognised by one rule everywhere. Pure.

Trackers disagree about case: GitHub treats label names case-insensitively,
Jira keeps ``Goldthread:Untraced`` and ``goldthread:untraced`` as two labels
while its search matches either. goldthread's configured label is its own in
any case (docs/behaviour.md#write-back), so the planner, the writers, the webhook intake, the
rules and the reports all ask these functions, and a label in another case
is both seen and removed.
"""

from __future__ import annotations

from collections.abc import Iterable


def is_own_label(name: object, label: str) -> bool:
    """Whether ``name`` is goldthread's ``label`` (in any case); ``""`` owns nothing."""
    return bool(label) and isinstance(name, str) and name.casefold() == label.casefold()


def own_labels(names: Iterable[str], label: str) -> tuple[str, ...]:
    """The names, as the tracker spells them, that are goldthread's ``label``."""
    return tuple(name for name in names if is_own_label(name, label))


def carries_label(names: Iterable[str], label: str) -> bool:
    """Whether any of ``names`` is goldthread's ``label``."""
    return any(is_own_label(name, label) for name in names)


def without_label(names: Iterable[str], label: str) -> tuple[str, ...]:
    """``names`` with goldthread's ``label`` taken off, in every case it appears."""
    return tuple(name for name in names if not is_own_label(name, label))
