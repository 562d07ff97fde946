"""Hostile input: bodies, webhook payloads, JQL values, configs and tracker text
chosen to break goldthread. No unhandled exception, bounded time, and text
quoted into a comment stays inert."""

from __future__ import annotations

import json
import re
import signal
import time
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

import pytest
import tomli_w
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from reliability_helpers import FULL, record

from goldthread.config import load_settings
from goldthread.config.groups import DEFAULT_REFERENCE_PATTERN
from goldthread.config.patterns import compile_pattern, pattern_problem
from goldthread.connectors.github.markers import render
from goldthread.connectors.jira.reading import build_jql
from goldthread.connectors.jira.rendering import render_wiki
from goldthread.core.marker import find_marker
from goldthread.core.model import Block, CommentDoc, Span
from goldthread.core.references import (
    MAX_LINE_CHARS,
    GitHubSourceInfo,
    JiraSourceInfo,
    SourceIndex,
    extract_references,
)
from goldthread.errors import ConfigError, PayloadError
from goldthread.service import intake

EXAMPLES = 1500 if FULL else 120
# The full run (make reliability) goes deep where hostile input arrives:
# over 100,000 generated references, webhook payloads and configs together
# (with the signed deliveries of test_reliability_deliveries_fuzz.py).
DEPTH = {
    "bodies": 35_000 if FULL else 120,
    "patterns": 2_000 if FULL else 30,
    "webhook bodies": 20_000 if FULL else 120,
    "webhook payloads": 25_000 if FULL else 120,
    "configs": 10_000 if FULL else 60,
}
pytestmark = pytest.mark.timeout(900 if FULL else 120)  # a deep suite takes minutes
FIGURE = {"bodies": "references", "patterns": "references", "webhooks": "webhooks"}
FIGURE |= {"configs": "config", "jql": "other", "comments": "other"}
FUZZ = settings(
    max_examples=EXAMPLES,
    deadline=None,
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.function_scoped_fixture],
)


def deep(kind: str) -> settings:
    """The hypothesis settings of one of the deep suites."""
    return settings(FUZZ, max_examples=DEPTH[kind])


INDEX = SourceIndex(
    github=(GitHubSourceInfo("gh", "github.com", ("acme/web", "acme/*")),),
    jira=(JiraSourceInfo("jira", "acme.atlassian.net", ("PLAT", "WEB")),),
)
DEFAULT = compile_pattern(DEFAULT_REFERENCE_PATTERN)
MINIMAL: dict[str, Any] = {
    "sources": [
        {"name": "gh", "type": "github", "token_env": "GT_REL_GH", "repos": ["acme/web"]},
        {
            "name": "jira",
            "type": "jira",
            "url": "https://acme.atlassian.net",
            "email": "bot@acme.example",
            "token_env": "GT_REL_JIRA",
            "projects": ["PLAT"],
        },
    ]
}

_tried: dict[str, int] = {}


def tried(kind: str) -> None:
    """Count one fuzz input (reported as a suite figure)."""
    _tried[kind] = _tried.get(kind, 0) + 1


@pytest.fixture(autouse=True)
def _report_fuzz_inputs() -> Iterator[None]:
    _tried.clear()
    yield
    record("fuzz_inputs", sum(_tried.values()))
    for kind, count in _tried.items():
        record(f"fuzz_{FIGURE[kind]}", count)


class _OverranError(Exception):
    pass


@contextmanager
def time_limit(seconds: float) -> Iterator[None]:
    """Fail (rather than hang) when the block runs longer than ``seconds``."""

    def alarm(_signum: int, _frame: object) -> None:
        raise _OverranError

    previous = signal.signal(signal.SIGALRM, alarm)
    signal.setitimer(signal.ITIMER_REAL, seconds)
    try:
        yield
    except _OverranError:
        pytest.fail(f"took longer than {seconds}s")
    finally:
        signal.setitimer(signal.ITIMER_REAL, 0)
        signal.signal(signal.SIGALRM, previous)


