"""``fix`` end to end, the CLI as a process against the sandbox: a plan drafted
from the store, edited, refused when bad, printed by --dry-run, applied each
way a link can be written (sub-issue, Jira parent, issue link, Part of lines
across trackers), then a sync takes the flags down; applying again writes
nothing. Every request is checked against the trackers' official descriptions."""

from __future__ import annotations

import json
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from e2e_helpers import Workspace
from support_openapi import Description, github, jira
from support_sandbox import LABEL, labels

from goldthread.sandbox.control import Sandbox
from goldthread.sandbox.http import StandIn
from goldthread.sandbox.org import generate
from goldthread.sandbox.seeds import Organisation


@pytest.fixture(params=["cloud", "dc"])
def space(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[Workspace]:
    mode = request.param
    with Sandbox(jira_mode=mode) as sandbox:
        sandbox.load(generate(200, seed=7, jira_mode=mode, evidence=True))
        sandbox.github.record_bodies = sandbox.jira.record_bodies = True
        workspace = Workspace(sandbox, tmp_path)
        workspace.config.write_text(sandbox.config_toml(f"sqlite:///{workspace.store}"))
        assert workspace.run("backfill", "--yes").returncode in (0, 1)
        yield workspace


def _org(space: Workspace) -> Organisation:
    assert space.sandbox.org is not None
    return space.sandbox.org


def _orphans(space: Workspace, source: str, *types: str) -> list[str]:
    org = _org(space)
    kinds = {f"jira:{s.key}": s.type for s in org.jira}
    kinds.update({f"gh:{s.repo}#{s.number}": s.type or "" for s in org.github})
    return [
        ref
        for ref, (verdict, reason) in sorted(org.expected.items())
        if (verdict, reason) == ("orphan", "no-parent")
        and ref.startswith(f"{source}:")
        and kinds[ref] in types
    ]


def _traced(space: Workspace, source: str, kind: str) -> list[str]:
    org = _org(space)
    kinds = {f"jira:{s.key}": s.type for s in org.jira}
    kinds.update({f"gh:{s.repo}#{s.number}": s.type or "" for s in org.github})
    open_refs = {f"jira:{s.key}" for s in org.jira if s.status_category != "done"}
    open_refs |= {f"gh:{s.repo}#{s.number}" for s in org.github if s.state == "open"}
    return [
        ref
        for ref, (verdict, _) in sorted(org.expected.items())
        if verdict == "traced"
        and ref.startswith(f"{source}:")
        and kinds[ref] == kind
        and ref in open_refs
    ]


def _choices(space: Workspace) -> dict[str, tuple[str, str]]:
    """Child -> (parent, the way it must be written), one of each way."""
    jira_stories = _orphans(space, "jira", "Story")
    gh_orphans = _orphans(space, "gh", "", "Task", "Bug")
    return {
        jira_stories[0]: (_traced(space, "jira", "Epic")[0], "jira-parent"),
        jira_stories[1]: (_traced(space, "gh", "Epic")[0], "body-reference"),
        gh_orphans[0]: (_traced(space, "gh", "Epic")[0], "sub-issue"),
        gh_orphans[1]: (_traced(space, "jira", "Epic")[0], "body-reference"),
        _orphans(space, "jira", "Epic")[0]: (_traced(space, "jira", "Initiative")[0], "jira-link"),
    }


def _approve(plan: dict[str, Any], choices: dict[str, tuple[str, str]]) -> dict[str, Any]:
    for link in plan["links"]:
        if link["child"] in choices:
            link["parent"], _ = choices[link["child"]]
            link["how"], link["approve"] = None, True
    return plan


def _problems(stand_in: StandIn, description: Description, *, v2_as_v3: bool) -> list[str]:
    found: list[str] = []
    for entry in stand_in.requests():
        path = entry.path.replace("/rest/api/2/", "/rest/api/3/", 1) if v2_as_v3 else entry.path
        found += description.check_request(entry.method, path, entry.query, entry.body)
        if 200 <= entry.status < 300:
            found += description.check_answer(entry.method, path, entry.status, entry.answer)
    return sorted(set(found))


def _operations(stand_in: StandIn, description: Description) -> set[str]:
    found = set()
    for entry in stand_in.requests():
        op = description.operation(
            entry.method, entry.path.replace("/rest/api/2/", "/rest/api/3/", 1)
        )
        if op is not None:
            found.add(f"{op.method} {op.template}")
    return found


@pytest.mark.slow
@pytest.mark.timeout(400)  # eight CLI runs against the sandbox
def test_a_plan_round_trip_links_each_way_and_the_next_sync_unflags(space: Workspace) -> None:
    drafted = space.run("fix", "--output", "plan.json")
    assert drafted.returncode == 0, drafted.stderr
    plan = json.loads((space.directory / "plan.json").read_text())
    untraced = {r for r, row in space.report().items() if row["verdict"] in ("orphan", "broken")}
    assert {link["child"] for link in plan["links"]} == untraced
    assert not any(link["approve"] for link in plan["links"])
    assert any(link["parent"] for link in plan["links"])  # the evidence gave suggestions

    choices = _choices(space)
    (space.directory / "plan.json").write_text(json.dumps(_approve(plan, choices)))
    before = len(space.mutating_requests())

    dry = space.run("fix", "--apply", "plan.json", "--dry-run")
    assert dry.returncode == 0, dry.stderr
    assert "5 approved link(s):" in dry.stdout
    for child, (parent, how) in choices.items():
        assert f"{child} -> {parent}  by {how}" in dry.stdout
    declined = space.run("fix", "--apply", "plan.json", input_text="n\n")
    assert "Nothing written." in declined.stdout
    assert len(space.mutating_requests()) == before

    applied = space.run("fix", "--apply", "plan.json", "--yes")
    assert applied.returncode == 0, applied.stdout + applied.stderr
    assert "5 written, 0 skipped, 0 failed." in applied.stdout

    assert space.run("sync").returncode in (0, 1)
    rows = space.report()
    for child in choices:
        assert rows[child]["verdict"] == "traced", (child, rows[child])
        assert LABEL not in labels(space.sandbox, child)

    writes = len(space.mutating_requests())
    again = space.run("fix", "--apply", "plan.json", "--yes")
    assert again.returncode == 0, again.stderr
    assert "0 written, 5 skipped, 0 failed." in again.stdout
    assert len(space.mutating_requests()) == writes

    assert _problems(space.sandbox.github, github("api.github.com"), v2_as_v3=False) == []
    assert _problems(space.sandbox.jira, jira(), v2_as_v3=True) == []  # DC speaks v2
    assert {
        "POST /repos/{owner}/{repo}/issues/{issue_number}/sub_issues",
        "PATCH /repos/{owner}/{repo}/issues/{issue_number}",
    } <= _operations(space.sandbox.github, github("api.github.com"))
    assert {
        "PUT /rest/api/3/issue/{issueIdOrKey}",
        "POST /rest/api/3/issueLink",
    } <= _operations(space.sandbox.jira, jira())


def test_a_bad_plan_is_refused_whole_with_a_line_per_problem(space: Workspace) -> None:
    choices = _choices(space)
    good_child, (good_parent, _) = next(iter(choices.items()))
    plan = {
        "generated_at": "2026-01-01T00:00:00+00:00",
        "links": [
            {"child": good_child, "parent": good_parent, "how": None, "approve": True},
            {"child": "jira:NOPE-1", "parent": good_parent, "how": None, "approve": True},
            {"child": _orphans(space, "jira", "Epic")[0], "parent": good_parent, "approve": True},
        ],
    }
    (space.directory / "bad.json").write_text(json.dumps(plan))
    before = len(space.mutating_requests())
    refused = space.run("fix", "--apply", "bad.json", "--yes")
    assert refused.returncode == 2
    errors = [line for line in refused.stderr.splitlines() if "plan error" in line]
    assert len(errors) == 2
    assert "no item 'jira:NOPE-1' in the store" in errors[0]
    assert "needs a vision parent" in errors[1]
    assert len(space.mutating_requests()) == before
    (space.directory / "broken.json").write_text("{")
    assert space.run("fix", "--apply", "broken.json").returncode == 2
