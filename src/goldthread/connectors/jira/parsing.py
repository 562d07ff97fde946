"""Jira issue JSON -> :class:`WorkItem`, parent links included. Pure.

Parent links come, in the order of preference of docs/behaviour.md#parent-links, from the ``parent``
field (every level on Cloud, sub-tasks on Data Center), the Epic Link and
Parent Link custom fields (Data Center, older Cloud), issue links of the
configured ``parent_link_types`` (this issue on the outward side: "X
implements Y" makes Y the parent of X), and references written in the
description. Descriptions arrive as wiki text (REST v2) or Atlassian
Document Format (REST v3); both are read as plain text.
"""

from __future__ import annotations

import dataclasses
import re
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

from goldthread.connectors.jira.marker import marker_hint
from goldthread.core.model import LinkKind, ParentLink, WorkItem
from goldthread.core.references import (
    JiraSourceInfo,
    SourceIndex,
    TextPattern,
    extract_references,
    jira_ref,
    parse_reference,
)

# The fields goldthread reads; Epic Link / Parent Link ids are added per site.
BASE_FIELDS = (
    "summary",
    "description",
    "labels",
    "issuetype",
    "status",
    "created",
    "updated",
    "parent",
    "issuelinks",
    "components",
)
_BLOCK_NODES = frozenset(
    {"paragraph", "heading", "listItem", "blockquote", "codeBlock", "rule", "tableRow", "panel"}
)
_EPOCH = datetime(1970, 1, 1, tzinfo=UTC)


@dataclass(frozen=True, slots=True)
class ParseContext:
    """What turning an issue into a :class:`WorkItem` depends on."""

    source: str
    base_url: str
    projects: tuple[str, ...] = ()
    epic_link_field: str | None = None
    parent_link_field: str | None = None
    parent_link_types: tuple[str, ...] = ()
    reference_patterns: tuple[TextPattern, ...] = ()
    index: SourceIndex = dataclasses.field(default_factory=SourceIndex)

    def fields(self) -> list[str]:
        """The ``fields=`` list of a search: only what goldthread needs."""
        extra = [f for f in (self.epic_link_field, self.parent_link_field) if f]
        return [*BASE_FIELDS, *extra]

    def with_own_source(self) -> ParseContext:
        """The index, with this source in it when the caller left it out."""
        if any(info.name == self.source for info in self.index.jira):
            return self
        host = re.sub(r"^https?://", "", self.base_url).split("/", 1)[0]
        own = JiraSourceInfo(name=self.source, web_host=host, projects=self.projects)
        index = dataclasses.replace(self.index, jira=(*self.index.jira, own))
        return dataclasses.replace(self, index=index)


# ---------------------------------------------------------------- whole issue


def parse_issue(raw: Mapping[str, Any], ctx: ParseContext) -> WorkItem:
    """One issue of a search or GET, normalised (asked with ``properties=goldthread.marker``)."""
    fields: Mapping[str, Any] = raw.get("fields") or {}
    key = str(raw["key"])
    body = description_text(fields.get("description"))
    status = fields.get("status") or {}
    category = (status.get("statusCategory") or {}).get("key", "")
    return WorkItem(
        ref=jira_ref(ctx.source, key),
        source=ctx.source,
        key=key,
        url=f"{ctx.base_url.rstrip('/')}/browse/{key}",
        title=str(fields.get("summary") or ""),
        body=body,
        type=_name(fields.get("issuetype")),
        labels=tuple(str(label) for label in fields.get("labels") or ()),
        state="closed" if category == "done" else "open",
        created_at=parse_time(fields.get("created")),
        updated_at=parse_time(fields.get("updated")),
        parents=parent_links(fields, body, ctx),
        status=str(status.get("name") or ""),
        external_id=str(raw.get("id") or ""),
        marker=marker_hint(raw),
        components=_names(fields.get("components")),
    )


def parse_time(value: object) -> datetime:
    """Jira's ``2024-01-02T03:04:05.000+0000`` as an aware UTC datetime."""
    if not isinstance(value, str) or not value:
        return _EPOCH
    try:
        return datetime.fromisoformat(value).astimezone(UTC)
    except ValueError:
        return _EPOCH


def updated_millis(raw: Mapping[str, Any]) -> int:
    """The issue's ``updated`` as epoch milliseconds (the cursor's unit)."""
    when = parse_time((raw.get("fields") or {}).get("updated"))
    return int(when.timestamp() * 1000)


def _names(values: object) -> tuple[str, ...]:
    """The ``name`` of each object in a list (components)."""
    return tuple(
        str(value["name"])
        for value in (values if isinstance(values, list) else ())
        if isinstance(value, Mapping) and value.get("name")
    )


def _name(value: object) -> str | None:
    if isinstance(value, Mapping) and value.get("name"):
        return str(value["name"])
    return None


