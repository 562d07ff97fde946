"""[[owners]]: the first rule whose every condition matches names the team."""

from __future__ import annotations

from datetime import UTC, datetime

from goldthread.core.model import WorkItem
from goldthread.core.owners import OwnerRule, OwnerRules, place

NOW = datetime(2026, 3, 2, tzinfo=UTC)


def item(ref: str, *, labels: tuple[str, ...] = (), components: tuple[str, ...] = ()) -> WorkItem:
    source, key = ref.split(":", 1)
    return WorkItem(
        ref=ref, source=source, key=key, url="", title="", body="", type=None,
        labels=labels, state="open", created_at=NOW, updated_at=NOW, components=components,
    )  # fmt: skip


RULES = OwnerRules(
    (
        OwnerRule(team="payments", repos=("acme/pay-*",), projects=("PAY",), index=0),
        OwnerRule(team="payments", components=("Billing*",), index=1),
        OwnerRule(team="platform", sources=("jira",), labels=("team:platform",), index=2),
        OwnerRule(team="web", sources=("gh",), index=3),
    ),
    own_label="goldthread:untraced",
)


def test_a_repository_glob_or_a_project_names_the_team_where_the_item_lives() -> None:
    assert RULES.team(item("gh:acme/pay-api#3")) == "payments"
    assert RULES.team(item("gh:ACME/Pay-Web#9")) == "payments"  # globs are case-insensitive
    assert RULES.team(item("jira:PAY-12")) == "payments"
    assert RULES.team(item("gh:acme/web#1")) == "web"


def test_jira_components_and_labels_match_any_of_their_globs() -> None:
    assert RULES.team(item("jira:CORE-1", components=("Billing API",))) == "payments"
    assert RULES.team(item("jira:CORE-2", labels=("Team:Platform",))) == "platform"
    assert RULES.team(item("jira:CORE-3")) is None


def test_the_first_matching_rule_wins_and_explain_says_which_and_why() -> None:
    match = RULES.match(item("jira:PAY-4", labels=("team:platform",)))
    assert match.team == "payments"
    assert match.explanation == "owner rule 1 matched: project 'PAY' (team payments)"
    second = RULES.match(item("jira:CORE-5", labels=("x", "team:platform")))
    assert second.explanation == (
        "owner rule 3 matched: source 'jira', label 'team:platform' (team platform)"
    )
    assert RULES.match(item("jira:CORE-6")).explanation == "no owner rule matched"


def test_goldthreads_own_label_never_decides_the_owner() -> None:
    rules = OwnerRules((OwnerRule(team="x", labels=("goldthread:*",)),), "goldthread:untraced")
    assert rules.team(item("gh:a/b#1", labels=("goldthread:untraced",))) is None


def test_a_rule_of_repositories_alone_never_matches_a_jira_item() -> None:
    rules = OwnerRules((OwnerRule(team="x", repos=("*",)),))
    assert rules.team(item("jira:PLAT-1")) is None
    assert rules.team(item("gh:a/b#1")) == "x"
    assert place("acme/web#12") == ("acme/web", None)
    assert place("PLAT-7") == (None, "PLAT")
    assert rules.teams() == ("x",)
