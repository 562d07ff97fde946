"""The Jira connector returns only items in scope, whatever keys it is asked
for: an unwatched project is left out, ``jql`` is decided by Jira itself
(``key in (...) AND (<jql>)``), and a moved issue's old key finds it under
its new key — on Cloud and Data Center."""

from __future__ import annotations

import pytest
from jira_sandbox_helpers import connect, fake_clock, seed, stand_in

MODES = ["cloud", "dc"]


@pytest.mark.parametrize("mode", MODES)
def test_get_leaves_out_unwatched_projects_and_issues_outside_the_jql(mode):
    clock = fake_clock()
    site = stand_in(mode, clock)
    try:
        site.load([seed("PLAT-1", labels=["keep"]), seed("PLAT-2"), seed("OPS-1", labels=["keep"])])
        jira = connect(site, clock, jql="labels = keep")
        got = jira.get(["PLAT-1", "PLAT-2", "OPS-1", "PLAT-99"])
        assert [item.key for item in got] == ["PLAT-1"]
        searches = [r for r in site.requests() if "/search" in r.path]
        assert searches, "jql is asked of Jira, not guessed"
    finally:
        site.stop()


@pytest.mark.parametrize("mode", MODES)
def test_a_moved_issue_comes_back_under_its_new_key_only_when_the_new_project_is_watched(mode):
    clock = fake_clock()
    site = stand_in(mode, clock)
    try:
        site.load([seed("PLAT-4"), seed("PLAT-5"), seed("WEB-1"), seed("OPS-1")])
        site.move_issue("PLAT-4", "WEB")
        site.move_issue("PLAT-5", "OPS")
        got = connect(site, clock).get(["PLAT-4", "PLAT-5"])
        assert [item.key for item in got] == ["WEB-2"]
    finally:
        site.stop()
