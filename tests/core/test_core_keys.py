"""One rule for each tracker name, used by scope, owners and intake alike."""

from __future__ import annotations

import pytest

from goldthread.core.keys import is_github_com, jira_project
from goldthread.core.marker import find_marker, has_marker, marker, without_marker
from goldthread.core.owners import place
from goldthread.core.scope import SourceScope, in_scope, scope_of


@pytest.mark.parametrize(
    ("key", "project"),
    [("PLAT-7", "PLAT"), ("plat-7", "PLAT"), (" PLAT-7 ", "PLAT"), ("A_B2-1", "A_B2")],
)
def test_a_jira_key_names_its_project_as_jira_spells_it(key: str, project: str) -> None:
    assert jira_project(key) == project


@pytest.mark.parametrize("key", ["PLAT", "PLAT-", "7-PLAT", "PLAT-7x", "PLAT-1234567890123", ""])
def test_what_is_not_a_jira_key_has_no_project(key: str) -> None:
    assert jira_project(key) is None


def test_scope_and_owners_read_a_key_the_same_way() -> None:
    scope = SourceScope(source="jira", projects=("PLAT",))

    for key in ("PLAT-7", "plat-7"):
        assert scope_of(key) == "PLAT"
        assert in_scope(scope, key)
        assert place(key) == (None, "PLAT")
    assert not in_scope(scope, "PLAT-1234567890123")


@pytest.mark.parametrize(
    ("url", "dotcom"),
    [
        ("https://api.github.com", True),
        ("https://api.github.com/", True),
        ("https://github.example.com/api/v3", False),
        ("http://127.0.0.1:8080", False),
    ],
)
def test_github_com_is_told_from_an_enterprise_server_by_its_api_root(
    url: str, dotcom: bool
) -> None:
    assert is_github_com(url) is dotcom


def test_the_marker_goldthread_writes_is_found_and_hidden_again() -> None:
    body = "Needs a parent.\n\n" + marker("abc 123<>")

    assert find_marker(body) == "abc123"
    assert has_marker(body)
    assert without_marker(body) == "Needs a parent."
    assert not has_marker("Needs a parent.")
    assert not has_marker(None)


def test_a_future_marker_version_is_still_recognised_as_goldthreads_mark() -> None:
    body = "Text\n<!-- goldthread:marker v2 fingerprint=x -->"

    assert has_marker(body)
    assert find_marker(body) is None
    assert without_marker(body) == "Text"
