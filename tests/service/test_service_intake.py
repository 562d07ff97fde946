"""Intake decisions on real deliveries: what is genuine, what is news, and
which items an event names."""

from __future__ import annotations

import copy
from pathlib import Path

import pytest
from service_helpers import fixture, unit_settings

from goldthread.core.scope import SourceScope
from goldthread.errors import PayloadError
from goldthread.service import intake
from goldthread.service.intake import Accepted, Dropped, Routing

GITHUB_VECTOR_SECRET = "It's a Secret to Everybody"
GITHUB_VECTOR_SIGNATURE = "sha256=757107ea0eb2509fc211221cce984b8a37570b6d7586c22c46f4379c8b043e17"


@pytest.fixture
def routing(tmp_path: Path) -> Routing:
    return Routing.from_settings(unit_settings(tmp_path))


def test_githubs_published_test_vector_verifies() -> None:
    assert intake.signature_matches(
        b"Hello, World!", GITHUB_VECTOR_SIGNATURE, [GITHUB_VECTOR_SECRET]
    )


def test_any_secret_of_a_rotation_verifies_and_no_other_does() -> None:
    secrets = ["new-secret", GITHUB_VECTOR_SECRET]
    assert intake.signature_matches(b"Hello, World!", GITHUB_VECTOR_SIGNATURE, secrets)
    assert not intake.signature_matches(b"Hello, World!", GITHUB_VECTOR_SIGNATURE, ["new-secret"])


@pytest.mark.parametrize(
    "header",
    [None, "", "sha256=", "sha1=757107ea", GITHUB_VECTOR_SIGNATURE.replace("7571", "7572")],
)
def test_a_missing_malformed_or_wrong_signature_does_not_verify(header: str | None) -> None:
    assert not intake.signature_matches(b"Hello, World!", header, [GITHUB_VECTOR_SECRET])


def test_a_changed_body_does_not_verify_under_the_original_signature() -> None:
    assert not intake.signature_matches(
        b"Hello, World?", GITHUB_VECTOR_SIGNATURE, [GITHUB_VECTOR_SECRET]
    )


def test_the_data_center_url_token_must_be_one_of_the_configured_tokens() -> None:
    assert intake.token_matches("t-2", ["t-1", "t-2"])
    assert not intake.token_matches("t-3", ["t-1", "t-2"])
    assert not intake.token_matches(None, ["t-1"])


@pytest.mark.parametrize("body", [b"{oops", b"[1, 2]", b"\xff\xfe", b""])
def test_a_body_that_is_not_a_json_object_is_malformed(body: bytes) -> None:
    with pytest.raises(PayloadError):
        intake.parse_object(body)


def test_an_opened_issue_is_accepted_with_its_ref_as_the_item(routing: Routing) -> None:
    decision = intake.classify_github(
        "issues", fixture("github", "issues.opened.json"), routing, "d1"
    )

    assert decision == Accepted(
        source="gh",
        delivery_key="d1",
        event="issues.opened",
        item_hint="gh:Codertocat/Hello-World#1",
        targets={"gh": ("Codertocat/Hello-World#1",)},
    )


def test_a_ping_is_answered_and_not_stored(routing: Routing) -> None:
    assert intake.classify_github("ping", fixture("github", "ping.json"), routing, "d") == Dropped(
        "ping"
    )


def test_goldthreads_own_label_going_on_or_off_is_an_own_event(routing: Routing) -> None:
    for name in ("issues.labeled.json", "issues.unlabeled.json"):
        payload = fixture("github", name)
        payload["label"]["name"] = "Goldthread:Untraced"
        assert intake.classify_github("issues", payload, routing, "d") == Dropped("own-event")


def test_someone_elses_label_is_news(routing: Routing) -> None:
    decision = intake.classify_github(
        "issues", fixture("github", "issues.labeled.json"), routing, "d"
    )
    assert isinstance(decision, Accepted)


def test_a_comment_carrying_goldthreads_marker_is_an_own_event(routing: Routing) -> None:
    payload = fixture("github", "issue_comment.created.json")
    payload["comment"]["body"] = "Flagged.\n<!-- goldthread:marker v1 fingerprint=abc -->"
    assert intake.classify_github("issue_comment", payload, routing, "d") == Dropped("own-event")


def test_other_peoples_comments_and_unrelated_events_are_ignored(routing: Routing) -> None:
    comment = fixture("github", "issue_comment.created.json")
    assert intake.classify_github("issue_comment", comment, routing, "d") == Dropped("ignored")
    label = fixture("github", "label.created.json")
    assert intake.classify_github("label", label, routing, "d") == Dropped("ignored")
    pinned = fixture("github", "issues.opened.json") | {"action": "pinned"}
    assert intake.classify_github("issues", pinned, routing, "d") == Dropped("ignored")


