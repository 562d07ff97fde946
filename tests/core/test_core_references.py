"""References written in bodies, resolved across every configured source."""

from __future__ import annotations

import re

import pytest

from goldthread.core.model import LinkKind
from goldthread.core.references import (
    MAX_LINE_CHARS,
    MAX_SCAN_CHARS,
    GitHubSourceInfo,
    JiraSourceInfo,
    SourceIndex,
    extract_references,
    github_ref,
    jira_ref,
    parse_reference,
)

INDEX = SourceIndex(
    github=(
        GitHubSourceInfo(name="gh", web_host="github.com", repos=("acme/web", "tools/*")),
        GitHubSourceInfo(name="ghe", web_host="ghe.example.com", repos=("acme/web",)),
    ),
    jira=(JiraSourceInfo(name="jira", web_host="acme.atlassian.net", projects=("PLAT", "WEB")),),
)
DEFAULT = re.compile(r"(?im)^\s*(?:parent|part of|epic)\s*:?\s*(?P<ref>\S+)")


def target(raw: str, *, here: str = "gh", repo: str | None = "acme/web") -> str | None:
    link = parse_reference(raw, here_source=here, here_repo=repo, index=INDEX)
    assert link is not None, f"{raw!r} should be a reference"
    assert link.kind is LinkKind.BODY_REFERENCE
    return link.target


def test_refs_are_spelled_source_colon_key() -> None:
    assert github_ref("gh", "acme/web", 12) == "gh:acme/web#12"
    assert jira_ref("jira", "PLAT-7") == "jira:PLAT-7"


@pytest.mark.parametrize(
    ("raw", "expected"),
    [
        ("https://github.com/acme/web/issues/12", "gh:acme/web#12"),
        ("https://ghe.example.com/acme/web/issues/12", "ghe:acme/web#12"),
        ("https://github.com/acme/web/issues/12#issuecomment-99", "gh:acme/web#12"),
        ("acme/web#12", "gh:acme/web#12"),
        ("ACME/Web#12", "gh:acme/web#12"),
        ("#12", "gh:acme/web#12"),
        ("tools/cli#3", "gh:tools/cli#3"),
        ("PLAT-7", "jira:PLAT-7"),
        ("https://acme.atlassian.net/browse/PLAT-7", "jira:PLAT-7"),
        ("https://acme.atlassian.net/browse/plat-7", "jira:PLAT-7"),
        ("https://jira.example.com/jira/browse/WEB-3?focused=1", "jira:WEB-3"),
    ],
)
def test_every_reference_form_resolves_to_its_sources_ref(raw: str, expected: str) -> None:
    assert target(raw) == expected


@pytest.mark.parametrize("raw", ["PLAT-7.", "PLAT-7,", "(PLAT-7)", "**PLAT-7**", "<PLAT-7>;"])
def test_surrounding_punctuation_is_stripped(raw: str) -> None:
    link = parse_reference(raw, here_source="gh", here_repo="acme/web", index=INDEX)
    assert link is not None
    assert (link.target, link.raw) == ("jira:PLAT-7", "PLAT-7")


def test_a_markdown_link_is_read_by_its_url() -> None:
    assert target("[the epic](https://acme.atlassian.net/browse/WEB-9)") == "jira:WEB-9"


def test_the_source_written_in_wins_when_two_sources_read_the_same_repository() -> None:
    assert target("acme/web#5", here="ghe") == "ghe:acme/web#5"
    assert target("acme/web#5", here="jira", repo=None) == "gh:acme/web#5"


def test_a_jira_item_can_name_a_github_issue_by_url() -> None:
    assert target("https://github.com/acme/web/issues/4", here="jira", repo=None) == "gh:acme/web#4"


def test_a_pull_request_url_names_a_parent_that_will_be_missing() -> None:
    assert target("https://github.com/acme/web/pull/8") == "gh:acme/web#8"


