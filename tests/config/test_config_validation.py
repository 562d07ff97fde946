"""Each value check of README.md#configuration says which key is wrong and why."""

from __future__ import annotations

from typing import Any

import pytest
from pydantic import ValidationError

from goldthread.config import Settings
from goldthread.config.loading import describe

GITHUB: dict[str, Any] = {"name": "gh", "type": "github", "token_env": "GH", "repos": ["acme/web"]}
JIRA: dict[str, Any] = {
    "name": "jira",
    "type": "jira",
    "url": "https://acme.atlassian.net",
    "email": "bot@acme.example",
    "token_env": "JT",
    "projects": ["PLAT"],
}


def problems(**data: Any) -> list[str]:
    """The lines goldthread would print for settings built from ``data``."""
    with pytest.raises(ValidationError) as caught:
        Settings(**data)
    return sorted(describe(error) for error in caught.value.errors())


def source(base: dict[str, Any], **changes: Any) -> dict[str, Any]:
    merged = {**base, **changes}
    return {key: value for key, value in merged.items() if value is not None}


@pytest.mark.parametrize("name", ["GH", "my gh", "gh:1", ""])
def test_a_source_name_must_be_lowercase_letters_digits_dash_or_underscore(name: str) -> None:
    [line] = problems(sources=[source(GITHUB, name=name)])
    assert line.startswith("sources[0].name: ")
    assert "not a source name" in line


def test_a_source_of_an_unknown_type_or_none_says_which_types_exist() -> None:
    assert problems(
        sources=[source(GITHUB, type="gitlab"), source(GITHUB, name="gh2", type=None)]
    ) == [
        "sources[0].type: 'gitlab' is not a source type (github or jira)",
        "sources[1].type: required (github or jira)",
    ]


def test_a_github_source_needs_a_token_or_an_app() -> None:
    assert problems(sources=[source(GITHUB, token_env=None)]) == [
        "sources[0].token_env: required: token_env or token_file "
        "(or a GitHub App: app_id, private_key_*)"
    ]


def test_a_github_source_cannot_have_both_a_token_and_an_app() -> None:
    both = source(GITHUB, app_id=1, private_key_file="/run/key.pem")
    assert problems(sources=[both]) == [
        "sources[0].app_id: give a token (token_env/token_file) or an app (app_id ...), not both"
    ]


def test_a_github_app_needs_its_private_key() -> None:
    assert problems(sources=[source(GITHUB, token_env=None, app_id=12)]) == [
        "sources[0].private_key_env: a GitHub App needs private_key_env or private_key_file"
    ]


def test_a_github_app_with_a_key_and_an_installation_is_accepted() -> None:
    app = source(GITHUB, token_env=None, app_id=12, private_key_env="KEY", installation_id=3)
    assert Settings(sources=[app]).sources[0].name == "gh"


def test_a_token_given_both_ways_is_ambiguous() -> None:
    assert problems(sources=[source(JIRA, token_file="/run/t")]) == [
        "sources[0].token_file: give token_env or token_file, not both"
    ]


def test_jira_basic_auth_needs_an_email_but_bearer_does_not() -> None:
    assert problems(sources=[source(JIRA, email=None)]) == [
        "sources[0].email: required with auth = 'basic' (or use auth = 'bearer')"
    ]
    assert Settings(sources=[source(JIRA, email=None, auth="bearer")]).sources[0].name == "jira"


def test_a_token_pasted_where_a_variable_name_belongs_is_refused_without_echoing_it() -> None:
    token = "ghp_16C7e42F292c6912E7710c838347Ae178B4a"
    [line] = problems(sources=[source(GITHUB, token_env=token)])
    assert line.startswith("sources[0].token_env: looks like a secret value")
    assert token not in line


def test_repositories_and_projects_must_be_well_formed_and_non_empty() -> None:
    assert problems(
        sources=[source(GITHUB, repos=["web", "acme/*"]), source(JIRA, projects=[])]
    ) == [
        "sources[0].repos[0]: 'web' is not a repository (use owner/name or owner/*)",
        "sources[1].projects: must not be empty",
    ]


def test_urls_must_be_http_and_free_of_credentials() -> None:
    assert problems(
        sources=[
            source(GITHUB, base_url="ftp://x"),
            source(JIRA, url="https://bot:hunter22@jira.example.com"),
        ]
    ) == [
        "sources[0].base_url: 'ftp://x' is not an http(s) URL",
        "sources[1].url: must not carry credentials (use the *_env / *_file keys)",
    ]


def test_a_rule_may_only_name_configured_sources() -> None:
    assert problems(
        sources=[GITHUB], rules=[{"layer": "vision", "labels": ["v"], "sources": ["jira"]}]
    ) == ["rules[0].sources: unknown source 'jira' (configured: gh)"]


def test_the_default_layer_is_a_layer_or_none() -> None:
    assert Settings(trace={"default_layer": "none"}).trace.default_layer == "none"
    [line] = problems(trace={"default_layer": "bottom"})
    assert line.startswith("trace.default_layer: 'bottom' is not one of")


@pytest.mark.parametrize(
    ("pattern", "why"),
    [
        (r"(?P<ref>[A-Z+", "RE2 cannot compile it: missing ]"),
        (r"parent: (\S+)", "has no named group 'ref'"),
        (r"(?P<ref>\S+)(?=\s)", "RE2 cannot compile it: invalid perl operator"),
        (r"(?P<ref>(a)\1)", "RE2 cannot compile it: invalid escape sequence"),
        (r"(?P<ref>a{5000})", "RE2 cannot compile it: invalid repetition size"),
    ],
)
def test_a_reference_pattern_re2_cannot_compile_is_refused_with_the_reason(
    pattern: str, why: str
) -> None:
    [line] = problems(trace={"reference_patterns": [r"(?P<ref>\S+)", pattern]})
    assert line.startswith("trace.reference_patterns[1]: ")
    assert why in line


@pytest.mark.parametrize(
    "pattern",
    [
        r"(?i)^x (?P<ref>(?:az|a|z)+)$",
        r"(?P<ref>(a+)+)$",
        r"(?P<ref>(\S+)+)",
        r"(?:parent|epic)+\s*(?P<ref>\S+)",
        r"\((?P<ref>[^)]+)\)",
    ],
)
def test_any_pattern_re2_compiles_is_accepted_because_it_matches_in_linear_time(
    pattern: str,
) -> None:
    settings = Settings(trace={"reference_patterns": [pattern]})
    (compiled,) = settings.reference_patterns()
    assert "ref" in compiled.groupindex


def test_webhook_secrets_accept_one_variable_or_a_list_for_rotation() -> None:
    one = Settings(server={"github_webhook_secret_env": "GH_HOOK"})
    many = Settings(server={"jira_webhook_secret_env": ["NEW", "OLD"]})
    assert one.server.github_webhook_secret_env == ["GH_HOOK"]
    assert many.server.jira_webhook_secret_env == ["NEW", "OLD"]
    assert one.server.jira_webhook_secret_env == []


def test_the_store_url_must_be_sqlite_or_postgresql() -> None:
    [line] = problems(store={"url": "mysql://db/goldthread"})
    assert line.startswith("store.url: use sqlite:///PATH or postgresql://")