def test_an_issue_in_a_repository_no_source_reads_is_dropped(routing: Routing) -> None:
    payload = copy.deepcopy(fixture("github", "issues.opened.json"))
    payload["issue"]["repository_url"] = "https://api.github.com/repos/someone/else"
    payload["repository"]["full_name"] = "someone/else"
    assert intake.classify_github("issues", payload, routing, "d") == Dropped("unknown-source")


def test_a_sub_issue_event_names_the_child_then_the_parent(routing: Routing) -> None:
    child = fixture("github", "issues.typed.json")["issue"]
    child["repository_url"] = "https://api.github.com/repos/Codertocat/Hello-World"
    parent = copy.deepcopy(child) | {"number": 99}
    parent["repository_url"] = "https://api.github.com/repos/acme/web"
    payload = {
        "action": "parent_issue_added",
        "sub_issue": child,
        "parent_issue": parent,
        "repository": {"full_name": "Codertocat/Hello-World"},
    }
    decision = intake.classify_github("sub_issues", payload, routing, "d")

    assert isinstance(decision, Accepted)
    repo = intake.github_targets("sub_issues", payload, routing)["gh"]
    assert repo == (f"Codertocat/Hello-World#{child['number']}", "acme/web#99")
    assert decision.item_hint == f"gh:Codertocat/Hello-World#{child['number']}"


def test_a_github_redelivery_keeps_its_dedup_key() -> None:
    assert intake.github_delivery_key("72d3162e", b"{}") == "72d3162e"
    assert intake.github_delivery_key(None, b"{}") == intake.github_delivery_key("", b"{}")


def test_a_jira_retry_has_the_same_dedup_key_and_a_new_event_a_new_one() -> None:
    first = intake.jira_delivery_key("hook-1", {"timestamp": 1}, b"a")
    assert first == intake.jira_delivery_key("hook-1", {"timestamp": 1}, b"a")
    assert first != intake.jira_delivery_key("hook-1", {"timestamp": 2}, b"b")


def test_a_jira_issue_event_names_its_key_on_the_matching_site(routing: Routing) -> None:
    decision = intake.classify_jira(fixture("jira", "dc.issue.created.json"), routing, "k")
    assert decision == Accepted(
        source="jira",
        delivery_key="k",
        event="jira:issue_created",
        item_hint="jira:BBCOM-1398",
        targets={"jira": ("BBCOM-1398",)},
    )


def test_a_jira_link_event_names_both_ends_by_id(routing: Routing) -> None:
    decision = intake.classify_jira(fixture("jira", "dc.issuelink.created.json"), routing, "k")
    assert isinstance(decision, Accepted)
    assert decision.item_hint is None
    ends = decision.targets["jira"]
    assert len(ends) == 2
    assert all(end.isdigit() for end in ends)


def test_a_jira_update_that_only_moves_goldthreads_label_is_an_own_event(
    routing: Routing,
) -> None:
    payload = fixture("jira", "dc.issue.updated.status-changed.json")
    payload["changelog"]["items"] = [
        {"field": "labels", "fromString": "backend", "toString": "backend goldthread:untraced"}
    ]
    assert intake.classify_jira(payload, routing, "k") == Dropped("own-event")
    payload["changelog"]["items"][0]["toString"] = "backend goldthread:untraced vision"
    assert isinstance(intake.classify_jira(payload, routing, "k"), Accepted)


def test_jira_comment_events_and_comment_only_updates_are_ignored(routing: Routing) -> None:
    for name in ("dc.comment.created.json", "dc.issue.updated.commented.json"):
        assert intake.classify_jira(fixture("jira", name), routing, "k") == Dropped("ignored")


def test_a_stored_event_names_the_same_items_it_was_accepted_for(routing: Routing) -> None:
    jira = fixture("jira", "dc.issue.updated.status-changed.json")
    github = fixture("github", "issues.edited.json")
    assert intake.targets_of("jira:issue_updated", jira, routing) == {"jira": ("INDEV-6",)}
    assert intake.targets_of("issues.edited", github, routing) == {
        "gh": ("Codertocat/Hello-World#1",)
    }


def _from_renamed_repo(payload: dict, full_name: str, repo_id: int) -> dict:
    """``payload`` as GitHub sends it once its repository is called ``full_name``."""
    moved = copy.deepcopy(payload)
    owner, name = full_name.split("/")
    moved["repository"].update(id=repo_id, name=name, full_name=full_name)
    moved["repository"]["owner"]["login"] = owner
    moved["issue"]["repository_url"] = f"https://api.github.com/repos/{full_name}"
    return moved


