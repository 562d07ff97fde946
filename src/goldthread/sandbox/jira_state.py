"""What the Jira stand-in knows: issues, comments, links, and how they change.

Plain mutable records guarded by the stand-in's lock. Every mutation returns
:class:`Change` values (the webhook events Jira would fire, with changelog
items) so that rendering and delivery stay outside this module. Times are
aware datetimes truncated to milliseconds, as Jira stores them.
"""

from __future__ import annotations

import itertools
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from datetime import datetime

from goldthread.sandbox.seeds import JiraIssueSeed, JiraLinkSeed

BOT = "goldthread-bot"  # the API user's name; humans act as SANDBOX_ADMIN
SANDBOX_ADMIN = "sandbox-admin"


@dataclass(frozen=True, slots=True)
class IssueType:
    id: str
    name: str
    level: int  # Cloud hierarchyLevel: 2 initiative, 1 epic, 0 standard, -1 sub-task

    @property
    def subtask(self) -> bool:
        return self.level < 0


ISSUE_TYPES = {
    t.name.lower(): t
    for t in (
        IssueType("10000", "Epic", 1),
        IssueType("10001", "Story", 0),
        IssueType("10002", "Task", 0),
        IssueType("10003", "Sub-task", -1),
        IssueType("10004", "Bug", 0),
        IssueType("10005", "Initiative", 2),
    )
}


def issue_type(name: str) -> IssueType:
    known = ISSUE_TYPES.get(name.lower())
    if known is not None:
        return known
    return IssueType(str(10100 + sum(map(ord, name)) % 900), name, 0)


@dataclass(frozen=True, slots=True)
class LinkType:
    id: str
    name: str
    inward: str
    outward: str


LINK_TYPES = (
    LinkType("10000", "Blocks", "is blocked by", "blocks"),
    LinkType("10001", "Cloners", "is cloned by", "clones"),
    LinkType("10002", "Duplicate", "is duplicated by", "duplicates"),
    LinkType("10003", "Relates", "relates to", "relates to"),
    LinkType("10004", "Implements", "is implemented by", "implements"),
)


def link_type(name_or_id: str) -> LinkType | None:
    for candidate in LINK_TYPES:
        if (
            name_or_id in (candidate.id, candidate.name)
            or name_or_id.lower() == candidate.name.lower()
        ):
            return candidate
    return None


@dataclass(slots=True)
class CommentRecord:
    id: int
    issue_id: int
    author: str
    body: str  # wiki text
    adf: dict[str, object] | None  # the ADF document as sent on v3, when it was
    created: datetime
    updated: datetime
    properties: dict[str, object] = field(default_factory=dict)


@dataclass(slots=True)
class IssueRecord:
    id: int
    key: str
    type: str
    summary: str
    description: str
    description_adf: dict[str, object] | None
    labels: list[str]
    created: datetime
    updated: datetime
    status: str
    status_category: str
    parent_key: str | None
    epic_link: str | None
    parent_link: str | None
    comments: list[CommentRecord] = field(default_factory=list)
    properties: dict[str, object] = field(default_factory=dict)  # issue entity properties
    components: list[str] = field(default_factory=list)

    @property
    def project(self) -> str:
        return self.key.rpartition("-")[0]

    @property
    def kind(self) -> IssueType:
        return issue_type(self.type)


@dataclass(frozen=True, slots=True)
class LinkRecord:
    """``source`` is the issue the outward phrase applies to ("A implements B": A)."""

    id: int
    type: LinkType
    source_key: str
    target_key: str


@dataclass(frozen=True, slots=True)
class Change:
    """One webhook Jira would fire; records are the live objects at that moment."""

    event: str  # jira:issue_updated, comment_created, issuelink_deleted, ...
    actor: str
    type_name: str = ""  # issue_event_type_name
    issue: IssueRecord | None = None
    items: tuple[dict[str, object], ...] = ()
    comment: CommentRecord | None = None
    link: LinkRecord | None = None


