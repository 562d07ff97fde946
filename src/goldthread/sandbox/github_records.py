"""Mutable records behind the GitHub stand-in: issues, comments, repositories.

Times are epoch seconds from the stand-in's clock. ``cache`` holds the issue's
serialised JSON, dropped whenever the issue (or anything its payload shows,
such as a child's state in ``sub_issues_summary``) changes.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

IssueKey = tuple[str, int]  # (repo full name, issue number)


@dataclass(slots=True)
class LabelDef:
    """A repository label: its name, colour and description."""

    id: int
    name: str
    color: str
    description: str | None = None
    default: bool = False


@dataclass(slots=True)
class IssueRecord:
    repo: str
    number: int
    id: int
    title: str
    body: str
    labels: list[str]
    created_at: float
    updated_at: float
    author: str
    state: str = "open"
    state_reason: str | None = None
    closed_at: float | None = None
    type: str | None = None
    parent: IssueKey | None = None
    children: list[IssueKey] = field(default_factory=list)
    is_pull_request: bool = False
    comment_ids: list[int] = field(default_factory=list)
    cache: bytes | None = None

    @property
    def key(self) -> IssueKey:
        return (self.repo, self.number)


@dataclass(slots=True)
class CommentRecord:
    id: int
    repo: str
    number: int
    author: str
    body: str
    created_at: float
    updated_at: float


@dataclass(slots=True)
class RepoState:
    """One repository: its issues in creation order, its labels, a change counter."""

    name: str
    id: int = 0
    issues: list[IssueRecord] = field(default_factory=list)
    labels: dict[str, LabelDef] = field(default_factory=dict)
    version: int = 0
    queries: dict[tuple[Any, ...], list[IssueRecord]] = field(default_factory=dict)

    def changed(self) -> None:
        self.version += 1
        self.queries.clear()
