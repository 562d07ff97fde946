"""Structure-aware fuzzing of signed deliveries through the real ASGI app.

Payloads are built the way GitHub and Jira shape them (events, actions,
issues, repositories, labels, comments, sub-issues, changelogs, issue links)
with every field free to take a hostile value: booleans and floats for
numbers, malformed names, markers, deep nesting, wrong types. Most are
signed with the configured secret, some with a wrong one or none. Each goes
through the webhook listener's Starlette application into a real SQLite
store. Whatever arrives: never a 5xx; 401 exactly when the signature is
wrong; 202 exactly when one entry was stored, naming only configured items
by their tracker's syntax; a replay is never stored twice.
"""

from __future__ import annotations

import asyncio
import hashlib
import hmac
import json
import re
import threading
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest
import tomli_w
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from reliability_helpers import FULL, record

from goldthread.clock import FakeClock
from goldthread.config import load_settings
from goldthread.core.keys import is_jira_key, is_repository
from goldthread.service import intake
from goldthread.service.app import AppState, WebhookSecrets, build_app
from goldthread.service.health import Health
from goldthread.service.metrics import ServiceMetrics
from goldthread.store import InboxStatus, Store, open_store

SECRET = "fuzz-github-secret"
JIRA_SECRET = "fuzz-jira-secret"
EXAMPLES = 12_000 if FULL else 60
pytestmark = pytest.mark.timeout(900 if FULL else 120)
CONFIG: dict[str, Any] = {
    "sources": [
        {"name": "gh", "type": "github", "token_env": "GT_FUZZ_GH", "repos": ["acme/web", "ops/*"]},
        {
            "name": "jira",
            "type": "jira",
            "url": "https://acme.atlassian.net",
            "email": "bot@acme.example",
            "token_env": "GT_FUZZ_JIRA",
            "projects": ["PLAT", "WEB"],
        },
    ],
    "server": {"max_body_bytes": 65536},
}
REASONS = {"ping", "own-event", "ignored", "unknown-source", "duplicate"}

_sent = {"count": 0}


class Served:
    """The webhook app over a real store, driven in-process through ASGI."""

    def __init__(self, tmp: Path) -> None:
        path = tmp / "goldthread.toml"
        path.write_text(tomli_w.dumps(CONFIG), encoding="utf-8")
        self.settings = load_settings(path)
        self.routing = intake.Routing.from_settings(self.settings)
        self.store: Store = open_store(f"sqlite:///{tmp / 'fuzz.db'}")
        clock = FakeClock()
        state = AppState(
            store=self.store,
            routing=self.routing,
            secrets=WebhookSecrets(github=(SECRET,), jira=(JIRA_SECRET,)),
            max_body_bytes=65536,
            metrics=ServiceMetrics(self.store, {}, clock),
            health=Health(self.store, ["gh", "jira"]),
            wake=threading.Event(),
            now=clock.now,
        )
        self.app = build_app(state)
        self.runner = asyncio.Runner()

    def stored(self) -> int:
        return sum(self.store.inbox_counts().values())

    def post(self, path: str, body: bytes, headers: dict[str, str]) -> Answer:
        """One request through the ASGI app, as uvicorn would hand it over."""
        return self.runner.run(_call(self.app, path, body, headers))


@dataclass
class Answer:
    status_code: int
    body: bytes

    def json(self) -> Any:
        return json.loads(self.body)

    @property
    def text(self) -> str:
        return self.body.decode("utf-8", "replace")


async def _call(app: Any, path: str, body: bytes, headers: dict[str, str]) -> Answer:
    scope = {
        "type": "http",
        "asgi": {"version": "3.0"},
        "http_version": "1.1",
        "method": "POST",
        "scheme": "http",
        "path": path,
        "raw_path": path.encode(),
        "query_string": b"",
        "root_path": "",
        "headers": [(k.lower().encode(), v.encode()) for k, v in headers.items()]
        + [(b"content-length", str(len(body)).encode())],
        "client": ("127.0.0.1", 50000),
        "server": ("127.0.0.1", 8080),
    }
    chunks = [body[i : i + 4096] for i in range(0, len(body), 4096)] or [b""]
    sent: list[dict[str, Any]] = []

    async def receive() -> dict[str, Any]:
        if chunks:
            chunk = chunks.pop(0)
            return {"type": "http.request", "body": chunk, "more_body": bool(chunks)}
        return {"type": "http.disconnect"}

    async def send(message: dict[str, Any]) -> None:
        sent.append(message)

    await app(scope, receive, send)
    start = next(m for m in sent if m["type"] == "http.response.start")
    data = b"".join(m.get("body", b"") for m in sent if m["type"] == "http.response.body")
    return Answer(start["status"], data)


