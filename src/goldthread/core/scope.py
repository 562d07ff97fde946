"""What a source is configured to watch, and whether an item is inside it (docs/behaviour.md#scope).

One identity rule, in one place: an item is in its source's scope when its
repository (GitHub, by its *current* name, ``owner/*`` matching any
repository of that owner) or its project (Jira) is configured. Only items in
scope are items: stored, judged, reported and written to. The rule is
applied where items enter the store and again by the write-back planner.

A repository renamed on GitHub answers under its new name; the connector
learns the pair (old, current) and the scope then holds the current name and
no longer the old one, so items are named, stored and written to by the name
GitHub uses now. A Jira source's ``jql`` cannot be decided from a key alone:
the Jira connector asks the tracker (one search per 100 keys) before an item
that arrived by another route than the scoped search is returned at all.

Moves are recognised by identity too: the same source and the same tracker
id (``external_id``) under a new ref is the same issue, moved (a GitHub
transfer, a Jira move to another project, a renamed repository).
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass

from goldthread.core.keys import jira_project
from goldthread.core.model import WorkItem, split_ref


@dataclass(frozen=True, slots=True)
class SourceScope:
    """One source's scope: repositories (GitHub) or projects (Jira).

    ``repos`` are as configured (``acme/web``, ``acme/*``); ``renamed`` holds
    ``(configured name, current name)`` for each repository found under a
    new name. ``projects`` are Jira project keys.
    """

    source: str
    repos: tuple[str, ...] = ()
    projects: tuple[str, ...] = ()
    renamed: tuple[tuple[str, str], ...] = ()

    def current_repos(self) -> tuple[str, ...]:
        """The configured repositories by their current names."""
        moved = {old.casefold(): new for old, new in self.renamed}
        return tuple(moved.get(repo.casefold(), repo) for repo in self.repos)

    def current_name(self, repo: str) -> str:
        """``repo`` by its current name (itself unless it was renamed)."""
        for old, new in self.renamed:
            if old.casefold() == repo.casefold():
                return new
        return repo


def repo_in_scope(scope: SourceScope, repo: str) -> bool:
    """Whether the repository ``owner/name`` (its current name) is watched."""
    owner, _, name = repo.partition("/")
    if not owner or not name:
        return False
    for watched in scope.current_repos():
        w_owner, _, w_name = watched.partition("/")
        if w_owner.casefold() != owner.casefold():
            continue
        if w_name == "*" or w_name.casefold() == name.casefold():
            return True
    return False


def project_in_scope(scope: SourceScope, project: str) -> bool:
    return any(p.upper() == project.upper() for p in scope.projects)


def in_scope(scope: SourceScope, key: str) -> bool:
    """Whether the item ``key`` (``owner/repo#N`` or ``PROJ-7``) is in ``scope``."""
    repo, sep, number = key.rpartition("#")
    if sep:
        return number.isdigit() and repo_in_scope(scope, repo)
    project = jira_project(key)
    return project is not None and project_in_scope(scope, project)


def ref_in_scope(scopes: Mapping[str, SourceScope], ref: str) -> bool:
    """Whether ``ref`` names an item in its source's scope; unknown sources hold nothing."""
    try:
        source, key = split_ref(ref)
    except ValueError:
        return False
    scope = scopes.get(source)
    return scope is not None and in_scope(scope, key)


def scope_of(key: str) -> str:
    """The scope an item key belongs to: ``acme/web#12`` -> ``acme/web``,
    ``PLAT-7`` -> ``PLAT``; any other key is its own scope."""
    repo, sep, _ = key.partition("#")
    if sep:
        return repo
    return jira_project(key) or key


def split_in_scope(
    scope: SourceScope, items: Iterable[WorkItem]
) -> tuple[list[WorkItem], list[WorkItem]]:
    """``(in scope, outside)`` of ``items`` of one source."""
    kept: list[WorkItem] = []
    refused: list[WorkItem] = []
    for item in items:
        ok = item.source == scope.source and in_scope(scope, item.key)
        (kept if ok else refused).append(item)
    return kept, refused


def moved_refs(stored: Iterable[tuple[str, str]], fresh: Iterable[WorkItem]) -> dict[str, str]:
    """``{old ref: new ref}`` for stored items that ``fresh`` shows under another ref.

    ``stored`` are ``(tracker id, ref)`` of stored items of the same source as
    ``fresh``. The same issue is the same source and the same tracker id; an
    item with no id is never taken for another.
    """
    current = {item.external_id: item.ref for item in fresh if item.external_id}
    moves: dict[str, str] = {}
    for external_id, ref in stored:
        new = current.get(external_id) if external_id else None
        if new is not None and new != ref:
            moves[ref] = new
    return moves
