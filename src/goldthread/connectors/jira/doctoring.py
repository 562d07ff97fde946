"""The doctor's look at a Jira source: per project, what goldthread's account may do.

``mypermissions`` answers per project whether the account may browse it, edit
its issues (goldthread's label) and add, edit and delete its own comments; a
project whose edit screen lacks the labels field cannot take the label even
so. The configured ``parent_link_types`` are checked against the link types
the site has.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from goldthread.connectors.health import Finding, Health, Severity, budget_finding
from goldthread.errors import SkippableError

if TYPE_CHECKING:
    from goldthread.connectors.jira.connector import JiraConnector

ASKED = (
    "BROWSE_PROJECTS",
    "EDIT_ISSUES",
    "ADD_COMMENTS",
    "EDIT_OWN_COMMENTS",
    "DELETE_OWN_COMMENTS",
)
NEEDED_FOR = {
    "EDIT_ISSUES": "for its label",
    "ADD_COMMENTS": "for its comment",
    "EDIT_OWN_COMMENTS": "to update its comment (on_resolve = update)",
    "DELETE_OWN_COMMENTS": "to delete its comment (on_resolve = delete)",
}
ESSENTIAL = ("EDIT_ISSUES", "ADD_COMMENTS")


def examine(connector: JiraConnector, *, writes: bool) -> Health:
    who = connector.check().split("; ")[0]
    findings: list[Finding] = []
    for project in connector.options.projects:
        findings += _project(connector, project, writes=writes)
    findings += [
        Finding(
            "write",
            f"labels cannot be written in {project} (the labels field is not on its edit "
            "screen): goldthread only comments there",
            Severity.WARNING,
            f"add the Labels field to the edit screen of {project}'s issue types",
        )
        for project in connector.locked_projects()
    ]
    findings.append(Finding("links", connector.link_kinds().describe()))
    findings += _link_types(connector)
    findings.append(
        budget_finding(
            connector.budget(),
            unknown="not announced (Jira sends its limits only when it starts limiting)",
        )
    )
    return Health(who=who, findings=tuple(findings))


def _project(connector: JiraConnector, project: str, *, writes: bool) -> list[Finding]:
    try:
        held = connector.my_permissions(project, ASKED)
    except SkippableError as error:
        return [
            Finding(
                "read",
                f"{project}: {error}",
                Severity.PROBLEM,
                "check the project key, and that goldthread's account can browse it",
            )
        ]
    if not held.get("BROWSE_PROJECTS", False):
        return [
            Finding(
                "read",
                f"{project}: cannot browse the project",
                Severity.PROBLEM,
                f"give goldthread's account Browse Projects in {project} (a project role)",
            )
        ]
    missing = [key for key in NEEDED_FOR if not held.get(key, False)]
    if not missing:
        return [Finding("read", f"{project}: may read, label and comment")]
    essential = writes and any(key in ESSENTIAL for key in missing)
    lacking = "; ".join(f"no {key} {NEEDED_FOR[key]}" for key in missing)
    return [
        Finding(
            "write",
            f"{project}: {lacking}",
            Severity.PROBLEM if essential else Severity.WARNING,
            f"give goldthread's account {', '.join(missing)} in {project}'s permission scheme",
        )
    ]


def _link_types(connector: JiraConnector) -> list[Finding]:
    wanted = connector.options.parent_link_types
    if not wanted:
        return []
    known = connector.link_types()
    names = {str(value).casefold() for kind in known for value in _names(kind)}
    unknown = [name for name in wanted if name.casefold() not in names]
    if not unknown:
        return [Finding("links", f"parent_link_types {', '.join(wanted)}: on this site")]
    have = ", ".join(f"{k.get('name')} ({k.get('outward')})" for k in known) or "none"
    return [
        Finding(
            "links",
            f"parent_link_types names {', '.join(unknown)}, which this site does not have",
            Severity.PROBLEM,
            f"use a link type name or outward phrase it has: {have}",
        )
    ]


def _names(kind: dict[str, Any]) -> list[Any]:
    return [kind.get("name"), kind.get("outward")]
