"""Which team owns an item (docs/behaviour.md#owners-and-digests ``[[owners]]``). Pure.

Rules run in order; the first whose every given condition matches names the
team. Conditions, each "any of", globs matched case-insensitively:

* ``sources`` — the item's source name;
* ``repos`` / ``projects`` — where the item lives: a GitHub item's
  ``owner/name`` against ``repos``, a Jira item's project key against
  ``projects``. A rule that gives only ``repos`` never matches a Jira item,
  and one that gives only ``projects`` never a GitHub item;
* ``components`` — the item's Jira components (a GitHub item has none);
* ``labels`` — the item's labels, goldthread's own label left out (flagging
  an item must not change who owns it).

An item no rule matches has no owner. Which rule matched, and why, is kept
for ``explain``.
"""

from __future__ import annotations

import fnmatch
import re
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from functools import lru_cache

from goldthread.core.keys import jira_project
from goldthread.core.labels import is_own_label
from goldthread.core.model import WorkItem


@dataclass(frozen=True, slots=True)
class OwnerRule:
    """One ``[[owners]]`` entry. Every given condition must match; empty = any."""

    team: str
    sources: tuple[str, ...] = ()
    repos: tuple[str, ...] = ()
    projects: tuple[str, ...] = ()
    components: tuple[str, ...] = ()
    labels: tuple[str, ...] = ()
    index: int = 0  # position in the config, for explanations


@dataclass(frozen=True, slots=True)
class OwnerMatch:
    """The owning team (``None``: no rule matched), the rule, and why."""

    team: str | None
    rule: OwnerRule | None
    explanation: str


def place(key: str) -> tuple[str | None, str | None]:
    """``(repository, project)`` of an item key: ``acme/web#12`` -> (``acme/web``,
    None); ``PLAT-7`` -> (None, ``PLAT``)."""
    repo, sep, number = key.rpartition("#")
    if sep and number.isdigit():
        return repo, None
    return None, jira_project(key)


class _Compiled:
    """An owner rule with its globs compiled once."""

    def __init__(self, rule: OwnerRule) -> None:
        self.rule = rule
        self.sources = _globs(rule.sources)
        self.repos = _globs(rule.repos)
        self.projects = _globs(rule.projects)
        self.components = _globs(rule.components)
        self.labels = _globs(rule.labels)

    def reasons(self, item: WorkItem, own_label: str) -> list[str] | None:
        """What matched, in words; ``None`` when a condition fails."""
        said: list[str] = []
        if self.sources is not None:
            if not self.sources.fullmatch(item.source.casefold()):
                return None
            said.append(f"source '{item.source}'")
        if self.repos is not None or self.projects is not None:
            where = _where(self, item)
            if where is None:
                return None
            said.append(where)
        if self.components is not None:
            found = _first(self.components, item.components)
            if found is None:
                return None
            said.append(f"component '{found}'")
        if self.labels is not None:
            labels = [label for label in item.labels if not is_own_label(label, own_label)]
            found = _first(self.labels, labels)
            if found is None:
                return None
            said.append(f"label '{found}'")
        return said


def _where(rule: _Compiled, item: WorkItem) -> str | None:
    repo, project = place(item.key)
    if repo is not None and rule.repos is not None and rule.repos.fullmatch(repo.casefold()):
        return f"repository '{repo}'"
    wanted = rule.projects
    if project is not None and wanted is not None and wanted.fullmatch(project.casefold()):
        return f"project '{project}'"
    return None


def _globs(patterns: Iterable[str]) -> re.Pattern[str] | None:
    parts = [fnmatch.translate(p.casefold()) for p in patterns]
    return re.compile("|".join(f"(?:{p})" for p in parts)) if parts else None


def _first(pattern: re.Pattern[str], values: Iterable[str]) -> str | None:
    return next((v for v in values if pattern.fullmatch(v.casefold())), None)


class OwnerRules:
    """The owner rules of a config, compiled; answers are pure."""

    def __init__(self, rules: Sequence[OwnerRule], own_label: str = "") -> None:
        self.rules = tuple(rules)
        self.own_label = own_label
        self._compiled = tuple(_Compiled(rule) for rule in self.rules)

    def __bool__(self) -> bool:
        return bool(self.rules)

    def match(self, item: WorkItem) -> OwnerMatch:
        """The first rule ``item`` satisfies, and why."""
        for number, compiled in enumerate(self._compiled, start=1):
            reasons = compiled.reasons(item, self.own_label)
            if reasons is None:
                continue
            said = ", ".join(reasons) if reasons else "it has no conditions"
            return OwnerMatch(
                team=compiled.rule.team,
                rule=compiled.rule,
                explanation=f"owner rule {number} matched: {said} (team {compiled.rule.team})",
            )
        why = "no owner rule matched" if self.rules else "no [[owners]] configured"
        return OwnerMatch(team=None, rule=None, explanation=why)

    def team(self, item: WorkItem) -> str | None:
        return self.match(item).team

    def teams(self) -> tuple[str, ...]:
        """Every team, once each, in the order rules name them."""
        return tuple(dict.fromkeys(rule.team for rule in self.rules))


@lru_cache(maxsize=16)
def compile_owners(rules: tuple[OwnerRule, ...], own_label: str = "") -> OwnerRules:
    """The compiled form of ``rules``, built once per distinct set."""
    return OwnerRules(rules, own_label)
