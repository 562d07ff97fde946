"""The stand-in's JSON has the keys and value types of GitHub's real payloads."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

from sandbox_github_helpers import comment_seed, seed

from goldthread.sandbox.github import GitHubStandIn

FIXTURES = Path(__file__).resolve().parents[3] / "shared" / "fixtures" / "github"


def fixture(name: str) -> Any:
    return json.loads((FIXTURES / name).read_text())


def kinds(payload: dict[str, Any]) -> dict[str, str]:
    """Key → JSON kind, with null standing for "may be absent or of any kind"."""
    return {key: type(value).__name__ for key, value in payload.items()}


def assert_same_shape(ours: dict[str, Any], real: dict[str, Any], optional: set[str]) -> None:
    assert set(real) - optional <= set(ours), set(real) - set(ours)
    assert set(ours) - optional <= set(real), set(ours) - set(real)
    for key, kind in kinds(real).items():
        if key in ours and real[key] is not None and ours[key] is not None:
            assert type(ours[key]).__name__ == kind, key


def loaded(**overrides: Any) -> GitHubStandIn:
    gh = GitHubStandIn()
    gh.load([seed(1, type="Epic", labels=["layer/vision"], comments=[comment_seed("hi")])])
    gh.load([seed(2, parent=("acme/web", 1), **overrides)])
    return gh


def test_issue_has_the_keys_and_types_of_a_2025_webhook_issue() -> None:
    real = fixture("webhooks/issues.typed.json")["issue"]
    ours = loaded().issue("acme/web", 1)
    assert_same_shape(ours, real, optional=set())
    assert ours["type"].keys() == real["type"].keys()
    assert ours["sub_issues_summary"] == {"total": 1, "completed": 0, "percent_completed": 0}


def test_issue_has_the_keys_of_the_rest_example_except_its_pull_request_extras() -> None:
    real = fixture("rest/issue.json")
    ours = loaded().issue("acme/web", 1)
    # The REST example is a PR with a closed_by and pinned_comment; a plain issue lacks them.
    optional = {"pull_request", "closed_by", "pinned_comment", "type", "sub_issues_summary"}
    optional |= {"reactions", "timeline_url", "performed_via_github_app"}
    assert_same_shape(ours, real, optional)
    assert ours["labels"][0].keys() == real["labels"][0].keys()
    assert ours["user"].keys() >= real["user"].keys()


def test_parent_issue_url_is_present_only_on_a_sub_issue() -> None:
    gh = loaded()
    assert "parent_issue_url" not in gh.issue("acme/web", 1)
    assert gh.issue("acme/web", 2)["parent_issue_url"].endswith("/repos/acme/web/issues/1")


def test_pull_request_carries_a_pull_request_key_like_the_rest_example() -> None:
    ours = loaded(is_pull_request=True).issue("acme/web", 2)
    assert ours["pull_request"].keys() >= fixture("rest/issue.json")["pull_request"].keys()
    assert "/pull/2" in ours["html_url"]


def test_comment_has_the_keys_and_types_of_a_real_comment() -> None:
    real = fixture("webhooks/issue_comment.created.json")["comment"]
    ours = loaded().comments("acme/web", 1)[0]
    assert_same_shape(ours, real, optional=set())
    rest = fixture("rest/issue-comment.json")
    assert_same_shape(
        ours, rest, optional={"pin", "minimized", "reactions", "performed_via_github_app"}
    )


def test_label_has_the_keys_and_types_of_a_real_label() -> None:
    real = fixture("rest/label-items.json")[0]
    ours = loaded().issue("acme/web", 1)["labels"][0]
    assert_same_shape(ours, real, optional=set())
    assert ours["name"] == "layer/vision"
    assert ours["url"].endswith("/labels/layer%2Fvision")


def test_html_url_uses_the_configured_web_host() -> None:
    gh = GitHubStandIn(web_host="git.example.test")
    gh.load([seed(7)])
    assert gh.issue("acme/web", 7)["html_url"] == "https://git.example.test/acme/web/issues/7"


def test_closed_issue_has_a_closed_at_and_reason() -> None:
    gh = loaded()
    gh.set_state("acme/web", 2, "closed", "not_planned")
    closed = gh.issue("acme/web", 2)
    assert closed["state"] == "closed"
    assert closed["state_reason"] == "not_planned"
    assert closed["closed_at"] is not None
    assert gh.issue("acme/web", 1)["sub_issues_summary"]["completed"] == 1
