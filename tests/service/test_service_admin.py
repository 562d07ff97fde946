"""The admin listener: the dashboard and /metrics live there, not beside the
webhooks; optionally behind a Bearer token; the page is rendered after an
evaluation and served from memory."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import httpx
import pytest
from service_harness import JIRA_SECRET, SECRET, Harness, app, body_of
from support_items import up, work_item

from goldthread.core.model import LinkKind
from goldthread.core.tracing import trace
from goldthread.sandbox.offline import POLICY
from goldthread.service.admin import bearer_matches
from goldthread.service.app import WebhookSecrets

__all__ = ["app"]  # the fixture

TOKEN = "dashboard-token-0000000000000001"


@pytest.fixture
def guarded(tmp_path: Path) -> Iterator[Harness]:
    with Harness(tmp_path, WebhookSecrets(github=(SECRET,), jira=(JIRA_SECRET,)), token=TOKEN) as h:
        h.dashboard.refresh()
        yield h


def test_the_webhook_listener_shows_neither_the_dashboard_nor_metrics(app: Harness) -> None:
    app.dashboard.refresh()

    assert app.client.get("/").status_code == 404
    assert app.client.get("/metrics").status_code == 404
    assert app.admin.get("/").status_code == 200
    assert app.admin.get("/metrics").status_code == 200


def test_the_admin_listener_takes_no_webhooks_and_answers_no_probes(app: Harness) -> None:
    assert app.admin.post("/webhooks/github", content=body_of()).status_code == 404
    assert app.admin.get("/healthz").status_code == 404


def test_before_its_first_rendering_the_dashboard_says_it_is_being_prepared(app: Harness) -> None:
    answer = app.admin.get("/")

    assert answer.status_code == 503
    assert answer.headers["retry-after"] == "2"


def test_the_dashboard_is_the_html_report_refreshing_itself(app: Harness) -> None:
    app.dashboard.refresh()

    answer = app.admin.get("/")

    assert answer.status_code == 200
    assert answer.headers["content-type"].startswith("text/html")
    assert '<meta http-equiv="refresh" content="30">' in answer.text
    assert "Golden thread report" in answer.text


def test_requests_do_not_render_the_page_evaluations_do(app: Harness) -> None:
    app.dashboard.refresh()
    first = app.admin.get("/").content

    for _ in range(20):
        assert app.admin.get("/").content == first
    assert app.dashboard.renders == 1
    assert not app.dashboard.refresh()  # nothing evaluated since: nothing to render

    app.dashboard.invalidate()  # an evaluation happened
    assert app.dashboard.refresh()
    assert app.dashboard.renders == 2


def test_the_page_is_sent_compressed_to_browsers_and_unchanged_pages_are_not_resent(
    app: Harness,
) -> None:
    app.dashboard.refresh()

    with httpx.Client(base_url=app.admin_served.base) as raw:
        zipped = raw.get("/", headers={"Accept-Encoding": "gzip"})
        plain = raw.get("/", headers={"Accept-Encoding": "identity"})
        again = raw.get("/", headers={"If-None-Match": zipped.headers["etag"]})

    assert zipped.headers["content-encoding"] == "gzip"
    assert zipped.text == plain.text  # httpx undoes the gzip, as a browser does
    assert int(zipped.headers["content-length"]) < len(plain.content)
    assert "content-encoding" not in plain.headers
    assert again.status_code == 304


def test_with_a_token_both_routes_need_it_as_a_bearer(guarded: Harness) -> None:
    for path in ("/", "/metrics"):
        bare = guarded.admin.get(path)
        wrong = guarded.admin.get(path, headers={"Authorization": "Bearer nope"})
        basic = guarded.admin.get(path, headers={"Authorization": f"Basic {TOKEN}"})
        right = guarded.admin.get(path, headers={"Authorization": f"Bearer {TOKEN}"})

        assert (bare.status_code, wrong.status_code, basic.status_code) == (401, 401, 401)
        assert bare.headers["www-authenticate"].startswith("Bearer")
        assert TOKEN not in bare.text
        assert right.status_code == 200


def test_the_token_leaves_the_webhook_listener_alone(guarded: Harness) -> None:
    assert guarded.client.get("/healthz").status_code == 200
    assert guarded.github(body_of()).status_code == 202


@pytest.mark.parametrize(
    ("header", "ok"),
    [
        (f"Bearer {TOKEN}", True),
        (f"bearer {TOKEN}", True),
        (f"Bearer {TOKEN}x", False),
        (f"Bearer {TOKEN[:-1]}", False),
        ("Bearer ", False),
        (None, False),
        (f"Token {TOKEN}", False),
        ("Bearer \u00e9", False),
    ],
)
def test_the_token_check_takes_only_the_exact_bearer_token(header: str | None, ok: bool) -> None:
    assert bearer_matches(header, TOKEN) is ok
    assert bearer_matches(header, None) is True  # no token configured: open


def test_the_dashboard_names_likely_parents_beside_an_untraced_item(app: Harness) -> None:
    parent = LinkKind.JIRA_PARENT
    items = [
        work_item("jira", "PLAT-1", type="Initiative", labels=("vision",)),
        work_item("jira", "PLAT-2", up(parent, "jira:PLAT-1"), type="Epic", title="Ledger"),
        work_item("jira", "WEB-7", type="Story", body="Came up in the PLAT-2 review."),
    ]
    app.store.upsert_items(items)
    app.store.save_verdicts(
        trace({i.ref: i for i in items}, POLICY, app.clock.now()).values(), app.clock.now()
    )
    app.dashboard.refresh()

    page = app.admin.get("/").text

    assert "Likely parents:" in page
    assert 'href="https://jira.example.test/PLAT-2"' in page
    assert "this item mentions PLAT-2" in page
