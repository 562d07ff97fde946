"""Writing labels, comments and sub-issue links through the real PyGithub client."""

from __future__ import annotations

from urllib.parse import quote

import github
import pytest
from sandbox_github_helpers import FakeClock, comment_seed, seed

from goldthread.sandbox.github import GitHubStandIn
from goldthread.sandbox.github_store import StoreError


@pytest.fixture
def repo(stand_in: GitHubStandIn, gh_client: github.Github) -> github.Repository.Repository:
    stand_in.load(
        [
            seed(1, type="Epic", labels=["keep"], comments=[comment_seed("seeded", "alice")]),
            seed(2),
            seed(3),
            seed(1, repo="other/x"),
        ]
    )
    return gh_client.get_repo("acme/web")


def test_added_labels_show_on_the_issue_and_bump_updated_at(
    stand_in: GitHubStandIn, repo: github.Repository.Repository, clock: FakeClock
) -> None:
    before = stand_in.issue("acme/web", 2)["updated_at"]
    clock.advance(60)
    repo.get_issue(2).add_to_labels("layer/vision", "gt:orphan")
    assert stand_in.labels("acme/web", 2) == ["layer/vision", "gt:orphan"]
    assert stand_in.issue("acme/web", 2)["updated_at"] > before


def test_a_label_with_a_slash_is_removed_when_its_name_is_fully_escaped(
    stand_in: GitHubStandIn, repo: github.Repository.Repository, gh_client: github.Github
) -> None:
    issue = repo.get_issue(1)
    issue.add_to_labels("layer/vision")
    url = f"{issue.url}/labels/{quote('layer/vision', safe='')}"
    _, remaining = gh_client.requester.requestJsonAndCheck("DELETE", url)
    assert [label["name"] for label in remaining] == ["keep"]
    assert stand_in.labels("acme/web", 1) == ["keep"]


def test_pygithub_remove_with_an_unescaped_slash_gets_404_as_on_github(
    repo: github.Repository.Repository,
) -> None:
    issue = repo.get_issue(1)
    issue.add_to_labels("layer/vision")
    with pytest.raises(github.UnknownObjectException):
        issue.remove_from_labels("layer/vision")


def test_removing_a_label_that_is_not_there_is_404(repo: github.Repository.Repository) -> None:
    with pytest.raises(github.GithubException) as missing:
        repo.get_issue(2).remove_from_labels("absent")
    assert (missing.value.status, missing.value.data["message"]) == (404, "Label does not exist")


def test_posting_an_empty_label_list_removes_all_labels(
    stand_in: GitHubStandIn, repo: github.Repository.Repository
) -> None:
    repo.get_issue(1).add_to_labels()
    assert stand_in.labels("acme/web", 1) == []


def test_set_and_delete_labels_replace_and_clear(
    stand_in: GitHubStandIn, repo: github.Repository.Repository
) -> None:
    issue = repo.get_issue(1)
    issue.set_labels("a", "b")
    assert stand_in.labels("acme/web", 1) == ["a", "b"]
    issue.delete_labels()
    assert stand_in.labels("acme/web", 1) == []


def test_repository_labels_can_be_created_and_read(repo: github.Repository.Repository) -> None:
    repo.create_label("layer/strategy", "00ff00", "strategy items")
    label = repo.get_label("layer/strategy")
    assert (label.color, label.description) == ("00ff00", "strategy items")
    assert "layer/strategy" in [label.name for label in repo.get_labels()]
    with pytest.raises(github.UnknownObjectException):
        repo.get_label("nope")


def test_comment_lifecycle_create_list_edit_delete(
    stand_in: GitHubStandIn, repo: github.Repository.Repository
) -> None:
    issue = repo.get_issue(1)
    created = issue.create_comment("<!-- goldthread:orphan --> no parent")
    assert created.user.login == "goldthread-bot"
    listed = list(issue.get_comments())
    assert [(c.user.login, c.body[:7]) for c in listed] == [
        ("alice", "seeded"),
        ("goldthread-bot", "<!-- go"),
    ]
    created.edit("linked now")
    assert repo.get_issue(1).get_comment(created.id).body == "linked now"
    created.delete()
    assert [c["body"] for c in stand_in.comments("acme/web", 1)] == ["seeded"]


def test_a_new_comment_raises_the_comment_count_and_updated_at(
    stand_in: GitHubStandIn, repo: github.Repository.Repository, clock: FakeClock
) -> None:
    clock.advance(3600)
    repo.get_issue(2).create_comment("hello")
    after = repo.get_issue(2)
    assert after.comments == 1
    assert after.updated_at.timestamp() == pytest.approx(clock(), abs=1)


