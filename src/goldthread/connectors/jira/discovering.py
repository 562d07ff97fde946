"""What ``goldthread init --online`` learns from a Jira site before any config exists.

The projects the account can see (Cloud pages ``/project/search``; Data
Center lists ``/project``), the issue types with their hierarchy levels
(Cloud's ``hierarchyLevel``: -1 sub-task, 0 standard, 1 Epic, 2 and up the
levels Premium adds above Epic; Data Center says only which are sub-tasks),
the Epic Link and Parent Link fields, and the issue link types.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from goldthread.connectors.jira.connector import JiraConnector

PAGE = 50


@dataclass(frozen=True, slots=True)
class JiraTypeInfo:
    name: str
    level: int | None
    subtask: bool


@dataclass(frozen=True, slots=True)
class JiraFacts:
    who: str
    cloud: bool
    projects: tuple[tuple[str, str], ...]  # (key, name)
    issue_types: tuple[JiraTypeInfo, ...]
    epic_link_field: str | None
    parent_link_field: str | None
    link_types: tuple[tuple[str, str, str], ...]  # (name, inward, outward)


def discover(connector: JiraConnector) -> JiraFacts:
    client = connector.client
    me = client.get_json("read the account", "myself")
    who = str(me.get("emailAddress") or me.get("name") or me.get("accountId") or "?")
    cloud = client.cloud
    return JiraFacts(
        who=who,
        cloud=cloud,
        projects=_projects(connector, cloud=cloud),
        issue_types=_issue_types(client.get_json("list issue types", "issuetype"), cloud=cloud),
        epic_link_field=client.epic_link_field,
        parent_link_field=client.parent_link_field,
        link_types=tuple(
            (str(k.get("name")), str(k.get("inward")), str(k.get("outward")))
            for k in connector.link_types()
        ),
    )


def _projects(connector: JiraConnector, *, cloud: bool) -> tuple[tuple[str, str], ...]:
    client = connector.client
    if not cloud:
        listed = client.get_json("list projects", "project")
        return tuple(_project(p) for p in listed or [] if isinstance(p, Mapping))
    found: list[tuple[str, str]] = []
    start = 0
    while True:
        params = {"startAt": start, "maxResults": PAGE}
        page = client.get_json("list projects", "project/search", params)
        values = page.get("values") if isinstance(page, Mapping) else None
        found += [_project(p) for p in values or [] if isinstance(p, Mapping)]
        if not values or not isinstance(page, Mapping) or page.get("isLast", True):
            return tuple(found)
        start += len(values)


def _project(raw: Mapping[str, Any]) -> tuple[str, str]:
    return str(raw.get("key")), str(raw.get("name") or raw.get("key"))


def _issue_types(listed: Any, *, cloud: bool) -> tuple[JiraTypeInfo, ...]:
    seen: dict[str, JiraTypeInfo] = {}
    for raw in listed if isinstance(listed, list) else []:
        if not isinstance(raw, Mapping) or not raw.get("name"):
            continue
        level = raw.get("hierarchyLevel") if cloud else None
        info = JiraTypeInfo(
            name=str(raw["name"]),
            level=int(level) if isinstance(level, int) else None,
            subtask=bool(raw.get("subtask")),
        )
        seen.setdefault(info.name.casefold(), info)
    return tuple(seen.values())