def test_a_renamed_repositorys_deliveries_are_routed_by_its_id_from_the_rename_on(
    routing: Routing, tmp_path: Path
) -> None:
    shop = _from_renamed_repo(fixture("github", "issues.edited.json"), "acme/shop", 4242)
    renamed = {
        "action": "renamed",
        "changes": {"repository": {"name": {"from": "web"}}},
        "repository": shop["repository"],
    }
    assert intake.classify_github("issues", shop, routing, "k1") == Dropped("unknown-source")
    assert intake.classify_github("repository", renamed, routing, "k2") == Dropped("ignored")
    decision = intake.classify_github("issues", shop, routing, "k3")
    assert isinstance(decision, Accepted)
    assert decision.targets == {"gh": (f"acme/shop#{shop['issue']['number']}",)}
    elsewhere = Routing.from_settings(unit_settings(tmp_path))  # has not seen the rename
    assert intake.targets_of("issues.edited", shop, elsewhere, "gh") == decision.targets


def test_a_rename_the_connector_has_learned_routes_deliveries_under_the_new_name(
    tmp_path: Path,
) -> None:
    learned = SourceScope("gh", repos=("acme/web",), renamed=(("acme/web", "acme/shop"),))
    routing = Routing.from_settings(unit_settings(tmp_path), scopes=lambda: {"gh": learned})
    shop = _from_renamed_repo(fixture("github", "issues.edited.json"), "acme/shop", 4242)
    decision = intake.classify_github("issues", shop, routing, "k")
    assert isinstance(decision, Accepted)
    assert decision.source == "gh"
    other = _from_renamed_repo(shop, "acme/elsewhere", 7)
    assert intake.classify_github("issues", other, routing, "k") == Dropped("unknown-source")


# ---------------------------------------------------------------- odd payloads


def test_json_nested_too_deeply_to_parse_is_malformed_not_a_crash() -> None:
    deep = b'{"a":' * 100_000 + b"1" + b"}" * 100_000
    with pytest.raises(PayloadError, match="nested too deeply"):
        intake.parse_object(deep)


@pytest.mark.parametrize("number", [True, False, 0, -1, 1.0, "1", 10**13, None])
def test_an_issue_number_that_is_not_a_positive_integer_names_no_item(
    routing: Routing, number: object
) -> None:
    payload = fixture("github", "issues.opened.json")
    payload["issue"]["number"] = number

    assert intake.classify_github("issues", payload, routing, "d") == Dropped("unknown-source")


@pytest.mark.parametrize(
    "repository_url",
    [
        "https://api.github.com/repos/Codertocat/Hello World",
        "https://api.github.com/repos/Codertocat/..",
        "https://api.github.com/repos/Codertocat/Hello-World#2",
        "https://api.github.com/repos/Codertocat/Hello-World?x=1",
        "https://api.github.com/repos/Codertocat/Hello-World\n",
        "https://api.github.com/repos/-/Hello-World",
    ],
)
def test_a_repository_name_github_would_not_give_names_no_item(
    routing: Routing, repository_url: str
) -> None:
    payload = fixture("github", "issues.opened.json")
    payload["issue"]["repository_url"] = repository_url
    payload["repository"]["full_name"] = repository_url.rpartition("/repos/")[2]

    assert intake.classify_github("issues", payload, routing, "d") == Dropped("unknown-source")


@pytest.mark.parametrize("key", ["BBCOM-1398\n", "BBCOM-١٣٩٨", "BBCOM-", "-1398", "BB COM-1", 7])
def test_a_jira_key_without_jiras_key_syntax_names_no_item(routing: Routing, key: object) -> None:
    payload = fixture("jira", "dc.issue.created.json")
    payload["issue"]["key"] = key

    assert intake.classify_jira(payload, routing, "k") == Dropped("unknown-source")


@pytest.mark.parametrize("end", [True, "١٢", "-5", "0", "", 1.5, "12 ", None])
def test_a_jira_link_end_that_is_not_an_issue_id_is_left_out(routing: Routing, end: object) -> None:
    payload = fixture("jira", "dc.issuelink.created.json")
    payload["issueLink"]["sourceIssueId"] = end

    decision = intake.classify_jira(payload, routing, "k")

    assert isinstance(decision, Accepted)
    assert decision.targets["jira"] == (str(payload["issueLink"]["destinationIssueId"]),)