def test_comments_of_another_repository_are_not_found(
    stand_in: GitHubStandIn, repo: github.Repository.Repository, gh_client: github.Github
) -> None:
    comment_id = stand_in.comments("acme/web", 1)[0]["id"]
    with pytest.raises(github.UnknownObjectException):
        gh_client.get_repo("other/x").get_issue(1).get_comment(comment_id)


def test_parent_endpoint_is_404_without_a_parent_and_the_parent_with_one(
    stand_in: GitHubStandIn, repo: github.Repository.Repository, gh_client: github.Github
) -> None:
    child = repo.get_issue(2)
    with pytest.raises(github.UnknownObjectException):
        gh_client.requester.requestJsonAndCheck("GET", f"{child.url}/parent")
    repo.get_issue(1).add_sub_issue(child)
    _, parent = gh_client.requester.requestJsonAndCheck("GET", f"{child.url}/parent")
    assert parent["number"] == 1
    assert repo.get_issue(2).parent_issue_url == parent["url"]


def test_sub_issues_are_listed_and_summarised_on_the_parent(
    stand_in: GitHubStandIn, repo: github.Repository.Repository
) -> None:
    parent = repo.get_issue(1)
    parent.add_sub_issue(repo.get_issue(2))
    parent.add_sub_issue(repo.get_issue(3).id)
    stand_in.set_state("acme/web", 3, "closed")
    assert [s.number for s in parent.get_sub_issues()] == [2, 3]
    summary = repo.get_issue(1).sub_issues_summary
    assert (summary.total, summary.completed, summary.percent_completed) == (2, 1, 50)


def test_removing_a_sub_issue_detaches_it(
    stand_in: GitHubStandIn, repo: github.Repository.Repository
) -> None:
    parent = repo.get_issue(1)
    parent.add_sub_issue(repo.get_issue(2))
    parent.remove_sub_issue(repo.get_issue(2))
    assert "parent_issue_url" not in stand_in.issue("acme/web", 2)
    assert list(parent.get_sub_issues()) == []


def test_a_second_parent_needs_replace_parent(
    stand_in: GitHubStandIn, repo: github.Repository.Repository, gh_client: github.Github
) -> None:
    child = repo.get_issue(3)
    repo.get_issue(1).add_sub_issue(child)
    with pytest.raises(github.GithubException) as refused:
        repo.get_issue(2).add_sub_issue(child)
    assert refused.value.status == 422
    gh_client.requester.requestJsonAndCheck(
        "POST",
        f"{repo.get_issue(2).url}/sub_issues",
        input={"sub_issue_id": child.id, "replace_parent": True},
    )
    assert stand_in.issue("acme/web", 3)["parent_issue_url"].endswith("/issues/2")
    assert stand_in.issue("acme/web", 1)["sub_issues_summary"]["total"] == 0


def test_a_sub_issue_from_another_owner_is_refused(
    stand_in: GitHubStandIn, repo: github.Repository.Repository, gh_client: github.Github
) -> None:
    foreign = gh_client.get_repo("other/x").get_issue(1)
    with pytest.raises(github.GithubException) as refused:
        repo.get_issue(1).add_sub_issue(foreign)
    assert refused.value.status == 422


def test_issue_edits_through_patch_change_state_and_type(
    stand_in: GitHubStandIn, repo: github.Repository.Repository
) -> None:
    repo.get_issue(2).edit(state="closed", state_reason="not_planned", body="done")
    after = stand_in.issue("acme/web", 2)
    assert (after["state"], after["state_reason"], after["body"]) == (
        "closed",
        "not_planned",
        "done",
    )


def test_a_parent_in_another_repository_of_the_owner_is_followed(
    stand_in: GitHubStandIn, gh_client: github.Github
) -> None:
    stand_in.load([seed(5, repo="acme/roadmap", type="Initiative"), seed(9)])
    stand_in.set_parent("acme/web", 9, ("acme/roadmap", 5))
    child = gh_client.get_repo("acme/web").get_issue(9)
    _, parent = gh_client.requester.requestJsonAndCheck("GET", child.parent_issue_url)
    assert (parent["number"], parent["type"]["name"]) == (5, "Initiative")
    assert parent["repository_url"].endswith("/repos/acme/roadmap")


def test_control_changes_to_a_missing_issue_are_refused_with_404(
    stand_in: GitHubStandIn,
) -> None:
    with pytest.raises(StoreError) as missing:
        stand_in.set_body("acme/web", 404, "x")
    assert missing.value.status == 404


def test_a_parent_link_that_would_make_a_cycle_is_refused(stand_in: GitHubStandIn) -> None:
    stand_in.load([seed(1), seed(2, parent=("acme/web", 1))])
    with pytest.raises(StoreError) as cycle:
        stand_in.set_parent("acme/web", 1, ("acme/web", 2))
    assert cycle.value.status == 422