@pytest.mark.parametrize(
    "raw",
    [
        "other/repo#4",
        "https://github.com/other/repo/issues/4",
        "OPS-1",
        "https://x.test/browse/OPS-2",
    ],
)
def test_a_recognised_reference_no_source_owns_is_a_missing_parent(raw: str) -> None:
    assert target(raw) is None


@pytest.mark.parametrize(
    "raw", ["see", "https://github.com/acme/web", "plat-7", "#", "#x", "", "acme/web", "12"]
)
def test_text_that_is_no_reference_is_ignored(raw: str) -> None:
    assert parse_reference(raw, here_source="gh", here_repo="acme/web", index=INDEX) is None


def test_a_bare_number_means_nothing_outside_a_github_repository() -> None:
    assert parse_reference("#12", here_source="jira", here_repo=None, index=INDEX) is None
    assert parse_reference("#12", here_source="gh", here_repo=None, index=INDEX) is None


def test_extract_reads_every_pattern_in_text_order_with_line_evidence() -> None:
    body = "Intro\nPart of PLAT-7.\nsee also acme/web#3\nEpic: https://acme.atlassian.net/browse/WEB-2\n"
    also = re.compile(r"see also (?P<ref>\S+)")
    links = extract_references(
        body, [DEFAULT, also], here_source="gh", here_repo="acme/web", index=INDEX
    )
    assert [(x.target, x.evidence) for x in links] == [
        ("jira:PLAT-7", "body line 2"),
        ("gh:acme/web#3", "body line 3"),
        ("jira:WEB-2", "body line 4"),
    ]


def test_extract_orders_matches_on_one_line_by_position() -> None:
    later = re.compile(r"then (?P<ref>\S+)")
    first = re.compile(r"first (?P<ref>\S+)")
    links = extract_references(
        "first PLAT-1 then PLAT-2",
        [later, first],
        here_source="gh",
        here_repo="acme/web",
        index=INDEX,
    )
    assert [x.target for x in links] == ["jira:PLAT-1", "jira:PLAT-2"]


def test_extract_names_each_parent_once() -> None:
    body = "parent: PLAT-7\nparent: https://acme.atlassian.net/browse/PLAT-7\nparent: OPS-1\nepic OPS-1"
    links = extract_references(body, [DEFAULT], here_source="gh", here_repo="acme/web", index=INDEX)
    assert [(x.target, x.raw) for x in links] == [("jira:PLAT-7", "PLAT-7"), (None, "OPS-1")]


def test_extract_ignores_text_that_is_not_a_reference() -> None:
    links = extract_references(
        "Part of the plan\nparent: none", [DEFAULT], here_source="gh", here_repo="a/b", index=INDEX
    )
    assert links == ()


def test_extract_reads_only_the_first_part_of_a_huge_body() -> None:
    body = "parent: PLAT-1\n" + "x\n" * (MAX_SCAN_CHARS // 2) + "parent: PLAT-2\n"
    links = extract_references(body, [DEFAULT], here_source="gh", here_repo="a/b", index=INDEX)
    assert [x.target for x in links] == ["jira:PLAT-1"]


def test_extract_skips_an_overlong_line() -> None:
    body = "parent: PLAT-1 " + "y" * MAX_LINE_CHARS + "\nparent: PLAT-2"
    links = extract_references(body, [DEFAULT], here_source="gh", here_repo="a/b", index=INDEX)
    assert [(x.target, x.evidence) for x in links] == [("jira:PLAT-2", "body line 2")]


def test_extract_survives_a_body_built_to_make_the_default_pattern_backtrack() -> None:
    hostile = ("\n" + " " * 1_999) * 40 + "\r\n" * 10_000 + "parent: " + "#" * 5_000
    links = extract_references(hostile, [DEFAULT], here_source="gh", here_repo="a/b", index=INDEX)
    assert links == ()


def test_a_reference_longer_than_any_line_is_not_read() -> None:
    raw = "https://github.com/acme/web/issues/1?" + "q" * MAX_LINE_CHARS
    assert parse_reference(raw, here_source="gh", here_repo="a/b", index=INDEX) is None
