"""`goldthread report` and `goldthread explain` read the store, never a tracker."""

from __future__ import annotations

import csv
import io
import json
import os
import re
from pathlib import Path

import pytest
from click.testing import CliRunner, Result
from reports_sample import BARREN, ITEMS, LEDGER, NOW, VERDICTS, history

from goldthread.cli import EXIT_ERRORS, EXIT_UNTRACED, cli
from goldthread.store import CoverageRow, open_store


@pytest.fixture
def config(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """A config whose store holds the sample organisation; no tracker is reachable."""
    for name in list(os.environ):
        if name.startswith("GOLDTHREAD_"):
            monkeypatch.delenv(name)
    monkeypatch.chdir(tmp_path)
    db = tmp_path / "goldthread.db"
    with open_store(f"sqlite:///{db}") as store:
        store.upsert_items(ITEMS)
        store.save_verdicts(VERDICTS.values(), NOW)
        store.save_barren(list(BARREN))
        for entry in LEDGER.values():
            store.record_ledger(entry)
        for at in sorted({p.at for p in history()}):
            run = store.start_run("backfill", at)
            rows = [p for p in history() if p.at == at]
            store.record_coverage(
                run,
                at,
                [
                    CoverageRow(p.source, p.layer, p.traced, p.orphan, p.broken, p.exempt)
                    for p in rows
                ],
            )
    path = tmp_path / "goldthread.toml"
    path.write_text(f'[store]\nurl = "sqlite:///{db}"\n', encoding="utf-8")
    return path


def _run(config: Path, *args: str) -> Result:
    return CliRunner().invoke(cli, ["--config", str(config), *args], catch_exceptions=False)


def test_report_json_comes_from_the_store(config: Path) -> None:
    result = _run(config, "report", "--format", "json")
    assert result.exit_code == 0, result.output
    document = json.loads(result.stdout)
    assert len(document["items"]) == len(VERDICTS)
    assert document["summary"]["by_verdict"] == {"traced": 6, "orphan": 1, "broken": 2, "exempt": 1}
    flagged = sorted(i["ref"] for i in document["items"] if i["flagged"])
    assert flagged == ["gh:acme/web#13", "gh:acme/web#14"]


def test_report_lists_only_the_asked_for_verdicts(config: Path) -> None:
    result = _run(config, "report", "--format", "csv", "--verdict", "orphan", "--verdict", "broken")
    rows = list(csv.DictReader(io.StringIO(result.stdout)))
    assert {r["verdict"] for r in rows} == {"orphan", "broken"}
    assert len(rows) == 3


def test_fail_on_untraced_exits_3_when_something_is_untraced(config: Path) -> None:
    assert _run(config, "report", "--fail-on-untraced").exit_code == EXIT_UNTRACED
    assert _run(config, "report").exit_code == 0


def test_fail_on_untraced_passes_when_everything_traces(config: Path, tmp_path: Path) -> None:
    with open_store(f"sqlite:///{tmp_path / 'goldthread.db'}") as store:
        store.delete_items([r for r, v in VERDICTS.items() if v.kind.flaggable])
    result = _run(config, "report", "--fail-on-untraced", "--format", "markdown")
    assert result.exit_code == 0, result.output
    assert "Coverage **100.0%**" in result.stdout


def test_report_writes_an_html_file_when_asked(config: Path, tmp_path: Path) -> None:
    target = tmp_path / "out" / "report.html"
    target.parent.mkdir()
    result = _run(config, "report", "--format", "html", "--output", str(target))
    assert result.exit_code == 0, result.output
    assert result.stdout == ""
    page = target.read_text(encoding="utf-8")
    assert page.startswith("<!DOCTYPE html>")
    assert "Coverage over time" in page
    assert [p.name for p in target.parent.iterdir()] == ["report.html"]


def test_report_to_an_unwritable_place_fails_clearly(config: Path, tmp_path: Path) -> None:
    result = _run(config, "report", "--output", str(tmp_path / "missing" / "r.txt"))
    assert result.exit_code == EXIT_ERRORS
    assert "cannot write" in result.stderr


def test_report_table_is_plain_text_when_not_on_a_terminal(config: Path) -> None:
    result = _run(config, "report")
    assert result.stdout.startswith("Coverage 66.7%")
    assert "\x1b[" not in result.stdout


def test_write_back_off_means_nothing_is_reported_flagged(
    config: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("GOLDTHREAD_WRITEBACK__ENABLED", "false")
    document = json.loads(_run(config, "report", "--format", "json").stdout)
    assert not any(i["flagged"] for i in document["items"])


def test_explain_shows_rule_links_chain_and_verdict(config: Path) -> None:
    result = _run(config, "explain", "gh:acme/web#14")
    assert result.exit_code == 0, result.output
    assert "Layer: execution" in result.stdout
    assert "body-reference in body line 2: 'other/repo#9' -> missing" in result.stdout
    assert "Verdict: broken (parent-missing)" in result.stdout


def test_explain_accepts_a_bare_key_when_it_is_unambiguous(config: Path) -> None:
    result = _run(config, "explain", "VIS-1")
    assert result.exit_code == 0, result.output
    assert result.stdout.startswith("jira:VIS-1  Be the place teams plan")


def test_explain_of_an_unknown_ref_says_so_and_exits_1(config: Path) -> None:
    result = _run(config, "explain", "gh:acme/web#1300")
    assert result.exit_code == EXIT_ERRORS
    assert "no item 'gh:acme/web#1300' in the store" in result.stderr
    assert "did you mean gh:acme/web#13" in result.stderr
    assert result.stdout == ""


def test_an_unusable_store_is_a_clear_error(config: Path, tmp_path: Path) -> None:
    broken = tmp_path / "not-a-db.db"
    broken.write_bytes(b"this is not sqlite" * 100)
    config.write_text(f'[store]\nurl = "sqlite:///{broken}"\n', encoding="utf-8")
    result = _run(config, "report")
    assert result.exit_code == EXIT_ERRORS
    assert result.stderr.startswith("goldthread: store error:")


def test_suggest_names_the_likely_parent_with_its_reason_and_address(config: Path) -> None:
    result = _run(config, "suggest", "gh:acme/web#16")
    assert result.exit_code == 0, result.output
    assert "Needs a parent in the strategy layer." in result.stdout
    assert re.search(r"1\. jira:PLAT-8  0\.\d\d  Audit trail", result.stdout)
    assert "why: this item mentions PLAT-8" in result.stdout
    assert "https://acme.atlassian.net/browse/PLAT-8" in result.stdout


def test_suggest_says_so_when_nothing_is_strong_enough(config: Path) -> None:
    result = _run(config, "suggest", "gh:acme/web#13")
    assert result.exit_code == 0, result.output
    assert "No likely parent" in result.stdout


def test_suggest_on_a_traced_item_suggests_nothing(config: Path) -> None:
    result = _run(config, "suggest", "gh:acme/api#3")
    assert result.exit_code == 0, result.output
    assert "Verdict: traced (linked): it needs no parent suggested." in result.stdout


def test_suggest_of_an_unknown_ref_exits_1(config: Path) -> None:
    result = _run(config, "suggest", "gh:acme/web#1300")
    assert result.exit_code == EXIT_ERRORS
    assert "no item 'gh:acme/web#1300' in the store" in result.stderr
