"""Building a report from what the store holds."""

from __future__ import annotations

from reports_sample import BARREN, ITEMS, LEDGER, NOW, VERDICTS, history, sample_report, verdict

from goldthread.core.model import Layer, Reason, VerdictKind
from goldthread.reports.data import build_report, percent
from goldthread.reports.tree import build_tree


def test_coverage_is_traced_over_traced_orphan_and_broken() -> None:
    data = sample_report()
    total = data.summary.total
    assert (total.traced, total.orphan, total.broken, total.exempt) == (6, 1, 2, 1)
    assert data.summary.coverage == 6 / 9


def test_coverage_is_unknown_when_nothing_counts() -> None:
    only_exempt = {"gh:acme/web#15": VERDICTS["gh:acme/web#15"]}
    data = build_report(ITEMS, only_exempt, [], {}, [], writeback_enabled=True, now=NOW)
    assert data.summary.coverage is None
    assert percent(data.summary.coverage) == "—"


def test_every_layer_is_tallied_even_when_empty() -> None:
    layers = {t.name: t.items for t in sample_report().summary.by_layer}
    assert layers == {"vision": 2, "strategy": 2, "execution": 6, "none": 0}


def test_sources_are_tallied_separately() -> None:
    by_source = {t.name: t.coverage for t in sample_report().summary.by_source}
    assert by_source == {"gh": 2 / 5, "jira": 1.0}


def test_an_item_is_flagged_when_the_ledger_says_the_label_was_written() -> None:
    rows = sample_report().index()
    assert rows["gh:acme/web#13"].flagged
    assert not rows["gh:acme/web#16"].flagged


def test_an_item_is_flagged_when_it_was_last_seen_carrying_the_label() -> None:
    assert sample_report().index()["gh:acme/web#14"].flagged


def test_nothing_is_flagged_when_write_back_is_off() -> None:
    data = sample_report(writeback_enabled=False)
    assert not any(row.flagged for row in data.rows)


def test_with_comments_only_the_flag_is_our_comment_on_an_untraced_item() -> None:
    data = sample_report(label="")
    flagged = sorted(row.ref for row in data.rows if row.flagged)
    assert flagged == ["gh:acme/web#13"]


def test_the_verdict_filter_lists_only_those_items_but_totals_cover_everything() -> None:
    data = sample_report(verdict_filter=["orphan", VerdictKind.BROKEN])
    assert {row.verdict for row in data.rows} == {VerdictKind.ORPHAN, VerdictKind.BROKEN}
    assert len(data.rows) == 3
    assert data.summary.total.items == len(VERDICTS)


def test_missing_parents_are_listed_by_what_was_written() -> None:
    assert sample_report().index()["gh:acme/web#14"].parents == ("other/repo#9",)


def test_a_verdict_whose_item_is_gone_still_shows_with_its_ref() -> None:
    gone = verdict("jira:OLD-1", Layer.EXECUTION, VerdictKind.ORPHAN, Reason.NO_PARENT)
    data = build_report(
        ITEMS, {**VERDICTS, gone.ref: gone}, [], {}, [], writeback_enabled=True, now=NOW
    )
    row = data.index()["jira:OLD-1"]
    assert (row.source, row.key, row.title) == ("jira", "OLD-1", "")


def test_the_tree_hangs_work_under_strategy_under_vision() -> None:
    data = sample_report()
    vision = data.tree[0]
    assert vision.ref == "jira:VIS-1"
    strategy = next(n for n in vision.children if n.ref == "jira:PLAT-7")
    assert [n.ref for n in strategy.walk()] == ["jira:PLAT-7", "gh:acme/web#12", "gh:acme/api#3"]


def test_items_under_no_vision_come_after_the_visions() -> None:
    roots = [node.ref for node in sample_report().tree]
    assert roots[:2] == ["jira:VIS-1", "jira:VIS-2"]
    assert set(roots[2:]) == {"gh:acme/web#13", "gh:acme/web#14", "gh:acme/web#15"}


def test_items_on_a_loop_do_not_hang_in_the_tree() -> None:
    roots = build_tree(
        [("a", Layer.EXECUTION, "b"), ("b", Layer.EXECUTION, "a"), ("v", Layer.VISION, None)]
    )
    assert [n.ref for root in roots for n in root.walk()] == ["v"]


def test_a_chain_thousands_deep_builds_and_walks() -> None:
    depth = 5000
    entries = [("n0", Layer.VISION, None)]
    entries += [(f"n{i}", Layer.EXECUTION, f"n{i - 1}") for i in range(1, depth)]
    (root,) = build_tree(entries)
    assert sum(1 for _ in root.walk()) == depth


def test_the_trend_has_one_point_per_evaluation_oldest_first() -> None:
    points = sample_report().trend
    assert [p.at for p in points] == sorted({row.at for row in history()})
    assert points[0].coverage == 7 / 12
    assert dict(points[-1].by_layer)[Layer.EXECUTION] == 5 / 7


def test_barren_items_are_listed_vision_first() -> None:
    data = build_report(
        ITEMS, VERDICTS, list(reversed(BARREN)), LEDGER, [], writeback_enabled=True, now=NOW
    )
    assert [b.ref for b in data.barren] == ["jira:VIS-2", "jira:PLAT-8"]
