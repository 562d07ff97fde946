"""Known secret values, every command at debug level, every output searched:
tokens and webhook secrets never appear in logs, errors, reports, ``check``
output, metrics or tracebacks."""

from __future__ import annotations

import base64
import random
import subprocess
import urllib.parse
from collections.abc import Iterator
from pathlib import Path

import httpx
import pytest
from reliability_helpers import Workspace, record
from reliability_service import HOOK_SECRET, ServiceUnderLoad, wait_until

from goldthread.sandbox.control import Sandbox
from goldthread.sandbox.faults import FaultPlan
from goldthread.sandbox.org import generate

GITHUB_TOKEN = "ghp_RELIABILITYsecretGH0123456789abcdef"
JIRA_TOKEN = "ATATT3xRELIABILITYsecretJIRA9876543210"
CHAT_TOKEN = "T0RELIAB/B0CHAT/chatWEBHOOKsecret42"  # the secret part of a Slack webhook URL


def leaks(text: str, email: str) -> list[str]:
    """Which secret (in any common encoding) appears in ``text``."""
    needles = {}
    for name, secret in (
        ("github token", GITHUB_TOKEN),
        ("jira token", JIRA_TOKEN),
        ("webhook secret", HOOK_SECRET),
        ("chat webhook", CHAT_TOKEN),
    ):
        needles[name] = secret
        needles[f"{name} (url-encoded)"] = urllib.parse.quote(secret)
        needles[f"{name} (base64)"] = base64.b64encode(secret.encode()).decode().rstrip("=")
    needles["jira basic auth"] = (
        base64.b64encode(f"{email}:{JIRA_TOKEN}".encode()).decode().rstrip("=")
    )
    needles["token fragment"] = "RELIABILITYsecret"
    needles["chat webhook fragment"] = "chatWEBHOOKsecret"
    return [name for name, needle in needles.items() if needle in text]


@pytest.fixture
def secret_workspace(tmp_path: Path) -> Iterator[Workspace]:
    sandbox = Sandbox(
        github_token=GITHUB_TOKEN, jira_token=JIRA_TOKEN, chat_token=CHAT_TOKEN
    ).start()
    sandbox.load(generate(20, seed=3))
    space = Workspace(sandbox, tmp_path)
    space.extra_env["GOLDTHREAD_LOG_LEVEL"] = "debug"
    try:
        yield space
    finally:
        sandbox.stop()


def _outputs(done: subprocess.CompletedProcess[str]) -> str:
    return f"{done.stdout}\n{done.stderr}"


def test_no_command_at_debug_level_prints_a_token_or_webhook_secret(
    secret_workspace: Workspace,
) -> None:
    space = secret_workspace
    sandbox = space.sandbox
    service = ServiceUnderLoad(space, random.Random(7))
    service.workspace.extra_env["GOLDTHREAD_LOG_LEVEL"] = "debug"
    copy = space.directory / "copy.db"
    seen: dict[str, str] = {}

    def run(name: str, *args: str) -> None:
        done = space.run(*args)
        seen[name] = _outputs(done)

    run("check", "check")
    run("check --online", "check", "--online")
    run("backfill", "backfill", "--yes")
    run("sync", "sync", "--yes")
    run("backfill --dry-run", "backfill", "--dry-run")
    for fmt in ("table", "json", "csv", "markdown", "html"):
        out = space.directory / f"report.{fmt}"
        run(f"report {fmt}", "report", "--format", fmt, "--output", str(out))
        seen[f"report file {fmt}"] = out.read_text(encoding="utf-8")
    ref = next(iter(sandbox.expected()))
    run("explain", "explain", ref)
    run("digest --dry-run", "digest", "--dry-run")
    run("digest", "digest")
    assert sandbox.control.chat, "the digest reached the chat receiver"
    # A chat webhook that refuses: the error names the target, never its URL.
    sandbox.chat_token = "revoked"
    run("digest refused", "digest")
    assert "sandbox-chat" in seen["digest refused"]
    sandbox.chat_token = CHAT_TOKEN
    run("inbox", "inbox", "list")
    run("migrate", "migrate")
    run("store copy", "store", "copy", f"sqlite:///{space.store}", f"sqlite:///{copy}")
    # Failures: a refused token, a tracker down, a store that cannot be opened.
    sandbox.set_faults(
        github=FaultPlan(error_rate=1.0, statuses=[401]),
        jira=FaultPlan(error_rate=1.0, statuses=[401]),
    )
    run("backfill refused", "backfill", "--yes")
    run("check --online refused", "check", "--online")
    sandbox.set_faults()
    (space.directory / "bad.db").write_bytes(b"not a database" * 100)
    space.extra_env["GOLDTHREAD_STORE__URL"] = f"sqlite:///{space.directory / 'bad.db'}"
    run("backfill bad store", "backfill", "--yes")
    del space.extra_env["GOLDTHREAD_STORE__URL"]
    # The service: its log, metrics, dashboard and health answers.
    try:
        service.start()
        assert wait_until(service.first_polls_done, 30), service.log()
        service.send_one(*service.issues[0])
        client = httpx.Client(base_url=service.base, timeout=5)
        admin = httpx.Client(base_url=service.admin_base, timeout=5)
        for path in ("/healthz", "/readyz"):
            seen[f"GET {path}"] = client.get(path).text
        for path in ("/metrics", "/"):
            seen[f"GET {path}"] = admin.get(path).text
        admin.close()
        bad = client.post(
            "/webhooks/github", content=b"{}", headers={"X-Hub-Signature-256": "sha256=00"}
        )
        seen["webhook refused"] = bad.text
        client.close()
    finally:
        service.close()
    seen["service log"] = service.log()
    record("secret_outputs_searched", len(seen))
    found = {name: hits for name, text in seen.items() if (hits := leaks(text, sandbox.jira_email))}
    assert found == {}
    assert "INFO" in seen["service log"].upper() or "DEBUG" in seen["service log"].upper()
    assert seen["backfill refused"].strip(), "the refused backfill says why"
