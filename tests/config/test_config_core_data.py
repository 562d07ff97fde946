"""The settings handed to the pure core as its own plain data."""

from __future__ import annotations

from datetime import timedelta

from goldthread.config import Settings
from goldthread.core.model import Layer, LayerRule
from goldthread.core.references import GitHubSourceInfo, JiraSourceInfo

SOURCES = [
    {"name": "gh", "type": "github", "token_env": "T", "repos": ["acme/web", "acme/*"]},
    {
        "name": "ghe",
        "type": "github",
        "base_url": "https://GHE.example.com/api/v3/",
        "token_env": "T",
        "repos": ["corp/app"],
    },
    {
        "name": "jira",
        "type": "jira",
        "url": "https://acme.atlassian.net/",
        "auth": "bearer",
        "token_env": "T",
        "projects": ["PLAT", "WEB"],
    },
]


def test_rules_and_policy_become_a_trace_policy_with_rule_positions() -> None:
    settings = Settings(
        sources=SOURCES,
        rules=[
            {"layer": "vision", "labels": ["okr-*"]},
            {"layer": "strategy", "types": ["Epic"], "sources": ["jira"]},
        ],
        trace={"default_layer": "none", "allow_layer_skip": True},
        policy={"exempt_labels": ["no-trace", "spike"], "grace_period": "1h30m"},
        writeback={"label": "untraced"},
    )
    policy = settings.trace_policy()
    assert policy.rules == (
        LayerRule(layer=Layer.VISION, labels=("okr-*",), index=0),
        LayerRule(layer=Layer.STRATEGY, types=("Epic",), sources=("jira",), index=1),
    )
    assert policy.default_layer is Layer.NONE
    assert policy.allow_layer_skip is True
    assert policy.exempt_labels == ("no-trace", "spike")
    assert policy.grace_period == timedelta(hours=1, minutes=30)
    assert policy.own_label == "untraced"


def test_the_source_index_knows_each_source_by_the_host_people_browse() -> None:
    index = Settings(sources=SOURCES).source_index()
    assert index.github == (
        GitHubSourceInfo(name="gh", web_host="github.com", repos=("acme/web", "acme/*")),
        GitHubSourceInfo(name="ghe", web_host="ghe.example.com", repos=("corp/app",)),
    )
    assert index.jira == (
        JiraSourceInfo(name="jira", web_host="acme.atlassian.net", projects=("PLAT", "WEB")),
    )


def test_reference_patterns_are_handed_over_compiled() -> None:
    [pattern] = Settings().reference_patterns()
    match = pattern.search("Some text\nPart of: PLAT-7\n")
    assert match is not None
    assert match["ref"] == "PLAT-7"
