"""The connector against the GitHub stand-in: real PyGithub over real loopback HTTP."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import UTC, datetime, timedelta

import pytest
from gh_contract_support import PATTERNS

from goldthread.clock import FakeClock
from goldthread.connectors.github import GitHubConnector, GitHubOptions
from goldthread.connectors.retrying import RetrySettings
from goldthread.core.model import Block, CommentDoc, LinkKind, Span
from goldthread.core.references import GitHubSourceInfo, SourceIndex
from goldthread.errors import FatalSourceError, SkippableError
from goldthread.sandbox.faults import FaultPlan
from goldthread.sandbox.github import BOT_LOGIN, GitHubStandIn
from goldthread.sandbox.seeds import CommentSeed, GitHubIssueSeed

TOKEN = "sandbox-test-token"
LABEL = "goldthread:untraced"
T0 = datetime(2026, 2, 1, 9, 0, tzinfo=UTC)


def seed(repo: str, number: int, minutes: int = 0, **extra) -> GitHubIssueSeed:
    moment = T0 + timedelta(minutes=minutes)
    fields = {"title": f"Issue {number}", "body": "", "labels": [], **extra}
    return GitHubIssueSeed(repo=repo, number=number, created_at=moment, updated_at=moment, **fields)


@pytest.fixture
def clock() -> FakeClock:
    return FakeClock(T0 + timedelta(days=1))


@pytest.fixture
def sandbox(clock: FakeClock) -> Iterator[GitHubStandIn]:
    stand_in = GitHubStandIn(token=TOKEN, now=lambda: clock.now().timestamp())
    stand_in.start()
    yield stand_in
    stand_in.stop()


def connect(sandbox: GitHubStandIn, clock: FakeClock, **extra) -> GitHubConnector:
    repos = extra.pop("repos", ("acme/web", "acme/api"))
    index = SourceIndex(github=(GitHubSourceInfo("gh", sandbox.web_host, repos),))
    options = GitHubOptions(
        name="gh",
        index=index,
        base_url=sandbox.api_url,
        token=extra.pop("token", TOKEN),
        repos=repos,
        reference_patterns=PATTERNS,
        **extra,
    )
    return GitHubConnector(options, clock, retry=RetrySettings(attempts=3))


def read_all(connector: GitHubConnector, scope: str, cursor: str | None = None):
    read = connector.read(scope, cursor)
    items = list(read)
    return items, read.cursor


def test_a_full_read_pages_through_every_issue_with_parents(sandbox, clock):
    sandbox.load([seed("acme/web", n, minutes=n) for n in range(1, 251)])
    sandbox.load([seed("acme/api", 1, parent=("acme/web", 7), body="Part of acme/web#8")])
    gh = connect(sandbox, clock)
    web, _ = read_all(gh, "acme/web")
    api, _ = read_all(gh, "acme/api")
    assert len(web) == 250
    assert gh.stats.requests == 3 + 1
    [child] = api
    assert [(p.kind, p.target) for p in child.parents] == [
        (LinkKind.SUB_ISSUE, "gh:acme/web#7"),
        (LinkKind.BODY_REFERENCE, "gh:acme/web#8"),
    ]


def test_labels_types_and_states_come_through(sandbox, clock):
    sandbox.load(
        [
            seed("acme/web", 1, labels=["vision"], type="Epic"),
            seed("acme/web", 2, state="closed", state_reason="not_planned"),
            seed("acme/web", 3, is_pull_request=True),
        ]
    )
    items = {i.key: i for i in read_all(connect(sandbox, clock), "acme/web")[0]}
    assert set(items) == {"acme/web#1", "acme/web#2"}
    assert (items["acme/web#1"].labels, items["acme/web#1"].type) == (("vision",), "Epic")
    assert (items["acme/web#2"].state, items["acme/web#2"].status) == ("closed", "not_planned")


def test_a_poll_with_no_change_is_a_free_304(sandbox, clock):
    sandbox.load([seed("acme/web", n, minutes=n) for n in range(1, 31)])
    gh = connect(sandbox, clock)
    _, cursor = read_all(gh, "acme/web")
    before = sandbox.rates.remaining
    items, again = read_all(gh, "acme/web", cursor)
    assert items == []
    assert again == cursor
    assert sandbox.rates.remaining == before
    assert sandbox.requests("GET", "/repos/acme/web/issues")[-1].status == 304


def test_a_poll_after_a_change_reads_the_changed_issue(sandbox, clock):
    sandbox.load([seed("acme/web", n, minutes=n) for n in range(1, 151)])
    gh = connect(sandbox, clock)
    _, cursor = read_all(gh, "acme/web")
    clock.advance(600)
    sandbox.set_labels("acme/web", 3, ["strategy"])
    requests_before = gh.stats.requests
    items, _ = read_all(gh, "acme/web", cursor)
    assert items[0].key == "acme/web#3"
    assert items[0].labels == ("strategy",)
    # the rest are the last changes seen before, re-read within the one-minute overlap
    assert [i.key for i in items[1:]] == ["acme/web#150", "acme/web#149"]
    assert gh.stats.requests - requests_before == 1


def test_every_write_lands_once_and_only_on_goldthreads_own(sandbox, clock):
    sandbox.load(
        [
            seed(
                "acme/web",
                1,
                labels=["bug"],
                comments=[
                    CommentSeed(
                        "sandbox-user", "look <!-- goldthread:marker v1 fingerprint=x -->", T0
                    )
                ],
            )
        ]
    )
    gh = connect(sandbox, clock)
    [item] = read_all(gh, "acme/web")[0]
    gh.add_label(item, LABEL)
    assert sandbox.labels("acme/web", 1) == ["bug", LABEL]
    assert gh.find_own_comment(item) is None  # the human's copy of the marker is not ours
    doc = CommentDoc(blocks=(Block(spans=(Span("No parent, @someone."),)),), fingerprint="f1")
    own = gh.create_comment(item, doc)
    [item] = gh.get(["acme/web#1"])
    assert gh.find_own_comment(item) == own
    gh.update_comment(item, own.comment_id, CommentDoc(doc.blocks, fingerprint="f2"))
    bodies = [c["body"] for c in sandbox.comments("acme/web", 1)]
    assert len(bodies) == 2
    assert "fingerprint=f2" in bodies[1]
    assert "@someone" not in bodies[1]
    gh.remove_label(item, LABEL)
    gh.delete_comment(item, own.comment_id)
    assert sandbox.labels("acme/web", 1) == ["bug"]
    assert [c["user"]["login"] for c in sandbox.comments("acme/web", 1)] == ["sandbox-user"]


def test_the_label_is_created_with_goldthreads_colour(sandbox, clock):
    sandbox.load([seed("acme/web", 1)])
    gh = connect(sandbox, clock, label_color="123456")
    [item] = read_all(gh, "acme/web")[0]
    gh.add_label(item, LABEL)
    [label] = sandbox.issue("acme/web", 1)["labels"]
    assert label["color"] == "123456"
    assert label["description"].startswith("goldthread:")


def test_a_second_identical_write_sends_no_mutating_request(sandbox, clock):
    sandbox.load([seed("acme/web", 1)])
    gh = connect(sandbox, clock)
    [item] = read_all(gh, "acme/web")[0]
    gh.add_label(item, LABEL)
    [item] = read_all(gh, "acme/web")[0]
    writes = gh.stats.writes
    gh.add_label(item, LABEL)
    assert gh.stats.writes == writes


def test_a_rate_limited_request_waits_exactly_as_told(sandbox, clock):
    sandbox.load([seed("acme/web", 1)])
    sandbox.faults = FaultPlan(fail_next=1, statuses=[429], retry_after=17)
    items, _ = read_all(connect(sandbox, clock), "acme/web")
    assert len(items) == 1
    assert clock.sleeps == [17.0]


def test_a_comment_refused_by_a_secondary_limit_is_posted_once(sandbox, clock):
    sandbox.load([seed("acme/web", 1)])
    gh = connect(sandbox, clock)
    [item] = read_all(gh, "acme/web")[0]
    sandbox.faults = FaultPlan(
        fail_next=1, statuses=[403], retry_after=61, methods=frozenset({"POST"})
    )
    doc = CommentDoc(blocks=(Block(spans=(Span("x"),)),), fingerprint="f")
    gh.create_comment(item, doc)
    assert len(sandbox.comments("acme/web", 1)) == 1
    assert 61.0 in clock.sleeps


def test_a_missing_repository_fails_only_that_repository(sandbox, clock):
    sandbox.load([seed("acme/web", 1)])
    gh = connect(sandbox, clock, repos=("acme/gone", "acme/web"))
    with pytest.raises(SkippableError):
        read_all(gh, "acme/gone")
    assert len(read_all(gh, "acme/web")[0]) == 1


def test_bad_credentials_are_refused(sandbox, clock):
    with pytest.raises(FatalSourceError):
        connect(sandbox, clock, token="wrong").check()


def test_check_names_goldthreads_login(sandbox, clock):
    assert connect(sandbox, clock).check().split(";")[0] == BOT_LOGIN


def test_an_owner_wildcard_lists_the_owners_repositories(sandbox, clock):
    sandbox.add_repo("acme/web")
    sandbox.add_repo("acme/api")
    sandbox.add_repo("other/x")
    assert connect(sandbox, clock, repos=("acme/*",)).scopes() == ["acme/api", "acme/web"]


def test_enterprise_server_is_read_under_api_v3(clock):
    stand_in = GitHubStandIn(token=TOKEN, enterprise=True, now=lambda: clock.now().timestamp())
    stand_in.start()
    try:
        stand_in.load([seed("acme/web", 1)])
        assert stand_in.api_url.endswith("/api/v3")
        assert len(read_all(connect(stand_in, clock), "acme/web")[0]) == 1
    finally:
        stand_in.stop()


def test_reads_slow_down_before_a_small_budget_runs_out(clock):
    stand_in = GitHubStandIn(token=TOKEN, rate_limit=150, now=lambda: clock.now().timestamp())
    stand_in.start()
    try:
        stand_in.load([seed("acme/web", n, minutes=n) for n in range(1, 301)])
        items, _ = read_all(connect(stand_in, clock), "acme/web")
        assert len(items) == 300
        # after the first page 149 of 150 requests are left for the hour: pace them out
        assert clock.sleeps[0] == pytest.approx(3600 / 149, abs=0.05)
        assert len(clock.sleeps) == 2
    finally:
        stand_in.stop()


def test_a_github_app_reads_with_a_minted_installation_token(sandbox, clock, app_key):
    sandbox.load([seed("acme/web", 1)])
    gh = connect(sandbox, clock, token=None, app_id=11, private_key=app_key)
    assert len(read_all(gh, "acme/web")[0]) == 1
    [listing] = sandbox.requests("GET", "/repos/acme/web/issues")
    assert listing.headers["authorization"].startswith("token ghs_")
    assert len(sandbox.requests("POST", "/access_tokens")) == 1