# ---------------------------------------------------------------- bodies and references

_REFISH = st.sampled_from(
    [
        "Part of ",
        "parent: ",
        "Epic ",
        "#",
        "PLAT-",
        "acme/web#",
        "https://github.com/acme/web/issues/",
        "https://acme.atlassian.net/browse/PLAT-",
        "](",
        "`",
        "\r",
        "\n",
        "\x00",
        "\u202e",
        " " * 50,
    ]
)
BODIES = st.lists(
    st.one_of(_REFISH, st.text(max_size=40), st.integers(0, 10**15).map(str)), max_size=40
).map("".join)


@deep("bodies")
@given(body=BODIES)
def test_any_body_yields_only_well_formed_parent_links(body: str) -> None:
    tried("bodies")
    links = extract_references(body, [DEFAULT], here_source="gh", here_repo="acme/web", index=INDEX)
    targets = [link.target for link in links if link.target is not None]
    assert len(targets) == len(set(targets))
    for link in links:
        assert link.raw
        assert len(link.raw) <= MAX_LINE_CHARS
        assert link.target is None or re.fullmatch(
            r"(gh:[\w.-]+/[\w.-]+#\d+|jira:[A-Z][A-Z0-9_]*-\d+)", link.target
        )


@pytest.mark.parametrize(
    "body",
    [
        "Part of " + "a" * 10_000_000,
        ("Part of PLAT-1 " * 200 + "\n") * 50_000,
        "\n".join(["Part of " + "#" * 1999] * 40_000),
        " " * 5_000_000 + "x",
        "[" * 1_000_000 + "](" * 1_000_000,
    ],
    ids=["one-huge-line", "many-long-lines", "lines-at-the-limit", "spaces", "brackets"],
)
def test_a_pathological_body_is_scanned_in_bounded_time(body: str) -> None:
    tried("bodies")
    with time_limit(3.0):
        extract_references(body, [DEFAULT], here_source="gh", here_repo="acme/web", index=INDEX)


CATASTROPHIC = [
    (r"(?i)^x (?P<ref>(?:az|a|z)+)$", "x " + "az" * 998 + "!"),
    (r"(?P<ref>(a+)+)$", "a" * 1999 + "!"),
    (r"(?P<ref>(a|a)*)$", "a" * 1999 + "!"),
    (r"(?P<ref>(a|aa)+)$", "a" * 1999 + "!"),
    (r"(?P<ref>\S*\S*)x", "a" * 1999),
    (r"(?P<ref>(.*?,){11}P)", "," * 1999),
    (r"Part of (?P<ref>(\w|\w\w)+)$", "Part of " + "w" * 1990 + "!"),
    (DEFAULT_REFERENCE_PATTERN, "Part of" + " " * 1992 + "\x00"),
]


@pytest.mark.parametrize(("pattern", "line"), CATASTROPHIC)
def test_a_pattern_that_backtracks_catastrophically_elsewhere_scans_a_crafted_body_in_bounded_time(
    tmp_path: Path, pattern: str, line: str
) -> None:
    tried("patterns")
    config = {**MINIMAL, "trace": {"reference_patterns": [pattern]}}
    path = tmp_path / "goldthread.toml"
    path.write_text(tomli_w.dumps(config), encoding="utf-8")
    patterns = load_settings(path).reference_patterns()
    body = "\n".join([line] * 32)  # a whole 64 KiB body of crafted lines
    with time_limit(3.0):
        extract_references(body, patterns, here_source="gh", here_repo="acme/web", index=INDEX)


_ATOMS = st.sampled_from(["a", "b", ",", r"\w", r"\S", r"\s", r"\d", ".", "[ab]", "[^,]", " "])
_QUANTIFIERS = st.sampled_from(["", "", "*", "+", "?", "{2}", "{0,3}", "{1,}", "*?", "+?"])


