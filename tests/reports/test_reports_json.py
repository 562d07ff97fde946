"""`report --format json`: the docs/behaviour.md#commands shape scripts rely on."""

from __future__ import annotations

import json

from reports_sample import ITEMS, NOW, VERDICTS, sample_report

from goldthread.reports.data import ReportData, build_report
from goldthread.reports.exports import render_json

ITEM_KEYS = {
    "ref",
    "source",
    "key",
    "url",
    "title",
    "layer",
    "verdict",
    "reason",
    "parents",
    "chain",
    "flagged",
    "flagged_since",
    "owner",
    "suggestions",
}


def test_the_document_has_exactly_the_promised_top_level_keys(report: ReportData) -> None:
    document = json.loads(render_json(report))
    assert set(document) == {"generated_at", "summary", "items", "barren"}
    assert document["generated_at"] == "2026-03-02T09:30:00+00:00"


def test_the_summary_counts_items_layers_verdicts_and_coverage(report: ReportData) -> None:
    summary = json.loads(render_json(report))["summary"]
    assert {"items", "by_layer", "by_verdict", "coverage"} <= set(summary)
    assert summary["items"] == 10
    assert summary["by_layer"] == {"vision": 2, "strategy": 2, "execution": 6, "none": 0}
    assert summary["by_verdict"] == {"traced": 6, "orphan": 1, "broken": 2, "exempt": 1}
    assert summary["coverage"] == round(6 / 9, 4)


def test_every_item_has_exactly_the_promised_keys_and_types(report: ReportData) -> None:
    items = json.loads(render_json(report))["items"]
    assert {item["verdict"] for item in items} == {"traced", "orphan", "broken", "exempt"}
    for item in items:
        assert set(item) == ITEM_KEYS
        for key in ITEM_KEYS - {
            "parents",
            "chain",
            "flagged",
            "flagged_since",
            "owner",
            "suggestions",
        }:
            assert isinstance(item[key], str), key
        assert item["owner"] is None or isinstance(item["owner"], str)
        assert item["flagged_since"] is None or isinstance(item["flagged_since"], str)
        assert all(isinstance(p, str) for p in item["parents"])
        assert all(isinstance(c, str) for c in item["chain"])
        assert item["chain"][0] == item["ref"]
        assert isinstance(item["flagged"], bool)
        for suggestion in item["suggestions"]:
            assert set(suggestion) == {"ref", "score", "why"}
            assert 0 <= suggestion["score"] <= 1


def test_an_untraced_item_lists_its_likely_parents_and_a_traced_one_none(
    report: ReportData,
) -> None:
    items = {i["ref"]: i for i in json.loads(render_json(report))["items"]}
    [suggestion] = items["gh:acme/web#16"]["suggestions"]
    assert suggestion["ref"] == "jira:PLAT-8"
    assert suggestion["why"] == "this item mentions PLAT-8"
    assert items["gh:acme/api#3"]["suggestions"] == []


def test_a_traced_item_shows_its_parents_and_the_chain_to_the_vision(report: ReportData) -> None:
    items = {i["ref"]: i for i in json.loads(render_json(report))["items"]}
    work = items["gh:acme/api#3"]
    assert work["parents"] == ["gh:acme/web#12"]
    assert work["chain"] == ["gh:acme/api#3", "gh:acme/web#12", "jira:PLAT-7", "jira:VIS-1"]
    assert items["gh:acme/web#13"]["flagged"] is True


def test_barren_items_name_the_missing_layer(report: ReportData) -> None:
    barren = json.loads(render_json(report))["barren"]
    assert barren[0] == {
        "ref": "jira:VIS-2",
        "layer": "vision",
        "missing": "strategy",
        "title": "Delight admins",
        "url": "https://acme.atlassian.net/browse/VIS-2",
    }


def test_the_verdict_filter_narrows_the_items_only() -> None:
    document = json.loads(render_json(sample_report(verdict_filter=["broken"])))
    assert sorted(i["ref"] for i in document["items"]) == ["gh:acme/web#14", "gh:acme/web#16"]
    assert document["summary"]["items"] == 10


def test_coverage_is_null_when_nothing_counts() -> None:
    exempt_only = {"gh:acme/web#15": VERDICTS["gh:acme/web#15"]}
    data = build_report(ITEMS, exempt_only, [], {}, [], writeback_enabled=True, now=NOW)
    assert json.loads(render_json(data))["summary"]["coverage"] is None
