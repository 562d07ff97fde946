"""Hostile titles cannot act through any report: no spreadsheet formula, no
terminal escape on any stream, no mention or closing keyword in Markdown."""

from __future__ import annotations

import csv
import dataclasses
import io
import os
import pty
import re
import select
import subprocess
import sys
from pathlib import Path

import pytest
from reports_sample import ITEMS, NOW, VERDICTS, sample_report

from goldthread.core.neutral import csv_cell
from goldthread.reports.data import ReportData, ReportRow
from goldthread.reports.exports import render_csv, render_markdown
from goldthread.reports.table import render_table
from goldthread.store import open_store

ESCAPES = "\x1b[2J\x1b]0;pwned\x07\x1b]8;;https://evil.test\x1b\\click\x1b]8;;\x1b\\"


def _with_title(report: ReportData, ref: str, title: str, url: str = "") -> ReportData:
    def swap(row: ReportRow) -> ReportRow:
        if row.ref != ref:
            return row
        return dataclasses.replace(row, title=title, url=url or row.url)

    return dataclasses.replace(
        report,
        rows=tuple(swap(r) for r in report.rows),
        all_rows=tuple(swap(r) for r in report.all_rows),
    )


@pytest.mark.parametrize("start", ["=", "+", "-", "@", "\t", "\r"])
def test_a_csv_cell_that_starts_like_a_formula_is_read_as_text(start: str) -> None:
    title = f'{start}HYPERLINK("https://evil.test","x")'
    report = _with_title(sample_report(), "gh:acme/web#13", title)

    rows = {r["ref"]: r for r in csv.DictReader(io.StringIO(render_csv(report)))}

    assert rows["gh:acme/web#13"]["title"] == "'" + title


def test_ordinary_csv_cells_are_left_as_they_are() -> None:
    assert csv_cell("Add the sign-up form") == "Add the sign-up form"
    assert csv_cell("gh:acme/web#12") == "gh:acme/web#12"
    assert csv_cell("") == ""


@pytest.mark.parametrize("color", [False, True], ids=["pipe", "terminal"])
def test_the_table_shows_no_terminal_escapes_from_titles_or_urls(color: bool) -> None:
    report = _with_title(
        sample_report(),
        "gh:acme/web#13",
        f"Fix{ESCAPES}it\u202eevil",
        url=f"https://github.com/acme/web/issues/13{ESCAPES}",
    )

    text = render_table(report, width=300, color=color)

    assert "\x1b[2J" not in text
    assert "\x1b]" not in text
    assert "\x07" not in text
    assert "\u202e" not in text
    assert "Fix" in text


def test_report_on_a_real_terminal_passes_no_escape_from_a_title(tmp_path: Path) -> None:
    db = tmp_path / "goldthread.db"
    items = [
        dataclasses.replace(i, title=f"Pay{ESCAPES}now") if i.ref == "gh:acme/web#13" else i
        for i in ITEMS
    ]
    with open_store(f"sqlite:///{db}") as store:
        store.upsert_items(items)
        store.save_verdicts(VERDICTS.values(), NOW)
    config = tmp_path / "goldthread.toml"
    config.write_text(f'[store]\nurl = "sqlite:///{db}"\n', encoding="utf-8")
    leader, follower = pty.openpty()
    env = {k: v for k, v in os.environ.items() if not k.startswith("GOLDTHREAD_")}
    process = subprocess.Popen(
        [sys.executable, "-m", "goldthread", "--config", str(config), "report"],
        stdin=follower,
        stdout=follower,
        stderr=follower,
        env={**env, "TERM": "xterm-256color", "COLUMNS": "200"},
        cwd=tmp_path,
    )
    os.close(follower)
    out = bytearray()
    while True:
        ready, _, _ = select.select([leader], [], [], 30)
        if not ready:
            break
        try:
            chunk = os.read(leader, 65536)
        except OSError:
            break
        if not chunk:
            break
        out += chunk
    os.close(leader)
    assert process.wait(timeout=30) == 0
    text = out.decode("utf-8", "replace")
    assert "Pay" in text
    assert "\x1b[2J" not in text
    assert "\x1b]0;" not in text
    assert "\x07" not in text
    assert "\x1b]8;;https://evil.test" not in text
    # On a terminal each ref is goldthread's own link (OSC 8) to its item, and only that.
    targets = set(re.findall(r"\x1b]8;[^;]*;([^\x1b]*)\x1b\\", text)) - {""}
    assert targets <= {item.url for item in ITEMS}


def test_markdown_titles_cannot_mention_people_or_close_issues() -> None:
    title = "@alice ping @acme/team: fixes #1, Closes acme/web#2, resolves https://github.com/acme/web/issues/3"
    report = _with_title(sample_report(), "gh:acme/web#13", title)

    text = render_markdown(report)
    line = next(line for line in text.splitlines() if "gh:acme/web\\#13" in line)

    assert "@alice" not in line
    assert "@acme" not in line
    for keyword in ("fixes", "Closes", "resolves"):
        assert keyword not in line
    assert "\u200d" in line  # the words are still there to read, just inert