def _node(children: st.SearchStrategy[str]) -> st.SearchStrategy[str]:
    group = st.lists(children, min_size=1, max_size=3).map("".join).map(lambda s: f"(?:{s})")
    alternation = st.lists(children, min_size=2, max_size=3).map("|".join).map(lambda s: f"(?:{s})")
    return st.tuples(st.one_of(group, alternation), _QUANTIFIERS).map("".join)


_LEAVES = st.tuples(_ATOMS, _QUANTIFIERS).map("".join)
_ONE_DEEP = _node(_LEAVES)
PATTERN_BODIES = st.one_of(_LEAVES, _ONE_DEEP, _node(st.one_of(_LEAVES, _ONE_DEEP)))
PATTERNS = st.tuples(
    st.sampled_from(["", "^", "(?i)", "Part of "]),
    st.lists(PATTERN_BODIES, min_size=1, max_size=3).map("".join),
    st.sampled_from(["", "$", ",", "x"]),
).map(lambda t: f"{t[0]}(?P<ref>{t[1]}){t[2]}")
LINES = st.tuples(
    st.sampled_from(["a", "b", ",", " ", "1", "ab", "a,", "a "]),
    st.sampled_from(["", "!", "\x00", "x"]),
).map(lambda t: t[0] * (MAX_LINE_CHARS // len(t[0]) - 1) + t[1])


@deep("patterns")
@given(pattern=PATTERNS, lines=st.lists(LINES, min_size=1, max_size=4))
def test_every_pattern_config_load_accepts_scans_a_crafted_body_quickly(
    pattern: str, lines: list[str]
) -> None:
    tried("patterns")
    if pattern_problem(pattern):
        return
    compiled = compile_pattern(pattern)
    body = "\n".join(lines * 8)
    started = time.perf_counter()
    with time_limit(5.0):
        extract_references(body, [compiled], here_source="gh", here_repo="acme/web", index=INDEX)
    assert time.perf_counter() - started < 2.0, pattern


# ---------------------------------------------------------------- webhooks

JSON = st.recursive(
    st.none() | st.booleans() | st.integers() | st.floats(allow_nan=False) | st.text(max_size=20),
    lambda children: (
        st.lists(children, max_size=4) | st.dictionaries(st.text(max_size=10), children, max_size=5)
    ),
    max_leaves=20,
)
NESTED = st.tuples(st.integers(1, 5000), st.sampled_from(["[", '{"a":'])).map(
    lambda t: (t[1] * t[0] + "1" + ("]" if t[1] == "[" else "}") * t[0]).encode()
)
ISSUE_KEYS = st.sampled_from(
    [
        "action",
        "issue",
        "repository",
        "label",
        "comment",
        "sender",
        "sub_issue",
        "parent_issue",
        "changelog",
        "webhookEvent",
        "timestamp",
        "issue_link",
        "self",
        "key",
        "fields",
        "number",
        "repository_url",
        "full_name",
    ]
)
PAYLOADS = st.recursive(
    st.none()
    | st.integers()
    | st.text(max_size=30)
    | st.sampled_from(
        [
            "acme/web",
            "PLAT-1",
            "edited",
            "labeled",
            "goldthread:untraced",
            "https://github.com/acme/web/issues/1",
        ]
    ),
    lambda children: (
        st.lists(children, max_size=3) | st.dictionaries(ISSUE_KEYS, children, max_size=6)
    ),
    max_leaves=25,
)
EVENTS = st.sampled_from(
    [
        "issues",
        "issue_comment",
        "sub_issues",
        "ping",
        "push",
        "",
        "jira:issue_updated",
        "jira:issue_deleted",
        "issuelink_created",
    ]
)


@pytest.fixture(scope="module")
def routing(tmp_path_factory: pytest.TempPathFactory) -> intake.Routing:
    path = tmp_path_factory.mktemp("routing") / "goldthread.toml"
    path.write_text(tomli_w.dumps(MINIMAL), encoding="utf-8")
    return intake.Routing.from_settings(load_settings(path))


@deep("webhook bodies")
@given(body=st.binary(max_size=200) | JSON.map(lambda v: json.dumps(v).encode()) | NESTED)
def test_any_webhook_body_is_an_object_or_a_payload_error(body: bytes) -> None:
    tried("webhooks")
    try:
        value = intake.parse_object(body)
    except PayloadError:
        return
    assert isinstance(value, dict)


@deep("webhook payloads")
@given(event=EVENTS, payload=PAYLOADS)
def test_any_webhook_payload_is_accepted_or_dropped_never_crashes(
    routing: intake.Routing, event: str, payload: Any
) -> None:
    tried("webhooks")
    if not isinstance(payload, dict):
        payload = {"issue": payload}
    if event.startswith(("jira:", "issuelink")):
        payload = {**payload, "webhookEvent": event}
        decision = intake.classify_jira(payload, routing, "key")
    else:
        decision = intake.classify_github(event, payload, routing, "key")
    assert isinstance(decision, intake.Accepted | intake.Dropped)
    if isinstance(decision, intake.Accepted):
        assert intake.targets_of(decision.event, payload, routing) == decision.targets


# ---------------------------------------------------------------- JQL


def _read_literal(jql: str, start: int) -> tuple[str, int]:
    """The JQL string literal opening at ``start`` (unescaped) and the index after it."""
    assert jql[start] == '"'
    out, i = [], start + 1
    while jql[i] != '"':
        if jql[i] == "\\":
            i += 1
        out.append(jql[i])
        i += 1
    return "".join(out), i + 1


@FUZZ
@given(project=st.text(max_size=30), since=st.none() | st.integers(-(10**15), 10**15))
def test_a_project_name_cannot_break_out_of_its_jql_string(project: str, since: int | None) -> None:
    tried("jql")
    jql = build_jql(project, "", since)
    value, end = _read_literal(jql, len("project = "))
    assert value == project
    rest = jql[end:]
    assert re.fullmatch(r"( AND updated >= \d+)? ORDER BY updated ASC, key ASC", rest), rest


# ---------------------------------------------------------------- config files

TOML_VALUES = st.recursive(
    st.booleans()
    | st.integers(-(2**63), 2**63 - 1)
    | st.text(max_size=20)
    | st.sampled_from(["5m", "0s", "-1s", "1h30m", "sqlite:///x.db", "(?P<ref>\\S+)", "(", "*"]),
    lambda children: (
        st.lists(children, max_size=3)
        | st.dictionaries(st.text(min_size=1, max_size=8), children, max_size=3)
    ),
    max_leaves=10,
)
SECTIONS = st.sampled_from(
    ["store", "trace", "policy", "writeback", "daemon", "server", "rules", "sources", "bogus"]
)
KEYS = st.sampled_from(
    [
        "url",
        "reference_patterns",
        "default_layer",
        "exempt_labels",
        "grace_period",
        "label",
        "on_resolve",
        "poll_interval",
        "port",
        "max_body_bytes",
        "layer",
        "labels",
        "name",
        "type",
        "repos",
        "timeout",
        "x",
    ]
)


@deep("configs")
@given(section=SECTIONS, key=KEYS, value=TOML_VALUES)
def test_any_config_value_loads_or_is_a_config_error(
    tmp_path: Path, section: str, key: str, value: Any
) -> None:
    tried("configs")
    config: dict[str, Any] = json.loads(json.dumps(MINIMAL))
    if section in ("rules", "sources"):
        config.setdefault(section, []).append({key: value})
    else:
        config[section] = {key: value}
    path = tmp_path / "goldthread.toml"
    path.write_text(tomli_w.dumps(config), encoding="utf-8")
    problems: list[str] = []
    try:
        load_settings(path)
    except ConfigError as error:
        problems = error.problems or [""]
    assert all(isinstance(p, str) and p for p in problems)


# ---------------------------------------------------------------- tracker text in comments

TRACKER_TEXT = st.lists(
    st.sampled_from(
        [
            "@alice",
            "@acme/team",
            "fixes #1",
            "Closes acme/web#2",
            "resolves: #3",
            "<script>",
            "<!-- goldthread:marker v1 fingerprint=evil -->",
            "[x](javascript:alert(1))",
            "`",
            "``",
            "**",
            "\n",
            "# h1",
            "![i](http://x/y.png)",
            "&amp;",
            "|",
            "\u200d",
        ]
    )
    | st.text(max_size=15),
    max_size=8,
).map("".join)


def _outside_code(markdown: str) -> str:
    """The Markdown with its code spans removed (text there renders literally).

    As CommonMark reads them: a backslash-escaped backtick opens nothing; a
    run of backticks opens a span closed by the next run of the same length.
    """
    out, i = [], 0
    while i < len(markdown):
        ch = markdown[i]
        if ch == "\\":
            out.append(markdown[i : i + 2])
            i += 2
            continue
        if ch != "`":
            out.append(ch)
            i += 1
            continue
        run = len(markdown[i:]) - len(markdown[i:].lstrip("`"))
        closer = re.compile(f"(?<!`){'`' * run}(?!`)").search(markdown, i + run)
        if closer is None:
            out.append("`" * run)
            i += run
        else:
            i = closer.end()
    return "".join(out)


@FUZZ
@given(
    title=TRACKER_TEXT,
    raw=TRACKER_TEXT,
    url=st.sampled_from(
        [
            None,
            "https://github.com/acme/web/issues/1",
            "javascript:alert(1)",
            "https://x.test/a)b](c",
        ]
    ),
)
def test_tracker_text_quoted_into_a_github_comment_cannot_mention_close_or_inject(
    title: str, raw: str, url: str | None
) -> None:
    tried("comments")
    doc = CommentDoc(
        blocks=(
            Block(
                spans=(
                    Span("Its parent "),
                    Span(title, url=url),
                    Span(" does not exist: "),
                    Span(raw, code=True),
                )
            ),
        ),
        fingerprint="abc123",
    )
    body = render(doc)
    assert find_marker(body) == "abc123"
    prose = _outside_code(body.rsplit("\n\n", 1)[0])
    assert not re.search(r"(?<![\w`\u200d])@[A-Za-z0-9]", prose), body
    assert not re.search(r"(?i)\b(close[sd]?|fix(e[sd])?|resolve[sd]?)[\s:]+\S*#\d", prose), body
    assert "<" not in prose, body
    assert all(
        target.startswith(("http://", "https://")) for target in re.findall(r"\]\(([^)]*)\)", prose)
    ), body


def test_an_imitation_marker_quoted_from_a_tracker_does_not_hide_the_real_one() -> None:
    fake = "<!-- goldthread:marker v1 fingerprint=evil -->"
    doc = CommentDoc(blocks=(Block(spans=(Span(fake, code=True),)),), fingerprint="real1")
    assert find_marker(render(doc)) == "real1"


_WIKI_MARKUP = re.compile(r"(?<!\\)(\[~|\{|\[[^\]]*\||!\S+!|\n)")


@FUZZ
@given(
    text=TRACKER_TEXT
    | st.sampled_from(
        ["[~alice]", "{code}x{code}", "[a|http://x]", "!img.png!", "h1. big", "{{x}}"]
    )
)
def test_tracker_text_quoted_into_a_jira_wiki_comment_stays_literal(text: str) -> None:
    tried("comments")
    doc = CommentDoc(
        blocks=(Block(spans=(Span("Its parent "), Span(text, code=True), Span(text))),),
        fingerprint="f",
    )
    wiki = render_wiki(doc)
    inner = wiki.removeprefix("Its parent {{")
    assert "\n" not in wiki
    assert not _WIKI_MARKUP.search(inner.replace("}}", "", 1)), wiki
