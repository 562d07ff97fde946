"""goldthread's own connectors, built from the generated config and the
sandbox's environment as every command builds them, read the sandbox; the core
then judges every item as the organisation expects."""

from __future__ import annotations

from datetime import UTC, datetime
from pathlib import Path

import pytest

from goldthread.clock import FakeClock
from goldthread.config import load_settings, resolve_secrets
from goldthread.core.tracing import trace
from goldthread.sandbox.control import Sandbox
from goldthread.sandbox.org import generate
from goldthread.sync.connecting import build_connectors

NOW = datetime(2030, 1, 1, tzinfo=UTC)


@pytest.mark.parametrize(("jira_mode", "enterprise"), [("cloud", False), ("dc", True)])
def test_goldthread_reading_the_sandbox_reaches_the_expected_verdicts(
    jira_mode: str, enterprise: bool, tmp_path: Path
) -> None:
    org = generate(200, seed=7, jira_mode=jira_mode)
    config = tmp_path / "goldthread.toml"
    with Sandbox(jira_mode=jira_mode, github_enterprise=enterprise) as sandbox:
        sandbox.load(org)
        config.write_text(sandbox.config_toml(f"sqlite:///{tmp_path / 'sandbox.db'}"))
        settings = load_settings(config)
        secrets = resolve_secrets(settings, sources=True, webhooks=False, environ=sandbox.env())
        connectors = build_connectors(settings, secrets, FakeClock(NOW))
        items = {
            item.ref: item
            for connector in connectors.values()
            for scope in connector.scopes()
            for item in connector.read(scope, None)
        }

    verdicts = trace(items, settings.trace_policy(), NOW)
    judged = {ref: (v.kind.value, v.reason.value) for ref, v in verdicts.items()}

    assert judged == org.expected
