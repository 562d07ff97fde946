"""The real CLI against a Jira stand-in as strict as Jira: documented calls only,
goldthread's own comments by author and marker, labels in any case, edit screens."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest
from e2e_helpers import Workspace

from goldthread.sandbox.control import Sandbox
from goldthread.sandbox.jira import JiraStandIn
from goldthread.sandbox.org import generate

LABEL = "goldthread:untraced"
MARKER = "goldthread.marker"


def small(tmp_path: Path, jira_mode: str = "cloud", **jira: object) -> Iterator[Workspace]:
    with Sandbox(jira_mode=jira_mode) as sandbox:
        for name, value in jira.items():
            setattr(sandbox.jira, name, value)
        sandbox.load(generate(40, seed=7, jira_mode=jira_mode))
        space = Workspace(sandbox, tmp_path)
        space.config.write_text(sandbox.config_toml(f"sqlite:///{space.store}"))
        yield space


@pytest.fixture(params=["cloud", "dc"])
def jira_space(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[Workspace]:
    yield from small(tmp_path, request.param)


@pytest.fixture
def cloud_space(tmp_path: Path) -> Iterator[Workspace]:
    yield from small(tmp_path)


def flagged_jira(space: Workspace) -> list[str]:
    return sorted(
        ref.partition(":")[2]
        for ref, (verdict, _) in space.sandbox.expected().items()
        if ref.startswith("jira:") and verdict in ("orphan", "broken")
    )


def traced_jira(space: Workspace) -> list[str]:
    return sorted(
        ref.partition(":")[2]
        for ref, (verdict, _) in space.sandbox.expected().items()
        if ref.startswith("jira:") and verdict == "traced"
    )


def by_author(jira: JiraStandIn, key: str) -> dict[str, list[dict[str, object]]]:
    """Comments carrying goldthread's marker, by author's display name."""
    found: dict[str, list[dict[str, object]]] = {}
    for comment in jira.comments(key):
        if any(p.get("key") == MARKER for p in comment.get("properties") or ()):
            found.setdefault(str(comment["author"]["displayName"]), []).append(comment)
    return found


def forget_store(space: Workspace) -> None:
    for path in space.directory.glob(f"{space.store.name}*"):
        path.unlink()


def test_a_lost_store_never_duplicates_a_jira_comment(jira_space: Workspace) -> None:
    first = jira_space.run("backfill", "--yes")
    assert first.returncode == 0, first.stderr
    forget_store(jira_space)
    jira_space.sandbox.clear_request_log()

    again = jira_space.run("backfill", "--yes")

    assert again.returncode == 0, again.stderr
    assert jira_space.mutating_requests() == []
    jira = jira_space.sandbox.jira
    for key in flagged_jira(jira_space):
        assert [len(v) for v in by_author(jira, key).values()] == [1], key


def test_a_marker_forged_on_a_person_s_comment_is_never_touched(tmp_path: Path) -> None:
    for space in small(tmp_path):
        space.config.write_text(
            space.config.read_text().replace('on_resolve = "update"', 'on_resolve = "delete"')
        )
        jira = space.sandbox.jira
        key = flagged_jira(space)[0]
        forged = {MARKER: {"v": 1, "fingerprint": "copied"}}
        person = jira.comment_as_person(key, "I copied goldthread's marker.", forged)

        assert space.run("backfill", "--yes").returncode == 0
        mine = by_author(jira, key)
        assert len(mine[jira.bot]) == 1  # goldthread wrote its own comment beside it
        jira.set_labels(key, [*jira.labels(key), "no-trace"])  # resolved: comment deleted
        done = space.run("sync")

        assert done.returncode == 0, done.stderr
        left = {str(c["id"]): c for c in jira.comments(key)}
        assert person in left
        assert left[person]["body"] == "I copied goldthread's marker."
        assert jira.bot not in by_author(jira, key)


def test_goldthread_s_label_in_another_case_comes_off_once(cloud_space: Workspace) -> None:
    jira = cloud_space.sandbox.jira
    key = traced_jira(cloud_space)[0]
    jira.set_labels(key, [*jira.labels(key), "Goldthread:Untraced"])

    first = cloud_space.run("backfill", "--yes")

    assert first.returncode == 0, first.stderr
    assert not any(label.casefold() == LABEL for label in jira.labels(key))
    cloud_space.sandbox.clear_request_log()
    again = cloud_space.run("sync")
    assert again.returncode == 0, again.stderr
    assert cloud_space.mutating_requests() == []


def test_a_project_refusing_labels_gets_comments_and_a_warning(jira_space: Workspace) -> None:
    jira = jira_space.sandbox.jira
    jira.lock_labels("WEB")

    done = jira_space.run("backfill", "--yes")

    assert done.returncode == 0, done.stderr
    assert "warning" in done.stderr
    assert "labels cannot be edited in project WEB" in done.stderr
    for key in flagged_jira(jira_space):
        assert len(by_author(jira, key).get(jira.bot, [])) == 1, key
        assert (LABEL in jira.labels(key)) == key.startswith("PLAT-"), key
    jira_space.sandbox.clear_request_log()
    assert jira_space.run("backfill").returncode == 0
    assert jira_space.mutating_requests() == []  # the refusal is remembered on the issues
    check = jira_space.run("check", "--online")
    assert check.returncode == 0, check.stderr
    assert "labels cannot be written in WEB" in check.stdout


def test_issues_just_written_are_read_back_as_written_from_a_lagging_search(
    tmp_path: Path,
) -> None:
    for space in small(tmp_path, search_lag=600.0):
        jira = space.sandbox.jira
        assert space.run("backfill", "--yes").returncode == 0
        key = flagged_jira(space)[0]
        assert LABEL in jira.labels(key)
        space.sandbox.clear_request_log()

        again = space.run("sync")  # Cloud still serves the old copies to other readers

        assert again.returncode == 0, again.stderr
        assert space.mutating_requests() == []
        searches = [r for r in jira.requests("GET", "/search/jql") if "reconcileIssues" in r.query]
        assert searches, "the sync asked Cloud to reconcile what goldthread wrote"
        stale = jira.search_view(set())
        assert any(LABEL not in record.labels for record in stale if record.key == key), (
            "the stand-in really lags"
        )
