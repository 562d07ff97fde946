"""The scope rule: which items are a source's, by repository (current name,
``owner/*``) or project; and which stored items moved."""

from __future__ import annotations

from support_items import work_item

from goldthread.core.scope import SourceScope, in_scope, moved_refs, ref_in_scope

GH = SourceScope("gh", repos=("acme/web", "Tools/*"))
JIRA = SourceScope("jira", projects=("PLAT",))


def test_a_configured_repository_or_owner_wildcard_is_in_scope_without_regard_to_case():
    assert in_scope(GH, "acme/web#3")
    assert in_scope(GH, "ACME/Web#3")
    assert in_scope(GH, "tools/anything#1")
    assert not in_scope(GH, "acme/other#1")
    assert not in_scope(GH, "acme/web")  # not an issue key


def test_a_renamed_repository_is_in_scope_by_its_new_name_only():
    renamed = SourceScope("gh", repos=("acme/web",), renamed=(("acme/web", "acme/shop"),))
    assert in_scope(renamed, "acme/shop#3")
    assert not in_scope(renamed, "acme/web#3")
    assert renamed.current_name("ACME/web") == "acme/shop"


def test_a_jira_key_is_in_scope_by_its_project():
    assert in_scope(JIRA, "PLAT-7")
    assert in_scope(JIRA, "plat-7")
    assert not in_scope(JIRA, "OPS-7")
    assert not in_scope(JIRA, "PLATFORM-7")


def test_a_ref_of_an_unknown_source_or_no_ref_at_all_is_outside():
    scopes = {"gh": GH, "jira": JIRA}
    assert ref_in_scope(scopes, "jira:PLAT-1")
    assert not ref_in_scope(scopes, "other:PLAT-1")
    assert not ref_in_scope(scopes, "PLAT-1")


def test_the_same_tracker_id_under_a_new_ref_is_a_move_and_no_id_is_never_one():
    stored = [("10004", "jira:PLAT-4"), ("", "jira:PLAT-5"), ("10003", "jira:PLAT-3")]
    fresh = [
        work_item("jira", "WEB-2", external_id="10004"),
        work_item("jira", "WEB-3"),
        work_item("jira", "PLAT-3", external_id="10003"),
    ]
    assert moved_refs(stored, fresh) == {"jira:PLAT-4": "jira:WEB-2"}