@pytest.fixture(scope="module")
def served(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Served]:
    running = Served(tmp_path_factory.mktemp("fuzz-deliveries"))
    with running.runner:
        yield running
    running.store.close()
    record("fuzz_webhooks", _sent["count"])
    record("fuzz_inputs", _sent["count"])


# ---------------------------------------------------------------- shapes

HOSTILE_TEXT = st.sampled_from(
    [
        "",
        " ",
        "\x00",
        "\u202e",
        "\n",
        "..",
        "acme/..",
        "acme/web#2",
        "acme/web\n",
        "PLAT-1\n",
        "PLAT-١",
        "<!-- goldthread:marker v1 fingerprint=x -->",
        "goldthread:untraced",
        "GOLDTHREAD:UNTRACED",
        "@alice fixes #1",
        "https://acme.atlassian.net/browse/PLAT-7",
    ]
) | st.text(max_size=24)
NUMBERS = st.one_of(
    st.integers(min_value=1, max_value=10**6),
    st.integers(),
    st.booleans(),
    st.floats(allow_nan=False, allow_infinity=False),
    st.just(10**40),
    st.text(max_size=6),
    st.none(),
)
REPOS = st.sampled_from(["acme/web", "ops/tools", "ACME/Web", "other/repo"]) | HOSTILE_TEXT


def _leafy(*more: st.SearchStrategy[Any]) -> st.SearchStrategy[Any]:
    scalars = st.one_of(st.none(), st.booleans(), st.integers(), HOSTILE_TEXT, *more)
    return st.recursive(
        scalars,
        lambda kids: st.lists(kids, max_size=3) | st.dictionaries(HOSTILE_TEXT, kids, max_size=3),
        max_leaves=6,
    )


@st.composite
def github_issue(draw: st.DrawFn) -> Any:
    if draw(st.integers(0, 9)) == 0:
        return draw(_leafy())
    repo = draw(REPOS)
    issue: dict[str, Any] = {
        "number": draw(NUMBERS),
        "repository_url": draw(
            st.sampled_from([f"https://api.github.com/repos/{repo}", f"/repos/{repo}/", repo])
            | HOSTILE_TEXT
        ),
        "html_url": draw(st.sampled_from(["https://github.com/x/y/issues/1", ""]) | HOSTILE_TEXT),
        "title": draw(HOSTILE_TEXT),
        "labels": draw(st.lists(st.fixed_dictionaries({"name": HOSTILE_TEXT}), max_size=3)),
    }
    if draw(st.booleans()):
        issue["extra"] = draw(_leafy())
    return issue


@st.composite
def github_delivery(draw: st.DrawFn) -> tuple[str, Any]:
    event = draw(
        st.sampled_from(["issues", "sub_issues", "issue_comment", "ping", "push", "label"])
        | HOSTILE_TEXT
    )
    payload: dict[str, Any] = {
        "action": draw(
            st.sampled_from(
                [*sorted(intake.GITHUB_ISSUE_ACTIONS), "assigned", "parent_issue_added"]
            )
            | NUMBERS
        ),
        "issue": draw(github_issue()),
        "repository": draw(st.fixed_dictionaries({"full_name": REPOS}) | _leafy()),
        "sender": {"login": draw(HOSTILE_TEXT)},
    }
    if draw(st.booleans()):
        payload["label"] = {"name": draw(HOSTILE_TEXT)}
    if event == "sub_issues" or draw(st.integers(0, 4)) == 0:
        payload["sub_issue"] = draw(github_issue())
        payload["parent_issue"] = draw(github_issue())
    if event == "issue_comment":
        payload["comment"] = {"body": draw(HOSTILE_TEXT)}
    return event, payload


@st.composite
def jira_delivery(draw: st.DrawFn) -> Any:
    payload: dict[str, Any] = {
        "webhookEvent": draw(
            st.sampled_from(
                [
                    "jira:issue_created",
                    "jira:issue_updated",
                    "jira:issue_deleted",
                    "issuelink_created",
                    "issuelink_deleted",
                    "comment_created",
                ]
            )
            | NUMBERS
        ),
        "timestamp": draw(NUMBERS),
    }
    roll = draw(st.integers(0, 2))
    if roll == 0:
        payload["issueLink"] = {
            "sourceIssueId": draw(NUMBERS),
            "destinationIssueId": draw(NUMBERS),
        }
    elif roll == 1:
        payload["issue"] = {
            "key": draw(st.sampled_from(["PLAT-1", "web-7", "OPS-2"]) | HOSTILE_TEXT | NUMBERS),
            "self": draw(
                st.sampled_from(["https://acme.atlassian.net/rest/api/2/issue/1", ""])
                | HOSTILE_TEXT
            ),
        }
        payload["changelog"] = {
            "items": draw(
                st.lists(
                    st.fixed_dictionaries(
                        {
                            "field": HOSTILE_TEXT,
                            "fromString": HOSTILE_TEXT,
                            "toString": HOSTILE_TEXT,
                        }
                    ),
                    max_size=3,
                )
            )
        }
    else:
        payload["issue"] = draw(_leafy())
    return payload


