"""``GET /rest/api/{2,3}/field`` of the Jira stand-in.

System fields shaped like ``fixtures/jira/rest/field.list.200.json``; Data
Center adds Jira Software's Epic Link and Advanced Roadmaps' Parent Link as
custom fields with site-specific ids, next to look-alike decoys (Epic Name,
Epic Status) so that only a lookup by ``schema.custom`` finds the right ones.
"""

from __future__ import annotations

from typing import Any

_SYSTEM = (
    # id, name, type, items, clause names, navigable
    ("summary", "Summary", "string", None, ["summary"], True),
    ("description", "Description", "string", None, ["description"], True),
    ("labels", "Labels", "array", "string", ["labels"], True),
    ("issuetype", "Issue Type", "issuetype", None, ["issuetype", "type"], True),
    ("status", "Status", "status", None, ["status"], True),
    ("project", "Project", "project", None, ["project"], True),
    ("priority", "Priority", "priority", None, ["priority"], True),
    ("created", "Created", "datetime", None, ["created", "createdDate"], True),
    ("updated", "Updated", "datetime", None, ["updated", "updatedDate"], True),
    ("issuelinks", "Linked Issues", "array", "issuelinks", ["issueLink"], True),
    ("subtasks", "Sub-tasks", "array", "issuelinks", ["subtasks"], True),
    ("comment", "Comment", "comments-page", None, ["comment"], False),
    ("parent", "Parent", "issuelink", None, ["parent"], True),
    ("issuekey", "Key", "string", None, ["id", "issue", "issuekey", "key"], True),
)


def _system(entry: tuple[str, str, str, str | None, list[str], bool]) -> dict[str, Any]:
    field_id, name, kind, items, clauses, navigable = entry
    schema: dict[str, Any] = {"type": kind, "system": field_id}
    if items:
        schema["items"] = items
    return {
        "id": field_id,
        "key": field_id,
        "name": name,
        "custom": False,
        "orderable": True,
        "navigable": navigable,
        "searchable": True,
        "clauseNames": clauses,
        "schema": schema,
    }


def _custom(field_id: str, name: str, custom: str, kind: str = "any") -> dict[str, Any]:
    number = int(field_id.rpartition("_")[2])
    return {
        "id": field_id,
        "key": field_id,
        "name": name,
        "custom": True,
        "orderable": True,
        "navigable": True,
        "searchable": True,
        "clauseNames": [f"cf[{number}]", name],
        "schema": {"type": kind, "custom": custom, "customId": number},
    }


def field_list(cloud: bool, epic_field: str, parent_field: str) -> list[dict[str, Any]]:
    fields = [_system(entry) for entry in _SYSTEM]
    if cloud:
        fields.append(
            _custom("customfield_10020", "Sprint", "com.pyxis.greenhopper.jira:gh-sprint", "array")
        )
        return fields
    epic_number = int(epic_field.rpartition("_")[2])
    fields += [
        _custom(
            f"customfield_{epic_number + 1}",
            "Epic Name",
            "com.pyxis.greenhopper.jira:gh-epic-label",
            "string",
        ),
        _custom(
            f"customfield_{epic_number + 2}",
            "Epic Status",
            "com.pyxis.greenhopper.jira:gh-epic-status",
            "option",
        ),
        _custom(epic_field, "Epic Link", "com.pyxis.greenhopper.jira:gh-epic-link"),
        _custom(parent_field, "Parent Link", "com.atlassian.jpo:jpo-custom-field-parent"),
    ]
    return fields
