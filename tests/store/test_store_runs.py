"""Runs and the coverage history behind the trend charts."""

from __future__ import annotations

import json
from datetime import timedelta

import pytest
from store_builders import T0

from goldthread.core.model import Layer
from goldthread.errors import StoreError
from goldthread.store import CoverageRow, Store


def test_a_run_is_recorded_from_start_to_finish(store: Store) -> None:
    run_id = store.start_run("backfill", T0)
    [running] = store.runs()
    assert (running.id, running.kind, running.started_at, running.finished_at) == (
        run_id,
        "backfill",
        T0,
        None,
    )
    store.finish_run(run_id, T0 + timedelta(seconds=42), "ok", json.dumps({"items": 12}))
    [done] = store.runs()
    assert (done.finished_at, done.outcome, json.loads(done.stats_json or "")) == (
        T0 + timedelta(seconds=42),
        "ok",
        {"items": 12},
    )


def test_runs_are_listed_newest_first_up_to_the_limit(store: Store) -> None:
    ids = [store.start_run("poll", T0 + timedelta(minutes=n)) for n in range(5)]
    assert [r.id for r in store.runs(limit=3)] == ids[::-1][:3]


def test_coverage_history_has_one_row_per_run_source_and_layer(store: Store) -> None:
    first = store.start_run("backfill", T0)
    second = store.start_run("poll", T0 + timedelta(minutes=5))
    store.record_coverage(
        first,
        T0,
        [
            CoverageRow("gh", Layer.EXECUTION, 3, 1, 0, 2),
            CoverageRow("jira", Layer.VISION, 1, 0, 0, 0),
        ],
    )
    store.record_coverage(
        second, T0 + timedelta(minutes=5), [CoverageRow("gh", Layer.EXECUTION, 4, 0, 0, 2)]
    )
    history = store.coverage_history()
    assert [(p.run_id, p.source, p.layer, p.traced) for p in history] == [
        (first, "gh", Layer.EXECUTION, 3),
        (first, "jira", Layer.VISION, 1),
        (second, "gh", Layer.EXECUTION, 4),
    ]
    assert history[0].at == T0
    assert history[0].coverage == 0.75
    assert history[2].coverage == 1.0


def test_a_row_with_nothing_to_count_has_no_coverage_figure() -> None:
    assert CoverageRow("gh", Layer.NONE, 0, 0, 0, 7).coverage is None


def test_coverage_cannot_be_recorded_against_a_run_that_does_not_exist(store: Store) -> None:
    with pytest.raises(StoreError, match="recording coverage"):
        store.record_coverage(999, T0, [CoverageRow("gh", Layer.EXECUTION, 1, 0, 0, 0)])
    assert store.coverage_history() == []