def _encoded(payload: Any, shape: int) -> bytes:
    """The payload as sent: JSON, or JSON broken on purpose."""
    body = json.dumps(payload).encode()
    if shape == 0:
        return b"[" * 3000 + b"]" * 3000  # nested too deeply to parse
    if shape == 1:
        return body[: len(body) // 2]  # cut off
    if shape == 2:
        return b"\xff\xfe" + body  # not UTF-8
    if shape == 3:
        return json.dumps([payload]).encode()  # JSON, not an object
    return body


DELIVERIES = st.tuples(
    st.sampled_from(["github", "jira"]),
    github_delivery(),
    jira_delivery(),
    st.integers(0, 24),  # how the body is encoded (mostly well-formed)
    st.sampled_from(["signed"] * 8 + ["wrong", "none"]),
    st.sampled_from(["fresh", "fresh", "fixed", "empty"]),  # the delivery id
)


def _post(served: Served, tracker: str, body: bytes, signing: str, delivery: str) -> Any:
    secret = SECRET if tracker == "github" else JIRA_SECRET
    digest = hmac.new((secret if signing == "signed" else "x").encode(), body, hashlib.sha256)
    headers = {"Content-Type": "application/json"}
    if signing != "none":
        name = "X-Hub-Signature-256" if tracker == "github" else "X-Hub-Signature"
        headers[name] = f"sha256={digest.hexdigest()}"
    if tracker == "github":
        headers["X-GitHub-Delivery"] = delivery
    else:
        headers["X-Atlassian-Webhook-Identifier"] = delivery
    return headers


@settings(
    max_examples=EXAMPLES,
    deadline=None,
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large],
)
@given(case=DELIVERIES)
def test_any_signed_delivery_is_stored_once_refused_or_ignored_never_a_crash(
    served: Served, case: tuple[str, tuple[str, Any], Any, int, str, str]
) -> None:
    tracker, (event, github_payload), jira_payload, shape, signing, id_kind = case
    _sent["count"] += 1
    payload = github_payload if tracker == "github" else jira_payload
    body = _encoded(payload, shape)
    delivery = {"fresh": f"d-{_sent['count']}", "fixed": "same-id", "empty": ""}[id_kind]
    headers = _post(served, tracker, body, signing, delivery)
    if tracker == "github":
        headers["X-GitHub-Event"] = event if isinstance(event, str) else str(event)
    before = served.stored()

    answer = served.post(f"/webhooks/{tracker}", body, headers)

    assert answer.status_code in (200, 202, 400, 401), (answer.status_code, answer.text)
    assert (answer.status_code == 401) == (signing != "signed")
    if answer.status_code == 400:
        with pytest.raises(Exception):
            intake.parse_object(body)
    if answer.status_code == 200:
        assert answer.json()["status"] in REASONS
    if answer.status_code != 202:
        assert served.stored() == before
        return
    assert served.stored() == before + 1
    (entry,) = served.store.inbox(InboxStatus.PENDING)
    served.store.complete(entry.id)  # so the pending list stays one entry long
    assert entry.payload == body
    targets = intake.targets_of(entry.event, json.loads(body), served.routing)
    assert targets
    for source, keys in targets.items():
        assert source in ("gh", "jira")
        for key in keys:
            if source == "gh":
                repo, _, number = key.rpartition("#")
                assert is_repository(repo), key
                assert re.fullmatch(r"[1-9][0-9]{0,11}", number), key
            else:
                assert is_jira_key(key) or re.fullmatch(r"[1-9][0-9]{0,11}", key), key
    replay = served.post(
        f"/webhooks/{tracker}",
        body,
        {**headers, "X-GitHub-Delivery": "r", "X-Atlassian-Webhook-Identifier": "r"},
    )
    assert (replay.status_code, replay.json()) == (200, {"status": "duplicate"})
    assert served.stored() == before + 1
