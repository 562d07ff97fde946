"""How the Jira stand-in's records look on the wire, per mode and API version.

Cloud v3 bodies are Atlassian Document Format, v2 and Data Center bodies are
wiki strings; times are Jira's ``2024-01-02T03:04:05.000+0100`` in the account
zone; DC carries Epic Link and Parent Link as custom fields whose ids vary per
site, Cloud only the ``parent`` field. Shapes follow the fixtures under
``shared/fixtures/jira``.
"""

from __future__ import annotations

import hashlib
import zlib
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Any
from zoneinfo import ZoneInfo

from goldthread.sandbox.jira_state import (
    LINK_TYPES,
    CommentRecord,
    IssueRecord,
    JiraState,
    LinkRecord,
    LinkType,
)

JSON = dict[str, Any]
NAVIGABLE = (
    "summary",
    "description",
    "labels",
    "issuetype",
    "status",
    "project",
    "created",
    "updated",
    "parent",
    "issuelinks",
    "subtasks",
    "priority",
    "components",
)
EXPAND = "renderedFields,names,schema,operations,editmeta,changelog,versionedRepresentations"
_CATEGORIES = {
    "new": (2, "blue-gray", "To Do"),
    "indeterminate": (4, "yellow", "In Progress"),
    "done": (3, "green", "Done"),
}
_STATUS_IDS = {"to do": "10000", "in progress": "3", "done": "10001", "open": "1", "closed": "6"}


def jira_time(moment: datetime, zone: ZoneInfo) -> str:
    """Jira's timestamp format, in the account zone, e.g. 2024-01-02T03:04:05.000+0100."""
    local = moment.astimezone(zone)
    return (
        local.strftime("%Y-%m-%dT%H:%M:%S.")
        + f"{local.microsecond // 1000:03d}"
        + local.strftime("%z")
    )


def text_to_adf(text: str) -> JSON:
    """One paragraph per non-empty line, so line-anchored patterns still work."""
    return {
        "type": "doc",
        "version": 1,
        "content": [
            {"type": "paragraph", "content": [{"type": "text", "text": line}]}
            for line in text.split("\n")
            if line
        ],
    }


def adf_to_text(node: Any) -> str:
    """Plain text of an ADF document: blocks on their own lines."""
    if not isinstance(node, dict):
        return ""
    kind = node.get("type")
    if kind == "text":
        return str(node.get("text", ""))
    if kind == "hardBreak":
        return "\n"
    if kind in ("inlineCard", "blockCard"):
        return str(node.get("attrs", {}).get("url", ""))
    if kind == "mention":
        return str(node.get("attrs", {}).get("text", ""))
    parts = [adf_to_text(child) for child in node.get("content", [])]
    if kind in ("doc", "bulletList", "orderedList", "listItem", "blockquote", "panel"):
        return "\n".join(part for part in parts if part)
    return "".join(parts)


def is_adf(value: object) -> bool:
    return isinstance(value, dict) and value.get("type") == "doc"


@dataclass(frozen=True, slots=True)
class FieldSelection:
    """Jira's ``fields`` parameter: ids, ``*all``, ``*navigable``, ``-id`` exclusions."""

    everything: bool = False
    navigable: bool = False
    include: frozenset[str] = frozenset()
    exclude: frozenset[str] = frozenset()

    @classmethod
    def parse(cls, values: Iterable[str], default: str) -> FieldSelection:
        names = [n.strip() for v in values for n in v.split(",") if n.strip()]
        if not names:
            names = [default]
        return cls(
            everything="*all" in names,
            navigable="*navigable" in names,
            include=frozenset(n for n in names if not n.startswith(("*", "-"))),
            exclude=frozenset(n[1:] for n in names if n.startswith("-")),
        )

    def wants(self, field_id: str, navigable: bool) -> bool:
        if field_id in self.exclude:
            return False
        return self.everything or (self.navigable and navigable) or field_id in self.include

    @property
    def any_field(self) -> bool:
        return self.everything or self.navigable or bool(self.include - {"id", "key"})


