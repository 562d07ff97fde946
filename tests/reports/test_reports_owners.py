"""Owners and ages in every report: who owns each item, how long it has been
untraced, and one team's report on its own."""

from __future__ import annotations

import csv
import io
import json
from datetime import timedelta

from reports_sample import NOW, sample_report

from goldthread.core.ageing import FlagSpan
from goldthread.core.owners import OwnerRule, OwnerRules
from goldthread.reports.exports import render_csv, render_json, render_markdown
from goldthread.reports.page import render_html
from goldthread.reports.table import render_table

OWNERS = OwnerRules(
    (
        OwnerRule(team="web", repos=("acme/web",), index=0),
        OwnerRule(team="platform", projects=("PLAT", "VIS"), index=1),
    ),
    own_label="goldthread:untraced",
)
FLAGS = {
    "gh:acme/web#13": FlagSpan("gh:acme/web#13", NOW - timedelta(days=2)),
    "gh:acme/web#14": FlagSpan("gh:acme/web#14", NOW - timedelta(days=12)),
    "gh:acme/web#16": FlagSpan("gh:acme/web#16", NOW - timedelta(days=90)),
    # traced again: its stretch ended, so it has no flagged_since
    "gh:acme/web#12": FlagSpan("gh:acme/web#12", NOW - timedelta(days=9), NOW - timedelta(days=1)),
}


def _report(**more: object):  # type: ignore[no-untyped-def]
    return sample_report(owners=OWNERS, flags=FLAGS, **more)


def test_json_names_each_items_owner_and_when_it_was_first_flagged() -> None:
    items = {i["ref"]: i for i in json.loads(render_json(_report()))["items"]}
    assert items["gh:acme/web#13"]["owner"] == "web"
    assert items["jira:PLAT-7"]["owner"] == "platform"
    assert items["gh:acme/api#3"]["owner"] is None
    assert items["gh:acme/web#13"]["flagged_since"] == (NOW - timedelta(days=2)).isoformat()
    assert items["gh:acme/web#12"]["flagged_since"] is None
    assert items["jira:PLAT-7"]["flagged_since"] is None


def test_the_summary_buckets_untraced_items_by_age_per_owner() -> None:
    by_owner = json.loads(render_json(_report()))["summary"]["by_owner"]
    assert by_owner["web"]["untraced"] == 3
    assert by_owner["web"]["ages"] == {"< 1 week": 1, "< 1 month": 1, "older": 1}
    assert by_owner["web"]["oldest_since"] == (NOW - timedelta(days=90)).isoformat()
    assert by_owner["platform"]["untraced"] == 0
    assert by_owner["—"]["items"] == 1  # gh:acme/api#3 belongs to no team


def test_an_owner_filter_keeps_only_that_teams_items_totals_and_barren_items() -> None:
    data = _report(owner_filter=("platform",))
    assert {row.ref for row in data.rows} == {
        "jira:VIS-1",
        "jira:VIS-2",
        "jira:PLAT-7",
        "jira:PLAT-8",
    }
    assert data.summary.total.items == 4
    assert data.summary.coverage == 1.0
    assert {b.ref for b in data.barren} == {"jira:VIS-2", "jira:PLAT-8"}
    assert "owner platform" in render_html(data)


def test_csv_markdown_table_and_page_show_owner_and_age() -> None:
    data = _report()
    rows = {r["ref"]: r for r in csv.DictReader(io.StringIO(render_csv(data)))}
    assert rows["gh:acme/web#14"]["owner"] == "web"
    assert rows["gh:acme/api#3"]["owner"] == ""
    assert rows["gh:acme/web#14"]["flagged_since"].startswith(
        f"{NOW - timedelta(days=12):%Y-%m-%d}"
    )
    markdown = render_markdown(data)
    assert "| web | 5 | 3 | 1 | 1 | 1 | 25.0% |" in markdown
    table = render_table(data, width=120, color=False, links=False)
    assert "Untraced by owner and age" in table
    page = render_html(data)
    assert 'id="owners"' in page
    assert "12 days" in page  # gh:acme/web#14's age
    assert "12 weeks" in page  # gh:acme/web#16's


def test_without_owner_rules_no_owner_table_is_shown() -> None:
    data = sample_report()
    assert data.by_owner == ()
    assert 'id="owners"' not in render_html(data)
    assert json.loads(render_json(data))["summary"]["by_owner"] == {}