# ---------------------------------------------------------------- parent links


def parent_links(fields: Mapping[str, Any], body: str, ctx: ParseContext) -> tuple[ParentLink, ...]:
    """Every parent link of one issue, most preferred first, each once."""
    found: list[ParentLink] = []
    parent = fields.get("parent")
    if isinstance(parent, Mapping) and parent.get("key"):
        found.append(_same_site(LinkKind.JIRA_PARENT, str(parent["key"]), "parent field", ctx))
    for kind, field_id, label in (
        (LinkKind.EPIC_LINK, ctx.epic_link_field, "Epic Link"),
        (LinkKind.PARENT_LINK, ctx.parent_link_field, "Parent Link"),
    ):
        key = _custom_key(fields.get(field_id)) if field_id else None
        if key:
            found.append(_same_site(kind, key, f"{label} ({field_id})", ctx))
    found.extend(_issue_links(fields.get("issuelinks") or (), ctx))
    if ctx.reference_patterns and body:
        found.extend(
            extract_references(
                body,
                ctx.reference_patterns,
                here_source=ctx.source,
                here_repo=None,
                index=ctx.index,
            )
        )
    return _unique(found)


def _same_site(kind: LinkKind, key: str, evidence: str, ctx: ParseContext) -> ParentLink:
    """A link to another issue of this Jira site, by key.

    A project this source reads gives ``<source>:<KEY>``; another configured
    source may own the project; otherwise the parent is missing (``None``).
    """
    key = key.strip().upper()
    project = key.rpartition("-")[0]
    if any(p.upper() == project for p in ctx.projects):
        target: str | None = jira_ref(ctx.source, key)
    else:
        ref = parse_reference(key, here_source=ctx.source, here_repo=None, index=ctx.index)
        target = ref.target if ref is not None else None
    return ParentLink(kind=kind, target=target, raw=key, evidence=evidence)


def _custom_key(value: object) -> str | None:
    """An Epic Link / Parent Link value: a key string, or an object with one."""
    if isinstance(value, str):
        return value.strip() or None
    if isinstance(value, Mapping):
        for candidate in (value.get("key"), (value.get("data") or {}).get("key")):
            if isinstance(candidate, str) and candidate:
                return candidate
    return None


def _issue_links(links: Iterable[Any], ctx: ParseContext) -> list[ParentLink]:
    """Links of a parent type where this issue is on the outward side."""
    wanted = {name.casefold() for name in ctx.parent_link_types}
    found: list[ParentLink] = []
    for link in links:
        if not isinstance(link, Mapping):
            continue
        kind = link.get("type") or {}
        names = {str(kind.get("name") or "").casefold(), str(kind.get("outward") or "").casefold()}
        outward = link.get("outwardIssue")
        if not (names & wanted) or not isinstance(outward, Mapping) or not outward.get("key"):
            continue
        evidence = f"link '{kind.get('name') or kind.get('outward')}'"
        found.append(_same_site(LinkKind.ISSUE_LINK, str(outward["key"]), evidence, ctx))
    return found


def _unique(links: Sequence[ParentLink]) -> tuple[ParentLink, ...]:
    seen: set[tuple[LinkKind, str | None, str]] = set()
    kept: list[ParentLink] = []
    for link in links:
        identity = (link.kind, link.target, link.raw)
        if identity not in seen:
            seen.add(identity)
            kept.append(link)
    return tuple(kept)


# ---------------------------------------------------------------- descriptions


def description_text(value: object) -> str:
    """A description as plain text: wiki text as is, ADF flattened to lines."""
    if value is None:
        return ""
    if isinstance(value, str):
        return value
    if isinstance(value, Mapping):
        return adf_text(value)
    return ""


def adf_text(doc: Mapping[str, Any]) -> str:
    """The text of an Atlassian Document Format tree, one line per block.

    Smart links (``inlineCard``/``blockCard``) contribute their URL, mentions
    their display text, so references written either way are found.
    """
    parts: list[str] = []
    _walk(doc, parts)
    text = "".join(parts)
    return "\n".join(line.rstrip() for line in text.split("\n")).strip("\n")


def _walk(node: Any, out: list[str]) -> None:
    if not isinstance(node, Mapping):
        return
    kind = node.get("type")
    attrs = node.get("attrs") or {}
    if kind == "text":
        out.append(str(node.get("text") or ""))
    elif kind == "hardBreak":
        out.append("\n")
    elif kind in ("inlineCard", "blockCard", "embedCard"):
        out.append(str(attrs.get("url") or ""))
    elif kind in ("mention", "emoji", "status", "date"):
        out.append(str(attrs.get("text") or attrs.get("shortName") or ""))
    for child in node.get("content") or ():
        _walk(child, out)
    if kind in _BLOCK_NODES or kind == "blockCard":
        out.append("\n")