@dataclass(slots=True)
class Renderer:
    state: JiraState
    base_url: Callable[[], str]
    cloud: bool
    zone: ZoneInfo
    email: str
    epic_field: str
    parent_field: str

    def api(self, version: str) -> str:
        return f"{self.base_url()}/rest/api/{version}"

    def time(self, moment: datetime) -> str:
        return jira_time(moment, self.zone)

    # ------------------------------------------------------------ people

    def user(self, name: str, version: str) -> JSON:
        email = self.email if name == "goldthread-bot" else f"{name}@acme.example"
        avatar = {
            size: f"{self.base_url()}/avatar/{name}?s={size}"
            for size in ("48x48", "24x24", "16x16", "32x32")
        }
        common = {
            "emailAddress": email,
            "avatarUrls": avatar,
            "displayName": name,
            "active": True,
            "timeZone": self.zone.key,
        }
        if self.cloud:
            account = account_id(name)
            return {
                "self": f"{self.api(version)}/user?accountId={account}",
                "accountId": account,
                "accountType": "atlassian",
                **common,
            }
        return {
            "self": f"{self.api(version)}/user?username={name}",
            "name": name,
            "key": name,
            **common,
        }

    # ------------------------------------------------------------ issues

    def status(self, issue: IssueRecord, version: str) -> JSON:
        number, colour, name = _CATEGORIES.get(issue.status_category, _CATEGORIES["new"])
        status_id = _STATUS_IDS.get(issue.status.lower(), str(10100 + _small_hash(issue.status)))
        return {
            "self": f"{self.api(version)}/status/{status_id}",
            "description": "",
            "iconUrl": f"{self.base_url()}/images/icons/statuses/generic.png",
            "name": issue.status,
            "id": status_id,
            "statusCategory": {
                "self": f"{self.api(version)}/statuscategory/{number}",
                "id": number,
                "key": issue.status_category,
                "colorName": colour,
                "name": name,
            },
        }

    def issuetype(self, issue: IssueRecord, version: str) -> JSON:
        kind = issue.kind
        rendered: JSON = {
            "self": f"{self.api(version)}/issuetype/{kind.id}",
            "id": kind.id,
            "description": "",
            "name": kind.name,
            "subtask": kind.subtask,
            "iconUrl": f"{self.base_url()}/images/icons/issuetypes/{kind.id}.svg",
            "avatarId": 10300 + int(kind.id) % 100,
        }
        if self.cloud:
            rendered["hierarchyLevel"] = kind.level
        return rendered

    def project(self, issue: IssueRecord, version: str) -> JSON:
        key = issue.project
        project_id = str(10000 + _small_hash(key))
        return {
            "self": f"{self.api(version)}/project/{project_id}",
            "id": project_id,
            "key": key,
            "name": key.title(),
            "projectTypeKey": "software",
            "simplified": False,
        }

    def priority(self, version: str) -> JSON:
        return {
            "self": f"{self.api(version)}/priority/3",
            "name": "Medium",
            "id": "3",
            "iconUrl": f"{self.base_url()}/images/icons/priorities/medium.svg",
        }

    def mini(self, issue: IssueRecord, version: str) -> JSON:
        """The short form Jira nests for parents, sub-tasks and linked issues."""
        return {
            "id": str(issue.id),
            "key": issue.key,
            "self": f"{self.api(version)}/issue/{issue.id}",
            "fields": {
                "summary": issue.summary,
                "status": self.status(issue, version),
                "priority": self.priority(version),
                "issuetype": self.issuetype(issue, version),
            },
        }

    def issue(
        self,
        issue: IssueRecord,
        version: str,
        selection: FieldSelection,
        properties: Sequence[str] = (),
    ) -> JSON:
        """The issue; ``properties`` (keys, or ``*all``) adds a ``properties`` object."""
        rendered: JSON = {
            "expand": EXPAND,
            "id": str(issue.id),
            "self": f"{self.api(version)}/issue/{issue.id}",
            "key": issue.key,
        }
        if properties:
            everything = "*all" in properties
            rendered["properties"] = {
                key: value
                for key, value in issue.properties.items()
                if everything or key in properties
            }
        if not selection.any_field:  # Cloud's default for /search/jql is ids only
            slim: JSON = {"id": rendered["id"]}
            if "key" in selection.include:
                slim.update(key=issue.key, self=rendered["self"])
            if "properties" in rendered:
                slim["properties"] = rendered["properties"]
            return slim
        fields: JSON = {}
        for field_id, navigable, make in self._field_makers(issue, version):
            if selection.wants(field_id, navigable):
                fields[field_id] = make()
        rendered["fields"] = fields
        return rendered

    def _field_makers(
        self, issue: IssueRecord, version: str
    ) -> list[tuple[str, bool, Callable[[], Any]]]:
        makers: list[tuple[str, bool, Callable[[], Any]]] = [
            ("summary", True, lambda: issue.summary),
            ("description", True, lambda: self.description(issue, version)),
            ("labels", True, lambda: list(issue.labels)),
            ("issuetype", True, lambda: self.issuetype(issue, version)),
            ("status", True, lambda: self.status(issue, version)),
            ("project", True, lambda: self.project(issue, version)),
            ("priority", True, lambda: self.priority(version)),
            ("created", True, lambda: self.time(issue.created)),
            ("updated", True, lambda: self.time(issue.updated)),
            ("issuelinks", True, lambda: self.issuelinks(issue, version)),
            ("subtasks", True, lambda: self.subtasks(issue, version)),
            ("components", True, lambda: self.components(issue, version)),
            ("comment", False, lambda: self.comment_page(issue, version)),
        ]
        parent = self.state.issues.get(issue.parent_key or "")
        if parent is not None:
            makers.append(("parent", True, lambda: self.mini(parent, version)))
        if not self.cloud:
            makers.append((self.epic_field, True, lambda: issue.epic_link))
            makers.append((self.parent_field, True, lambda: self.parent_link(issue)))
        return makers

    def components(self, issue: IssueRecord, version: str) -> list[JSON]:
        """The issue's project components, as Jira lists them on an issue."""
        found = []
        for name in issue.components:
            number = 10000 + zlib.crc32(name.encode("utf-8")) % 90000
            found.append(
                {"self": f"{self.api(version)}/component/{number}", "id": str(number), "name": name}
            )
        return found

    def parent_link(self, issue: IssueRecord) -> JSON:
        """Advanced Roadmaps' Parent Link as Data Center sends it: an object, the
        parent (when set) under ``data``."""
        value: JSON = {"hasEpicLinkFieldDependency": False, "showField": True}
        parent = self.state.issues.get(issue.parent_link or "")
        if parent is not None:
            value["data"] = {
                "id": parent.id,
                "issueId": parent.id,
                "key": parent.key,
                "keyNum": int(parent.key.rpartition("-")[2]),
                "title": parent.summary,
                "summary": parent.summary,
                "projectId": 10000 + _small_hash(parent.project),
                "issueTypeId": int(parent.kind.id),
            }
        return value

    def description(self, issue: IssueRecord, version: str) -> Any:
        if not issue.description and issue.description_adf is None:
            return None
        if version == "3":
            return issue.description_adf or text_to_adf(issue.description)
        return issue.description

    def subtasks(self, issue: IssueRecord, version: str) -> list[JSON]:
        return [
            self.mini(child, version)
            for child in self.state.issues.values()
            if child.parent_key == issue.key and child.kind.subtask
        ]

    # ------------------------------------------------------------ links

    def link_type(self, kind: LinkType, version: str) -> JSON:
        return {
            "id": kind.id,
            "name": kind.name,
            "inward": kind.inward,
            "outward": kind.outward,
            "self": f"{self.api(version)}/issueLinkType/{kind.id}",
        }

    def link_types(self, version: str) -> JSON:
        return {"issueLinkTypes": [self.link_type(kind, version) for kind in LINK_TYPES]}

    def issuelinks(self, issue: IssueRecord, version: str) -> list[JSON]:
        entries = []
        for link in sorted(self.state.links_of(issue.key), key=lambda link: link.id):
            entry: JSON = {
                "id": str(link.id),
                "self": f"{self.api(version)}/issueLink/{link.id}",
                "type": self.link_type(link.type, version),
            }
            if link.source_key == issue.key:
                other, side = self.state.issues.get(link.target_key), "outwardIssue"
            else:
                other, side = self.state.issues.get(link.source_key), "inwardIssue"
            if other is not None:
                entry[side] = self.mini(other, version)
                entries.append(entry)
        return entries

    def link(self, link: LinkRecord, version: str) -> JSON:
        """GET issueLink/{id}: ``inwardIssue`` is the source, as in the create request."""
        rendered: JSON = {
            "id": str(link.id),
            "self": f"{self.api(version)}/issueLink/{link.id}",
            "type": self.link_type(link.type, version),
        }
        for side, key in (("inwardIssue", link.source_key), ("outwardIssue", link.target_key)):
            other = self.state.issues.get(key)
            if other is not None:
                rendered[side] = self.mini(other, version)
        return rendered

    # ------------------------------------------------------------ comments

    def comment(self, comment: CommentRecord, version: str, *, properties: bool = False) -> JSON:
        body: Any = comment.body
        if version == "3":
            body = comment.adf or text_to_adf(comment.body)
        rendered: JSON = {
            "self": f"{self.api(version)}/issue/{comment.issue_id}/comment/{comment.id}",
            "id": str(comment.id),
            "author": self.user(comment.author, version),
            "body": body,
            "updateAuthor": self.user(comment.author, version),
            "created": self.time(comment.created),
            "updated": self.time(comment.updated),
        }
        if self.cloud:
            rendered["jsdPublic"] = True
        if properties:
            rendered["properties"] = [{"key": k, "value": v} for k, v in comment.properties.items()]
        return rendered

    def comment_page(self, issue: IssueRecord, version: str) -> JSON:
        comments = [self.comment(c, version) for c in issue.comments]
        return {
            "comments": comments,
            "self": f"{self.api(version)}/issue/{issue.id}/comment",
            "maxResults": len(comments),
            "total": len(comments),
            "startAt": 0,
        }


def account_id(name: str) -> str:
    return "712020:" + hashlib.sha256(name.encode()).hexdigest()[:32]


def _small_hash(text: str) -> int:
    return int(hashlib.sha256(text.encode()).hexdigest()[:6], 16) % 9000
