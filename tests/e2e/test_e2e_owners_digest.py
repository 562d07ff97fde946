"""Owners and digests end to end, with the CLI as a process against the
sandbox: a comment-free backfill, one team's report, explain naming the
owner rule, a digest printed by --dry-run and then sent to the sandbox's
chat receiver, where every untraced item of the team is named and linked."""

from __future__ import annotations

import json

from e2e_helpers import Workspace


def test_a_comment_free_backfill_then_a_teams_report_explain_and_digest(
    workspace: Workspace,
) -> None:
    workspace.extra_env["GOLDTHREAD_WRITEBACK__COMMENT"] = "false"
    backfill = workspace.run("backfill", "--yes")
    assert backfill.returncode in (0, 1), backfill.stderr
    assert not any("POST" in w and "comments" in w for w in workspace.mutating_requests())

    payments = workspace.run("report", "--format", "json", "--owner", "payments")
    document = json.loads(payments.stdout)
    assert document["items"]
    assert {item["owner"] for item in document["items"]} == {"payments"}
    untraced = [i for i in document["items"] if i["verdict"] in ("orphan", "broken")]
    assert untraced
    assert all(item["flagged_since"] for item in untraced)
    assert all(item["flagged"] for item in untraced)  # the label carries the message
    assert set(document["summary"]["by_owner"]) == {"payments"}

    ref = untraced[0]["ref"]
    explained = workspace.run("explain", ref)
    assert "Owner: payments" in explained.stdout
    assert "owner rule 1 matched: component 'Payments' (team payments)" in explained.stdout
    assert "Untraced since" in explained.stdout

    dry = workspace.run("digest", "--dry-run", "--owner", "payments")
    assert dry.returncode == 0, dry.stderr
    assert "── payments → sandbox-chat (slack)" in dry.stdout
    assert ref in dry.stdout
    assert workspace.sandbox.control.chat == []  # a dry run sends nothing

    sent = workspace.run("digest")
    assert sent.returncode == 0, sent.stderr
    messages = workspace.sandbox.control.chat
    assert len(messages) == 4  # payments, platform, web, services: each has untraced work
    [payments_message] = [m for m in messages if "digest for payments" in m["text"]]
    blocks = json.dumps(payments_message["blocks"])
    for item in untraced[:15]:
        assert f"|{item['ref']}>" in blocks

    again = workspace.run("digest", "--dry-run", "--owner", "payments")
    assert "(first digest)" not in again.stdout  # the next one compares with this one
    assert "Newly untraced" not in again.stdout
