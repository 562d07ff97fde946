"""The organisation's recorded verdicts agree with the core's walk (docs/behaviour.md#verdicts).

The seeds are turned into the core's items here, as the connectors would, and
judged under the sandbox config's rules; every item must come out as the
generator says. The generated config must mean the same rules.
"""

from __future__ import annotations

from pathlib import Path

import pytest
from sandbox_control_helpers import AFTER_EVERYTHING

from goldthread.config import load_settings
from goldthread.core.barren import find_barren
from goldthread.core.model import Layer
from goldthread.core.tracing import trace
from goldthread.sandbox.control import sandbox_config
from goldthread.sandbox.offline import POLICY, work_items
from goldthread.sandbox.org import generate
from goldthread.sandbox.seeds import Organisation


def _disagreements(org: Organisation) -> list[tuple[str, tuple[str, str], tuple[str, str]]]:
    items = work_items(org)
    verdicts = trace(items, POLICY, AFTER_EVERYTHING)
    judged = {ref: (v.kind.value, v.reason.value) for ref, v in verdicts.items()}
    return [(ref, want, judged[ref]) for ref, want in org.expected.items() if judged[ref] != want]


@pytest.mark.parametrize("jira_mode", ["cloud", "dc"])
@pytest.mark.parametrize(("size", "seed"), [(200, 7), (3_000, 21)])
def test_the_core_judges_every_item_as_the_organisation_expects(
    jira_mode: str, size: int, seed: int
) -> None:
    org = generate(size, seed, jira_mode=jira_mode)

    assert _disagreements(org) == []


def test_the_unworked_vision_and_the_empty_epics_are_barren(org: Organisation) -> None:
    items = work_items(org)
    barren = find_barren(items, trace(items, POLICY, AFTER_EVERYTHING))
    by_layer = {b.layer for b in barren}
    titles = {items[b.ref].title for b in barren}

    assert "Open a second market" in titles
    assert by_layer == {Layer.VISION, Layer.STRATEGY}


def test_the_generated_config_loads_with_the_same_rules(org: Organisation, tmp_path: Path) -> None:
    text = sandbox_config(
        store_url=f"sqlite:///{tmp_path / 'sandbox.db'}",
        github_url="http://127.0.0.1:1",
        jira_url="http://127.0.0.1:2",
        jira_mode="cloud",
        jira_email="bot@acme.example",
        repos=org.repos,
        projects=org.projects,
    )
    path = tmp_path / "goldthread.toml"
    path.write_text(text)

    settings = load_settings(path)

    assert settings.trace_policy().rules == POLICY.rules
    assert settings.trace_policy() == POLICY
    assert [p.pattern for p in settings.reference_patterns()] == [
        r"(?im)^\s*(?:parent|part of|epic)\s*:?\s*(?P<ref>\S+)"
    ]