def truncate_ms(moment: datetime) -> datetime:
    return moment.replace(microsecond=moment.microsecond // 1000 * 1000)


def _moved_item(field: str, before: str, after: str) -> dict[str, object]:
    """A changelog item of a move (``project`` or ``Key``), as Jira writes it."""
    return {
        "field": field,
        "fieldtype": "jira",
        "fieldId": field.lower() if field == "project" else None,
        "from": None,
        "fromString": before,
        "to": None,
        "toString": after,
    }


def labels_item(before: list[str], after: list[str]) -> dict[str, object]:
    return {
        "field": "labels",
        "fieldtype": "jira",
        "fieldId": "labels",
        "from": None,
        "fromString": " ".join(before),
        "to": None,
        "toString": " ".join(after),
    }


class JiraState:
    """Issues by key and id, links by id, and the id counters."""

    def __init__(
        self, clock: Callable[[], datetime], *, cloud: bool, epic_field: str, parent_field: str
    ) -> None:
        self.clock = clock
        self.cloud = cloud
        self.epic_field = epic_field
        self.parent_field = parent_field
        self.issues: dict[str, IssueRecord] = {}
        self.by_id: dict[int, IssueRecord] = {}
        self.links: dict[int, LinkRecord] = {}
        self.projects: set[str] = set()
        self.moved: dict[str, str] = {}  # an old key -> the issue's key now
        self._ids = itertools.count(10000)
        self._comment_ids = itertools.count(10000)
        self._link_ids = itertools.count(10000)
        self.changelog_ids = itertools.count(100000)

    # ------------------------------------------------------------ lookups

    def find(self, key_or_id: str) -> IssueRecord | None:
        """By id, by key, or by a key the issue had before it was moved (as Jira does)."""
        if key_or_id.isdigit():
            return self.by_id.get(int(key_or_id))
        key = key_or_id.upper()
        return self.issues.get(key) or self.issues.get(self.moved.get(key, ""))

    def has_project(self, key: str) -> bool:
        return key.upper() in self.projects

    def has_issue(self, key_or_id: str) -> bool:
        return self.find(key_or_id) is not None

    def issue_key(self, key_or_id: str) -> str | None:
        found = self.find(key_or_id)
        return found.key if found else None

    def links_of(self, key: str) -> list[LinkRecord]:
        return [link for link in self.links.values() if key in (link.source_key, link.target_key)]

    def comment(self, comment_id: str) -> tuple[IssueRecord, CommentRecord] | None:
        for issue in self.issues.values():
            for comment in issue.comments:
                if str(comment.id) == comment_id:
                    return issue, comment
        return None

    def now(self) -> datetime:
        return truncate_ms(self.clock())

    # ------------------------------------------------------------ loading

    def add_issue(self, seed: JiraIssueSeed) -> IssueRecord:
        if seed.key.upper() in self.issues:
            raise ValueError(f"issue {seed.key} exists already")
        issue_id = seed.id or next(self._ids)
        while issue_id in self.by_id:
            issue_id = next(self._ids)
        record = IssueRecord(
            id=issue_id,
            key=seed.key.upper(),
            type=seed.type,
            summary=seed.summary,
            description=seed.description,
            description_adf=None,
            labels=sorted(set(seed.labels)),
            created=truncate_ms(seed.created_at),
            updated=truncate_ms(seed.updated_at),
            status=seed.status,
            status_category=seed.status_category,
            parent_key=seed.parent_key,
            epic_link=seed.epic_link,
            parent_link=seed.parent_link,
            components=list(seed.components),
        )
        self._place_parent(record, seed.parent_key or seed.epic_link or seed.parent_link)
        for comment in seed.comments:
            record.comments.append(
                CommentRecord(
                    id=next(self._comment_ids),
                    issue_id=issue_id,
                    author=comment.author,
                    body=comment.body,
                    adf=None,
                    created=truncate_ms(comment.created_at),
                    updated=truncate_ms(comment.created_at),
                    properties=dict(comment.properties),
                )
            )
        self.issues[record.key] = record
        self.by_id[issue_id] = record
        self.projects.add(record.project)
        return record

    def add_link(self, seed: JiraLinkSeed) -> LinkRecord:
        kind = link_type(seed.type_name)
        if kind is None:
            raise KeyError(f"No issue link type with name '{seed.type_name}' found.")
        source, target = seed.outward_key.upper(), seed.inward_key.upper()
        for existing in self.links.values():
            if (existing.type, existing.source_key, existing.target_key) == (kind, source, target):
                return existing
        record = LinkRecord(next(self._link_ids), kind, source, target)
        self.links[record.id] = record
        return record

    def load(self, issues: Iterable[JiraIssueSeed], links: Iterable[JiraLinkSeed]) -> None:
        for seed in issues:
            self.add_issue(seed)
        for link in links:
            self.add_link(link)

    # ------------------------------------------------------------ mutations

    def touch(self, issue: IssueRecord) -> None:
        issue.updated = self.now()

    def set_labels(self, issue: IssueRecord, labels: list[str], actor: str) -> list[Change]:
        before = list(issue.labels)
        after = sorted(set(labels))  # Jira keeps labels as a sorted set
        if before == after:
            return []
        issue.labels = after
        self.touch(issue)
        item = labels_item(before, after)
        return [Change("jira:issue_updated", actor, "issue_updated", issue, (item,))]

    def add_comment(
        self,
        issue: IssueRecord,
        body: str,
        adf: dict[str, object] | None,
        actor: str,
        properties: dict[str, object],
    ) -> tuple[CommentRecord, list[Change]]:
        now = self.now()
        comment = CommentRecord(
            next(self._comment_ids), issue.id, actor, body, adf, now, now, dict(properties)
        )
        issue.comments.append(comment)
        issue.updated = now
        return comment, [
            Change("comment_created", actor, "", issue, comment=comment),
            Change("jira:issue_updated", actor, "issue_commented", issue, comment=comment),
        ]

    def edit_comment(
        self,
        issue: IssueRecord,
        comment: CommentRecord,
        body: str,
        adf: dict[str, object] | None,
        actor: str,
    ) -> list[Change]:
        comment.body, comment.adf = body, adf
        comment.updated = self.now()
        issue.updated = comment.updated
        return [
            Change("comment_updated", actor, "", issue, comment=comment),
            Change("jira:issue_updated", actor, "issue_comment_edited", issue, comment=comment),
        ]

    def delete_comment(
        self, issue: IssueRecord, comment: CommentRecord, actor: str
    ) -> list[Change]:
        issue.comments.remove(comment)
        self.touch(issue)
        return [
            Change("comment_deleted", actor, "", issue, comment=comment),
            Change("jira:issue_updated", actor, "issue_comment_deleted", issue, comment=comment),
        ]

    def link(self, seed: JiraLinkSeed, actor: str) -> tuple[LinkRecord, list[Change]]:
        known = len(self.links)
        record = self.add_link(seed)
        if len(self.links) == known:
            return record, []
        return record, self._link_changes(record, "issuelink_created", actor)

    def unlink(self, link_id: int, actor: str) -> list[Change]:
        record = self.links.pop(link_id)
        return self._link_changes(record, "issuelink_deleted", actor)

    def _link_changes(self, record: LinkRecord, event: str, actor: str) -> list[Change]:
        for key in (record.source_key, record.target_key):
            issue = self.issues.get(key)
            if issue is not None:
                self.touch(issue)
        return [Change(event, actor, link=record)]

    def move(self, issue: IssueRecord, project: str, actor: str) -> list[Change]:
        """Move ``issue`` to ``project`` under the next key there; the old key still finds it."""
        project = project.upper()
        if project == issue.project:
            return []
        taken = [int(k.rpartition("-")[2]) for k in self.issues if k.rpartition("-")[0] == project]
        old, new = issue.key, f"{project}-{max(taken, default=0) + 1}"
        del self.issues[old]
        issue.key = new
        self.issues[new] = issue
        self.projects.add(project)
        self.moved[old] = new
        for previous, current in list(self.moved.items()):
            if current == old:
                self.moved[previous] = new
        for link_id, link in list(self.links.items()):
            if old in (link.source_key, link.target_key):
                source = new if link.source_key == old else link.source_key
                target = new if link.target_key == old else link.target_key
                self.links[link_id] = LinkRecord(link.id, link.type, source, target)
        for other in self.issues.values():
            for slot in ("parent_key", "epic_link", "parent_link"):
                if getattr(other, slot) == old:
                    setattr(other, slot, new)
        self.touch(issue)
        items: tuple[dict[str, object], ...] = (
            _moved_item("project", old.rpartition("-")[0], project),
            _moved_item("Key", old, new),
        )
        return [Change("jira:issue_updated", actor, "issue_moved", issue, items)]

    def delete(self, issue: IssueRecord, actor: str) -> list[Change]:
        changes = [Change("jira:issue_deleted", actor, "issue_deleted", issue)]
        for link in self.links_of(issue.key):
            del self.links[link.id]
        del self.issues[issue.key]
        del self.by_id[issue.id]
        return changes

    def _slot(self, issue: IssueRecord) -> str:
        """Where this site keeps the issue's parent: Cloud ``parent``; DC per level."""
        if self.cloud or issue.kind.subtask:
            return "parent_key"
        return "epic_link" if issue.kind.level <= 0 else "parent_link"

    def _place_parent(self, issue: IssueRecord, parent_key: str | None) -> None:
        issue.parent_key = issue.epic_link = issue.parent_link = None
        setattr(issue, self._slot(issue), parent_key.upper() if parent_key else None)

    def _parent_item(
        self, issue: IssueRecord, old: str | None, new: str | None
    ) -> dict[str, object]:
        slot = self._slot(issue)
        name, fieldtype, field_id = {
            "parent_key": ("IssueParentAssociation", "jira", "parent"),
            "epic_link": ("Epic Link", "custom", self.epic_field),
            "parent_link": ("Parent Link", "custom", self.parent_field),
        }[slot]
        old_issue, new_issue = self.find(old or ""), self.find(new or "")
        return {
            "field": name,
            "fieldtype": fieldtype,
            "fieldId": field_id,
            "from": str(old_issue.id) if old_issue else None,
            "fromString": old,
            "to": str(new_issue.id) if new_issue else None,
            "toString": new,
        }

    def set_parent(self, issue: IssueRecord, parent_key: str | None, actor: str) -> list[Change]:
        slot = self._slot(issue)
        old: str | None = getattr(issue, slot)
        self._place_parent(issue, parent_key)
        new: str | None = getattr(issue, slot)
        if old == new:
            return []
        self.touch(issue)
        item = self._parent_item(issue, old, new)
        return [Change("jira:issue_updated", actor, "issue_updated", issue, (item,))]

    def set_description(
        self, issue: IssueRecord, text: str, adf: dict[str, object] | None, actor: str
    ) -> list[Change]:
        old = issue.description
        if old == text and adf == issue.description_adf:
            return []
        issue.description, issue.description_adf = text, adf
        self.touch(issue)
        item: dict[str, object] = {
            "field": "description",
            "fieldtype": "jira",
            "fieldId": "description",
            "from": None,
            "fromString": old,
            "to": None,
            "toString": text,
        }
        return [Change("jira:issue_updated", actor, "issue_updated", issue, (item,))]

    def set_summary(self, issue: IssueRecord, summary: str, actor: str) -> list[Change]:
        if summary == issue.summary:
            return []
        item: dict[str, object] = {
            "field": "summary",
            "fieldtype": "jira",
            "fieldId": "summary",
            "from": None,
            "fromString": issue.summary,
            "to": None,
            "toString": summary,
        }
        issue.summary = summary
        self.touch(issue)
        return [Change("jira:issue_updated", actor, "issue_updated", issue, (item,))]

    def set_status(self, issue: IssueRecord, name: str, category: str, actor: str) -> list[Change]:
        if (name, category) == (issue.status, issue.status_category):
            return []
        item: dict[str, object] = {
            "field": "status",
            "fieldtype": "jira",
            "fieldId": "status",
            "from": None,
            "fromString": issue.status,
            "to": None,
            "toString": name,
        }
        issue.status, issue.status_category = name, category
        self.touch(issue)
        return [Change("jira:issue_updated", actor, "issue_generic", issue, (item,))]

    def create(self, seed: JiraIssueSeed, actor: str) -> tuple[IssueRecord, list[Change]]:
        record = self.add_issue(seed)
        return record, [Change("jira:issue_created", actor, "issue_created", record)]
