"""Digests reach real receivers: an SMTP server with STARTTLS and a login,
and local HTTP endpoints standing where Slack and Teams webhooks are; each
body has the shape its vendor documents."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest
from digests_helpers import HOSTILE, full_digest, settings
from jsonschema import Draft6Validator
from pydantic import SecretStr
from support_openapi import DESCRIPTIONS
from support_receivers import http_receiver, smtp_server

from goldthread.digests.delivering import send
from goldthread.digests.text import render_text
from goldthread.errors import NotifyError

# Slack Block Kit's documented limits (api.slack.com/reference/block-kit/blocks).
SLACK_BLOCK_TYPES = {"header", "section", "divider", "context"}


def check_slack_body(body: dict[str, Any]) -> None:
    assert isinstance(body["text"], str)
    assert body["text"]
    blocks = body["blocks"]
    assert 0 < len(blocks) <= 50
    for block in blocks:
        assert block["type"] in SLACK_BLOCK_TYPES
        if block["type"] == "header":
            assert block["text"]["type"] == "plain_text"
            assert len(block["text"]["text"]) <= 150
        if block["type"] == "section":
            assert block["text"]["type"] == "mrkdwn"
            assert 0 < len(block["text"]["text"]) <= 3000
        if block["type"] == "context":
            assert 0 < len(block["elements"]) <= 10


def test_slack_gets_a_text_summary_and_blocks_with_every_item_linked() -> None:
    digest = full_digest()
    with http_receiver() as slack:
        send(settings(slack=slack.url), {"chat": SecretStr(slack.url)}, "chat", digest)
    [body] = slack.bodies
    check_slack_body(body)
    text = json.dumps(body)
    for ref in ("gh:acme/web#1", "gh:acme/web#2", "gh:acme/web#3", "gh:acme/web#9"):
        number = ref.rpartition("#")[2]
        assert f"<https://github.com/acme/web/issues/{number}|{ref}>" in text
    assert "<!channel>" not in text  # a title cannot mention the channel
    assert "&lt;!channel&gt;" in text
    assert "Coverage 50.0% (was 33.3% on 2026-03-02, +16.7 points)" in text
    assert slack.headers["Content-Type"].startswith("application/json")


def test_teams_gets_an_adaptive_card_valid_against_the_published_schema() -> None:
    schema = json.loads((DESCRIPTIONS / "schema-1.4.json").read_text(encoding="utf-8"))
    digest = full_digest()
    with http_receiver(statuses=[202]) as teams:
        send(settings(teams=teams.url), {"channel": SecretStr(teams.url)}, "channel", digest)
    [body] = teams.bodies
    assert body["type"] == "message"
    [attachment] = body["attachments"]
    assert attachment["contentType"] == "application/vnd.microsoft.card.adaptive"
    card = attachment["content"]
    errors = sorted(Draft6Validator(schema).iter_errors(card), key=str)
    assert errors == []
    assert card["version"] == "1.4"
    links = [
        run["selectAction"]["url"]
        for block in card["body"]
        if block["type"] == "RichTextBlock"
        for run in block["inlines"]
        if "selectAction" in run
    ]
    assert "https://github.com/acme/web/issues/1" in links
    assert "https://github.com/acme/web/issues/9" in links
    runs = [
        run["text"] for b in card["body"] if b["type"] == "RichTextBlock" for run in b["inlines"]
    ]
    assert f" {HOSTILE}" in runs  # shown as written: a TextRun is not markdown


def test_email_goes_over_starttls_with_a_login_as_plain_text_and_html(tmp_path: Path) -> None:
    digest = full_digest()
    with smtp_server(tmp_path, "bot", "s3cret-smtp-pass") as box:
        config = settings(smtp_port=box.port, ca_file=box.ca_file)
        send(config, {"mail": SecretStr("s3cret-smtp-pass")}, "mail", digest)
    assert box.logins == [("bot", True)]
    [message] = box.messages
    assert box.envelopes == [
        ("goldthread@acme.example", ["leads@acme.example", "cto@acme.example"])
    ]
    assert message["Subject"].startswith("goldthread digest for web: coverage 50.0%")
    assert message.get_content_type() == "multipart/alternative"
    plain = message.get_body(("plain",)).get_content()
    html = message.get_body(("html",)).get_content()
    assert plain.replace("\r\n", "\n") == render_text(digest)
    assert "https://github.com/acme/web/issues/9" in plain
    assert '<a href="https://github.com/acme/web/issues/1"' in html
    assert "<script>" not in html
    assert "&lt;script&gt;" in html


def test_a_server_whose_certificate_does_not_verify_gets_no_password(tmp_path: Path) -> None:
    with smtp_server(tmp_path, "bot", "s3cret-smtp-pass") as box:
        config = settings(smtp_port=box.port)  # the system's authorities: the cert is unknown
        with pytest.raises(NotifyError) as raised:
            send(config, {"mail": SecretStr("s3cret-smtp-pass")}, "mail", full_digest())
    assert raised.value.retriable is False
    assert "certificate" in str(raised.value)
    assert box.logins == []


@pytest.mark.parametrize(
    ("status", "retriable", "retry_after"),
    [(503, True, None), (429, True, 120.0), (404, False, None)],
)
def test_a_refusing_webhook_says_whether_trying_again_may_help(
    status: int, retriable: bool, retry_after: float | None
) -> None:
    with http_receiver(statuses=[status]) as slack:
        with pytest.raises(NotifyError) as raised:
            send(settings(slack=slack.url), {"chat": SecretStr(slack.url)}, "chat", full_digest())
    assert raised.value.retriable is retriable
    assert raised.value.retry_after == retry_after
    assert "T000" not in str(raised.value)  # the URL (a secret) is never in the message
