"""Every kind of Jira parent link, as the connector reads it from search results."""

from __future__ import annotations

from typing import Any

from jira_contract_helpers import api, connector, field_list, issue, site

from goldthread.core.model import LinkKind, ParentLink, WorkItem
from goldthread.core.references import GitHubSourceInfo, SourceIndex


def read_one(rsps: Any, raw: dict[str, Any], *, cloud: bool = True, **overrides: Any) -> WorkItem:
    base = site(rsps, cloud=cloud)
    if cloud:
        rsps.get(api(base, "3", "search/jql"), json={"issues": [raw], "isLast": True})
    else:
        rsps.get(api(base, "2", "search"), json={"startAt": 0, "total": 1, "issues": [raw]})
    [item] = list(connector(cloud=cloud, **overrides).read("PLAT", None))
    return item


def link(kind: LinkKind, target: str | None, raw: str, evidence: str) -> ParentLink:
    return ParentLink(kind=kind, target=target, raw=raw, evidence=evidence)


def test_the_parent_field_links_to_the_parent_at_any_level(rsps):
    raw = issue("PLAT-9", 9, parent={"id": "10", "key": "PLAT-1", "fields": {"summary": "Epic"}})
    item = read_one(rsps, raw)
    assert item.parents == (link(LinkKind.JIRA_PARENT, "jira:PLAT-1", "PLAT-1", "parent field"),)


def test_epic_link_is_found_by_its_schema_type_whatever_its_id(rsps):
    fields = field_list()
    for entry in fields:  # changed: the site numbers its custom fields differently
        if entry["id"] == "customfield_10014":
            entry["id"] = "customfield_12345"
    base = "https://jira.example.com"
    rsps.get(
        api(base, "2", "serverInfo"),
        json={"versionNumbers": [9, 12, 0], "deploymentType": "Server"},
    )
    rsps.get(api(base, "2", "field"), json=fields)
    rsps.get(
        api(base, "2", "search"),
        json={"startAt": 0, "total": 1, "issues": [issue("PLAT-3", 3, customfield_12345="PLAT-2")]},
    )
    [item] = list(connector(cloud=False).read("PLAT", None))

    assert item.parents == (
        link(LinkKind.EPIC_LINK, "jira:PLAT-2", "PLAT-2", "Epic Link (customfield_12345)"),
    )


def test_parent_link_is_read_as_a_key_or_as_an_object_carrying_one(rsps):
    as_text = read_one(rsps, issue("PLAT-4", 4, customfield_10018="PLAT-1"), cloud=False)
    as_object = read_one(
        rsps, issue("PLAT-5", 5, customfield_10018={"data": {"id": 1, "key": "PLAT-1"}})
    )
    expected = (
        link(LinkKind.PARENT_LINK, "jira:PLAT-1", "PLAT-1", "Parent Link (customfield_10018)"),
    )
    assert as_text.parents == expected
    assert as_object.parents == expected


def implements(
    direction: str, key: str, *, name: str = "Implements", outward: str = "implements"
) -> dict[str, Any]:
    return {
        "id": "20001",
        "type": {"id": "10100", "name": name, "inward": "is implemented by", "outward": outward},
        direction: {"id": "77", "key": key, "fields": {"summary": "Other"}},
    }


def test_an_issue_on_the_outward_side_of_a_parent_link_type_is_the_child(rsps):
    raw = issue(
        "PLAT-6",
        6,
        issuelinks=[implements("outwardIssue", "PLAT-2"), implements("inwardIssue", "PLAT-8")],
    )
    item = read_one(rsps, raw)
    assert item.parents == (
        link(LinkKind.ISSUE_LINK, "jira:PLAT-2", "PLAT-2", "link 'Implements'"),
    )


def test_link_types_match_by_name_or_outward_phrase_case_insensitively(rsps):
    raw = issue(
        "PLAT-6",
        6,
        issuelinks=[
            implements("outwardIssue", "PLAT-2", name="Hierarchy", outward="Rolls Up To"),
            implements("outwardIssue", "PLAT-3", name="IMPLEMENTS", outward="delivers"),
            implements("outwardIssue", "PLAT-4", name="Blocks", outward="blocks"),
        ],
    )
    item = read_one(rsps, raw, parent_link_types=("implements", "rolls up to"))
    assert [p.target for p in item.parents] == ["jira:PLAT-2", "jira:PLAT-3"]


def test_references_in_a_wiki_description_are_parent_links(rsps):
    raw = issue("PLAT-6", 6, description="Some context.\nPart of PLAT-1\n")
    item = read_one(rsps, raw, cloud=False)
    assert item.parents == (link(LinkKind.BODY_REFERENCE, "jira:PLAT-1", "PLAT-1", "body line 2"),)


def test_references_in_an_adf_description_are_parent_links(rsps):
    adf = {
        "type": "doc",
        "version": 1,
        "content": [
            {"type": "paragraph", "content": [{"type": "text", "text": "Why we do this."}]},
            {
                "type": "paragraph",
                "content": [
                    {"type": "text", "text": "Part of "},
                    {
                        "type": "inlineCard",
                        "attrs": {"url": "https://github.com/acme/web/issues/12"},
                    },
                ],
            },
        ],
    }
    index = SourceIndex(
        github=(GitHubSourceInfo(name="gh", web_host="github.com", repos=("acme/web",)),)
    )
    item = read_one(rsps, issue("PLAT-6", 6, description=adf), index=index)

    assert item.body == "Why we do this.\nPart of https://github.com/acme/web/issues/12"
    assert item.parents == (
        link(
            LinkKind.BODY_REFERENCE,
            "gh:acme/web#12",
            "https://github.com/acme/web/issues/12",
            "body line 2",
        ),
    )


def test_links_come_in_order_of_preference(rsps):
    raw = issue(
        "PLAT-6",
        6,
        description="Epic: PLAT-5",
        issuelinks=[implements("outwardIssue", "PLAT-4")],
        customfield_10018="PLAT-3",
        customfield_10014="PLAT-2",
        parent={"key": "PLAT-1"},
    )
    item = read_one(rsps, raw)
    assert [p.kind for p in item.parents] == [
        LinkKind.JIRA_PARENT,
        LinkKind.EPIC_LINK,
        LinkKind.PARENT_LINK,
        LinkKind.ISSUE_LINK,
        LinkKind.BODY_REFERENCE,
    ]


def test_a_parent_in_a_project_no_source_reads_is_a_missing_parent(rsps):
    item = read_one(rsps, issue("PLAT-6", 6, parent={"key": "SECRET-1"}))
    assert item.parents == (link(LinkKind.JIRA_PARENT, None, "SECRET-1", "parent field"),)


def test_an_item_without_links_has_no_parents(rsps):
    assert read_one(rsps, issue("PLAT-6", 6, description="Nothing here")).parents == ()
