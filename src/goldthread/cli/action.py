"""The GitHub Action's entry (``action.yml`` runs ``python -m goldthread.cli.action``).

It reads its inputs as ``INPUT_*`` variables (``action.yml`` maps each input to
one) and the runner's own variables (``GITHUB_WORKSPACE``, ``RUNNER_TEMP``,
``GITHUB_STEP_SUMMARY``, ``GITHUB_OUTPUT``), then:

1. runs ``goldthread backfill --no-writeback`` (or ``sync``; write-back only
   when the ``writeback`` input says so) on the store at ``store-path``, which
   the action restores and saves with ``actions/cache`` between runs;
2. writes the JSON and HTML reports into ``report-dir`` for
   ``actions/upload-artifact``;
3. appends the coverage summary and the untraced items, as Markdown, to the
   job summary, and the figures to the step's outputs;
4. exits with goldthread's status: 1 or 2 when the run failed, 3 with
   ``fail-on-untraced`` when any item is orphan or broken (a CI gate), else 0.
"""

from __future__ import annotations

import os
import sys
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path

import click

from goldthread.cli.exits import EXIT_OK, EXIT_UNTRACED, EXIT_USAGE
from goldthread.config import load_settings
from goldthread.reports import ReportData, render, report_from
from goldthread.store import open_store

DEFAULT_CONFIG = "goldthread.toml"
DEFAULT_STORE = ".goldthread/goldthread.db"
SUMMARY_ITEMS = 200  # untraced items listed in the job summary; the artifact has them all
_ITEM = "- "


@dataclass(frozen=True, slots=True)
class Inputs:
    config: str = DEFAULT_CONFIG
    command: str = "backfill"
    writeback: bool = False
    fail_on_untraced: bool = False
    store_path: str = DEFAULT_STORE
    report_dir: str = ""

    @classmethod
    def from_env(cls, env: Mapping[str, str]) -> Inputs:
        def text(name: str, default: str) -> str:
            return env.get(f"INPUT_{name}", "").strip() or default

        def flag(name: str) -> bool:
            value = text(name, "false").lower()
            if value not in ("true", "false"):
                raise ValueError(
                    f"input {name.lower().replace('_', '-')}: {value!r} is not true or false"
                )
            return value == "true"

        command = text("COMMAND", "backfill")
        if command not in ("backfill", "sync"):
            raise ValueError(f"input command: {command!r} is not backfill or sync")
        return cls(
            config=text("CONFIG", DEFAULT_CONFIG),
            command=command,
            writeback=flag("WRITEBACK"),
            fail_on_untraced=flag("FAIL_ON_UNTRACED"),
            store_path=text("STORE_PATH", DEFAULT_STORE),
            report_dir=text("REPORT_DIR", ""),
        )


def main() -> int:
    """Run the action in this process (its environment is the runner's)."""
    env = os.environ
    try:
        inputs = Inputs.from_env(env)
    except ValueError as error:
        _annotate(str(error))
        return EXIT_USAGE
    workspace = Path(env.get("GITHUB_WORKSPACE") or Path.cwd())
    temp = Path(env.get("RUNNER_TEMP") or workspace)
    store = workspace / inputs.store_path
    reports = workspace / inputs.report_dir if inputs.report_dir else temp / "goldthread-report"
    store.parent.mkdir(parents=True, exist_ok=True)
    reports.mkdir(parents=True, exist_ok=True)
    os.environ["GOLDTHREAD_STORE__URL"] = f"sqlite:///{store}"
    config = str(workspace / inputs.config)
    cycle = [inputs.command] + ([] if inputs.writeback else ["--no-writeback"])
    status = _goldthread(["--config", config, *cycle])
    if status not in (EXIT_OK, EXIT_UNTRACED):
        _annotate(f"goldthread {inputs.command} exited {status}")
        if not (store.exists() and status == 1):
            return status  # nothing (or nothing trustworthy) to report on
    json_report, html_report = (
        reports / "goldthread-report.json",
        reports / "goldthread-report.html",
    )
    data = _report(config)
    json_report.write_text(render(data, "json"), encoding="utf-8")
    html_report.write_text(render(data, "html"), encoding="utf-8")
    untraced = data.summary.total.untraced
    _append(env.get("GITHUB_STEP_SUMMARY"), _summary(render(data, "markdown"), inputs))
    _append(
        env.get("GITHUB_OUTPUT"),
        _outputs(
            coverage=data.summary.coverage,
            items=data.summary.total.items,
            untraced=untraced,
            report_json=json_report,
            report_html=html_report,
            report_dir=reports,
            status=status,
        ),
    )
    if status != EXIT_OK:
        return status
    if inputs.fail_on_untraced and untraced:
        _annotate(f"{untraced} item(s) do not trace back to a vision")
        return EXIT_UNTRACED
    return EXIT_OK


def _annotate(message: str) -> None:
    """An error annotation on the workflow run (a workflow command on stdout)."""
    sys.stdout.write(f"::error title=goldthread::{message}\n")


def _goldthread(args: Sequence[str]) -> int:
    """One goldthread command, in this process; its exit status."""
    from goldthread.cli import cli

    try:
        code = cli.main(args=list(args), prog_name="goldthread", standalone_mode=False)
    except click.exceptions.Exit as done:
        return int(done.exit_code)
    except click.ClickException as error:
        error.show()
        return error.exit_code
    return int(code or 0)


def _report(config: str) -> ReportData:
    """What the store knows now, as every report format shows it."""
    settings = load_settings(config)
    with open_store(settings.store.url, read_only=True) as store:
        return report_from(
            store,
            writeback_enabled=settings.writeback.enabled,
            now=datetime.now(UTC),
            label=settings.writeback.label,
            owners=settings.owner_rules(),
        )


def _summary(markdown: str, inputs: Inputs) -> str:
    """The report as the job summary, its item lists capped (the artifact has them all)."""
    lines = markdown.splitlines()
    items = [i for i, line in enumerate(lines) if line.startswith(_ITEM)]
    if len(items) > SUMMARY_ITEMS:
        cut = items[SUMMARY_ITEMS]
        more = len(items) - SUMMARY_ITEMS
        lines = [*lines[:cut], "", f"…and {more} more: see the goldthread-report artifact."]
    mode = "write-back on" if inputs.writeback else "report only, nothing written to the trackers"
    return "\n".join([*lines, "", f"_goldthread {inputs.command}, {mode}._", ""])


def _outputs(**values: object) -> str:
    lines = []
    for key, value in values.items():
        shown = "" if value is None else value
        if key == "coverage" and isinstance(value, float):
            shown = f"{value:.4f}"
        lines.append(f"{key.replace('_', '-')}={shown}")
    return "\n".join(lines) + "\n"


def _append(path: str | None, text: str) -> None:
    if path:
        with Path(path).open("a", encoding="utf-8") as handle:
            handle.write(text)


if __name__ == "__main__":
    raise SystemExit(main())
