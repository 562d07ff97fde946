"""Logging: one format per stream, level filtering, and no secret ever written."""

from __future__ import annotations

import io
import json
import logging

from goldthread.logs import add_secret, configure_logging, get_logger

TOKEN = "ghp_log00000000000000000000000000000000001"


class Terminal(io.StringIO):
    def isatty(self) -> bool:
        return True


def lines(stream: io.StringIO) -> list[str]:
    return stream.getvalue().splitlines()


def test_a_known_token_never_reaches_the_output_even_at_debug_level() -> None:
    out = io.StringIO()
    configure_logging(None, "debug", [TOKEN], stream=out)
    log = get_logger("goldthread.sync")
    log.debug(f"calling with {TOKEN}")
    log.debug("request", header=f"token {TOKEN}", request={"headers": {"X-Auth": [TOKEN]}})
    try:
        raise RuntimeError(f"401 for {TOKEN}")
    except RuntimeError:
        log.exception("source failed", source="gh")
    logging.getLogger("urllib3.connectionpool").debug("GET /user?access_token=%s", TOKEN)
    try:
        raise ValueError(TOKEN)
    except ValueError:
        logging.getLogger("jira").exception("jira said no")
    text = out.getvalue()
    assert TOKEN not in text
    assert text.count("[redacted]") >= 6
    events = [json.loads(line)["event"] for line in lines(out)]
    assert events == [
        "calling with [redacted]",
        "request",
        "source failed",
        "GET /user?access_token=[redacted]",
        "jira said no",
    ]


def test_a_secret_resolved_after_configuration_is_redacted_too() -> None:
    out = io.StringIO()
    configure_logging("json", "info", [], stream=out)
    add_secret("late-secret-value-1234")
    get_logger().info("connected", detail="using late-secret-value-1234")
    assert json.loads(out.getvalue())["detail"] == "using [redacted]"


def test_values_under_credential_keys_are_redacted_but_secret_locations_are_not() -> None:
    out = io.StringIO()
    configure_logging("json", "info", [], stream=out)
    get_logger().info(
        "auth", password="p", headers={"Authorization": "Basic abc"}, token_env="GITHUB_TOKEN"
    )
    event = json.loads(out.getvalue())
    assert event["password"] == "[redacted]"
    assert event["headers"] == {"Authorization": "[redacted]"}
    assert event["token_env"] == "GITHUB_TOKEN"


def test_events_below_the_level_are_dropped_for_goldthread_and_libraries() -> None:
    out = io.StringIO()
    configure_logging("json", "warning", [], stream=out)
    get_logger().info("quiet")
    logging.getLogger("urllib3").info("quiet too")
    get_logger().warning("loud", ref="gh:acme/web#1")
    [line] = lines(out)
    event = json.loads(line)
    assert (event["event"], event["level"], event["ref"]) == ("loud", "warning", "gh:acme/web#1")
    assert event["timestamp"].endswith("Z")


def test_json_off_a_terminal_and_console_on_one_unless_a_format_is_given() -> None:
    piped, terminal, forced = io.StringIO(), Terminal(), Terminal()
    configure_logging(None, "info", [], stream=piped)
    get_logger().info("hello")
    configure_logging(None, "info", [], stream=terminal)
    get_logger().info("hello")
    configure_logging("json", "info", [], stream=forced)
    get_logger().info("hello")
    assert json.loads(piped.getvalue())["event"] == "hello"
    assert "hello" in terminal.getvalue()
    assert not terminal.getvalue().startswith("{")
    assert json.loads(forced.getvalue())["event"] == "hello"


def test_configuring_again_replaces_the_handler_instead_of_doubling_lines() -> None:
    first, second = io.StringIO(), io.StringIO()
    configure_logging("json", "info", [], stream=first)
    configure_logging("json", "info", [], stream=second)
    get_logger().info("once")
    assert first.getvalue() == ""
    assert len(lines(second)) == 1
