"""The seeded organisation: reproducible, and holding every case goldthread must handle."""

from __future__ import annotations

from collections import Counter

import pytest

from goldthread.core.model import Reason
from goldthread.sandbox.org import OWN_LABEL, generate
from goldthread.sandbox.seeds import Organisation

EVERY_REASON = {
    ("traced", Reason.VISION),
    ("traced", Reason.LINKED),
    ("orphan", Reason.NO_PARENT),
    ("broken", Reason.PARENT_MISSING),
    ("broken", Reason.PARENT_UNTRACED),
    ("broken", Reason.WRONG_LAYER),
    ("broken", Reason.CYCLE),
    ("broken", Reason.SKIPS_LAYER),
    ("exempt", Reason.EXEMPT_LABEL),
    ("exempt", Reason.CLOSED),
}


def test_the_same_seed_gives_the_same_organisation() -> None:
    assert generate(300, seed=11) == generate(300, seed=11)


def test_another_seed_gives_another_organisation() -> None:
    assert generate(300, seed=11).expected != generate(300, seed=12).expected


@pytest.mark.parametrize("size", [200, 2_000])
def test_the_organisation_has_about_the_size_asked_for(size: int) -> None:
    org = generate(size, seed=3)

    assert size <= len(org.expected) < size * 1.2


def test_every_item_has_an_expected_verdict_and_pull_requests_have_none(
    org: Organisation,
) -> None:
    gh_refs = {f"gh:{s.repo}#{s.number}" for s in org.github if not s.is_pull_request}
    pr_refs = {f"gh:{s.repo}#{s.number}" for s in org.github if s.is_pull_request}
    jira_refs = {f"jira:{s.key}" for s in org.jira}

    assert set(org.expected) == gh_refs | jira_refs
    assert pr_refs
    assert not pr_refs & set(org.expected)


def test_every_verdict_reason_goldthread_can_find_is_present(org: Organisation) -> None:
    found = {(verdict, Reason(reason)) for verdict, reason in org.expected.values()}

    assert found >= EVERY_REASON


def test_problems_sit_on_both_trackers(org: Organisation) -> None:
    flagged = Counter(
        ref.partition(":")[0]
        for ref, (verdict, _) in org.expected.items()
        if verdict in ("orphan", "broken")
    )

    assert flagged["gh"] > 0
    assert flagged["jira"] > 0


def test_people_have_labelled_and_commented_on_items(org: Organisation) -> None:
    labels = {label for s in [*org.github, *org.jira] for label in s.labels}
    commented = [s for s in [*org.github, *org.jira] if s.comments]

    assert {"bug", "customer"} & labels
    assert commented
    assert all(c.author != "goldthread-bot" for s in commented for c in s.comments)


def test_a_traced_item_carries_a_stale_goldthread_label(org: Organisation) -> None:
    stale = [s for s in org.github if OWN_LABEL in s.labels]

    assert stale
    assert all(org.expected[f"gh:{s.repo}#{s.number}"] == ("traced", "linked") for s in stale)


def test_references_cross_between_the_trackers(org: Organisation) -> None:
    jira_keys = {s.key for s in org.jira}
    gh_naming_jira = [s for s in org.github if any(k in s.body for k in jira_keys)]
    jira_naming_gh = [s for s in org.jira if "/issues/" in s.description]

    assert gh_naming_jira
    assert jira_naming_gh


def test_data_center_hierarchy_uses_epic_link_and_parent_link() -> None:
    cloud = generate(200, seed=7, jira_mode="cloud")
    dc = generate(200, seed=7, jira_mode="dc")

    assert not any(s.epic_link or s.parent_link for s in cloud.jira)
    assert any(s.epic_link for s in dc.jira)
    assert any(s.parent_link for s in dc.jira)
    assert all(s.parent_key is None for s in dc.jira if s.type != "Sub-task")
    assert dc.expected == cloud.expected


def test_a_large_organisation_spreads_over_more_repositories() -> None:
    assert len(generate(100, seed=1).repos) == 2
    assert len(generate(100_000, seed=1).repos) > 2
