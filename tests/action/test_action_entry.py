"""The action's entry script, run as the runner runs it: the runner's variables
set (GITHUB_WORKSPACE, RUNNER_TEMP, GITHUB_STEP_SUMMARY, GITHUB_OUTPUT) and each
input handed over as action.yml's step maps it, against the sandbox."""

from __future__ import annotations

import os
import re
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path

import pytest
import yaml
from support_sandbox import tracker_writes

from goldthread.sandbox.control import Sandbox
from goldthread.sandbox.org import generate

ROOT = Path(__file__).resolve().parents[2]


@pytest.fixture(scope="module")
def sandbox() -> Iterator[Sandbox]:
    with Sandbox() as sandbox:
        sandbox.load(generate(24, seed=9))
        yield sandbox


def step_env(inputs: dict[str, str]) -> dict[str, str]:
    """The run step's env, with ``${{ inputs.X }}`` as the runner fills it in."""
    metadata = yaml.safe_load((ROOT / "action.yml").read_text(encoding="utf-8"))
    defaults = {name: str(spec.get("default", "")) for name, spec in metadata["inputs"].items()}
    [run] = [step for step in metadata["runs"]["steps"] if step.get("id") == "goldthread"]
    filled = {}
    for key, value in run["env"].items():
        found = re.fullmatch(r"\$\{\{ inputs\.([\w-]+) \}\}", str(value))
        filled[key] = inputs.get(found[1], defaults[found[1]]) if found else str(value)
    return filled


def run_action(
    sandbox: Sandbox, tmp_path: Path, **inputs: str
) -> tuple[subprocess.CompletedProcess[str], dict[str, str], str]:
    workspace, temp = tmp_path / "workspace", tmp_path / "runner-temp"
    workspace.mkdir(exist_ok=True)
    temp.mkdir(exist_ok=True)
    (workspace / "goldthread.toml").write_text(sandbox.config_toml("sqlite:///unused.db"))
    summary, output = temp / "step_summary.md", temp / "github_output"
    env = {
        **{k: v for k, v in os.environ.items() if not k.startswith(("GOLDTHREAD_", "INPUT_"))},
        **sandbox.env(),  # the workflow step's env: the tokens
        "GITHUB_ACTIONS": "true",
        "GITHUB_WORKSPACE": str(workspace),
        "RUNNER_TEMP": str(temp),
        "GITHUB_STEP_SUMMARY": str(summary),
        "GITHUB_OUTPUT": str(output),
        **step_env({key.replace("_", "-"): value for key, value in inputs.items()}),
    }
    done = subprocess.run(
        [sys.executable, "-m", "goldthread.cli.action"],
        env=env,
        cwd=workspace,
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )
    outputs = (
        dict(line.split("=", 1) for line in output.read_text().splitlines() if "=" in line)
        if output.exists()
        else {}
    )
    return done, outputs, summary.read_text() if summary.exists() else ""


def test_by_default_it_reports_only_into_the_summary_outputs_and_files(
    sandbox: Sandbox, tmp_path: Path
) -> None:
    sandbox.clear_request_log()
    done, outputs, summary = run_action(sandbox, tmp_path)
    assert done.returncode == 0, done.stdout + done.stderr
    expected = sandbox.expected()
    untraced = sum(1 for verdict, _ in expected.values() if verdict in ("orphan", "broken"))
    assert outputs["items"] == str(len(expected))
    assert outputs["untraced"] == str(untraced)
    assert 0 < float(outputs["coverage"]) < 1
    assert summary.startswith("# Golden thread report")
    assert "## Orphans" in summary
    assert "_goldthread backfill, report only, nothing written to the trackers._" in summary
    assert Path(outputs["report-json"]).is_file()
    assert Path(outputs["report-html"]).read_text().startswith("<!DOCTYPE html>")
    assert Path(outputs["report-dir"]) == tmp_path / "runner-temp" / "goldthread-report"
    assert (tmp_path / "workspace" / ".goldthread" / "goldthread.db").is_file()  # to cache
    assert tracker_writes(sandbox) == []


def test_fail_on_untraced_makes_it_a_gate_with_the_summary_still_written(
    sandbox: Sandbox, tmp_path: Path
) -> None:
    done, outputs, summary = run_action(sandbox, tmp_path, fail_on_untraced="true")
    assert done.returncode == 3
    assert (
        f"::error title=goldthread::{outputs['untraced']} item(s) do not trace back" in done.stdout
    )
    assert "# Golden thread report" in summary


def test_a_cached_store_is_carried_into_the_next_run_and_writeback_is_opt_in(
    sandbox: Sandbox, tmp_path: Path
) -> None:
    first, _, _ = run_action(sandbox, tmp_path, command="backfill")
    assert first.returncode == 0
    sandbox.clear_request_log()
    again, outputs, summary = run_action(sandbox, tmp_path, command="sync", writeback="true")
    assert again.returncode == 0, again.stdout + again.stderr
    assert "_goldthread sync, write-back on._" in summary
    labelled = [w for w in tracker_writes(sandbox) if w.endswith("/labels")]
    assert labelled, "write-back labelled the untraced items"
    assert int(outputs["untraced"]) > 0


def test_a_bad_input_is_refused_before_anything_runs(sandbox: Sandbox, tmp_path: Path) -> None:
    done, outputs, _ = run_action(sandbox, tmp_path, writeback="yes")
    assert done.returncode == 2
    assert "::error title=goldthread::input writeback: 'yes' is not true or false" in done.stdout
    assert outputs == {}


def test_a_long_list_is_capped_in_the_summary_and_points_at_the_artifact() -> None:
    from goldthread.cli.action import SUMMARY_ITEMS, Inputs, _summary

    markdown = "# Golden thread report\n\n## Orphans (250)\n\n" + "\n".join(
        f"- [gh:acme/web#{n}](<https://github.com/acme/web/issues/{n}>)" for n in range(250)
    )
    text = _summary(markdown, Inputs())
    assert text.count("\n- [gh:") == SUMMARY_ITEMS
    assert f"…and {250 - SUMMARY_ITEMS} more: see the goldthread-report artifact." in text
