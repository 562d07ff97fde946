"""Every field goldthread reads from an answer is one the official description has,
in the schema of that answer (GitHub.com and each Enterprise Server version;
Jira Cloud v3)."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

import pytest
from support_openapi import Description, github, jira

# (schema, dotted field): what the connectors read.
GITHUB_READS = [
    ("issue", f)
    for f in [
        "id",
        "number",
        "title",
        "body",
        "state",
        "state_reason",
        "html_url",
        "labels",
        "comments",
        "created_at",
        "updated_at",
        "pull_request",
        "user",
    ]
] + [
    ("issue-comment", "id"),
    ("issue-comment", "body"),
    ("issue-comment", "user"),
    ("simple-user", "login"),
    ("private-user", "login"),
    ("integration", "slug"),
    ("installation", "id"),
    ("installation-token", "token"),
    ("installation-token", "expires_at"),
    ("minimal-repository", "full_name"),
    ("label", "name"),
]
HIERARCHY_READS = [("issue", "parent_issue_url"), ("issue", "type"), ("issue-type", "name")]
JIRA_READS = [
    ("SearchAndReconcileResults", "issues"),
    ("SearchAndReconcileResults", "nextPageToken"),
    ("SearchAndReconcileResults", "isLast"),
    ("SearchResults", "startAt"),
    ("SearchResults", "total"),
    ("IssueBean", "id"),
    ("IssueBean", "key"),
    ("IssueBean", "fields"),
    ("IssueBean", "properties"),
    ("PageOfComments", "comments"),
    ("PageOfComments", "startAt"),
    ("PageOfComments", "total"),
    ("PageBeanComment", "values"),
    ("Comment", "id"),
    ("Comment", "author"),
    ("Comment", "properties"),
    ("EntityProperty", "key"),
    ("EntityProperty", "value"),
    ("UserDetails", "accountId"),
    ("UserDetails", "key"),
    ("UserDetails", "name"),
    ("User", "accountId"),
    ("User", "displayName"),
    ("User", "emailAddress"),
    ("User", "timeZone"),
    ("ServerInformation", "deploymentType"),
    ("ServerInformation", "versionNumbers"),
    ("FieldDetails", "id"),
    ("FieldDetails", "clauseNames"),
    ("FieldDetails", "schema"),
    ("JsonTypeBean", "custom"),
    ("IssueUpdateMetadata", "fields"),
]


def has_field(description: Description, schema: str, field: str) -> bool:
    node: Mapping[str, Any] = description.document["components"]["schemas"][schema]
    seen = [node, *node.get("allOf", [])]
    return any(field in (part.get("properties") or {}) for part in seen)


@pytest.mark.parametrize("name", ["api.github.com", "ghes-3.13", "ghes-3.17", "ghes-3.19"])
def test_what_goldthread_reads_from_github_is_described(name: str) -> None:
    described = github(name)
    missing = [f"{s}.{f}" for s, f in GITHUB_READS if not has_field(described, s, f)]
    assert missing == []


@pytest.mark.parametrize(("name", "present"), [("ghes-3.13", False), ("ghes-3.17", True)])
def test_sub_issue_parents_and_types_are_read_only_where_described(
    name: str, present: bool
) -> None:
    """goldthread treats them as optional; 3.13 does not have them at all."""
    described = github(name)
    schemas = described.document["components"]["schemas"]
    found = [f for s, f in HIERARCHY_READS if s in schemas and has_field(described, s, f)]
    assert bool(found) is present
    issue = schemas["issue"]
    assert not {"parent_issue_url", "type"} & set(issue.get("required", []))


def test_what_goldthread_reads_from_jira_is_described() -> None:
    described = jira()
    assert [f"{s}.{f}" for s, f in JIRA_READS if not has_field(described, s, f)] == []
