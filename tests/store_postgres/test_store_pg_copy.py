"""``goldthread store copy`` moves every table between SQLite and PostgreSQL unchanged."""

from __future__ import annotations

from dataclasses import replace
from datetime import UTC, datetime, timedelta
from pathlib import Path

from click.testing import CliRunner

from goldthread.cli import cli
from goldthread.core.digest import Snapshot
from goldthread.core.model import (
    Barren,
    Layer,
    LinkKind,
    ParentLink,
    Reason,
    Verdict,
    VerdictKind,
    WorkItem,
)
from goldthread.store import CoverageRow, LedgerEntry, Store, open_store
from goldthread.store.portable import TABLES, PortableStore, table_rows

T0 = datetime(2026, 3, 1, 9, 30, 15, 123456, tzinfo=UTC)


def _item(n: int, **fields: object) -> WorkItem:
    values: dict[str, object] = {
        "ref": f"gh:acme/web#{n}",
        "source": "gh",
        "key": f"acme/web#{n}",
        "url": f"https://example.test/{n}",
        "title": f"Item ü {n}",
        "body": "Part of PLAT-7\x00 tail",
        "type": "Task",
        "labels": ("execution",),
        "state": "open",
        "created_at": T0,
        "updated_at": T0 + timedelta(hours=n),
        "parents": (ParentLink(LinkKind.BODY_REFERENCE, None, "PLAT-7", "body line 1"),),
        "status": "In Progress",
        "external_id": str(100 + n),
        "is_pull_request": n % 2 == 0,
        "comment_count": None if n % 3 else n,
    }
    values.update(fields)
    return WorkItem(**values)  # type: ignore[arg-type]


def _fill(store: Store) -> None:
    """Something in every table, in every state a row can be in."""
    store.upsert_items([_item(n) for n in range(1, 6)])
    orphan = Verdict("gh:acme/web#1", Layer.EXECUTION, VerdictKind.ORPHAN, Reason.NO_PARENT, ())
    store.save_verdicts([orphan], T0)
    store.save_verdicts([replace(orphan, ref="gh:acme/web#2")], T0 + timedelta(minutes=5))
    store.save_barren([Barren("jira:PLAT-1", Layer.VISION, Layer.STRATEGY)])
    store.commit_cursors("gh", {"acme/web": "2026-03-01T09:00:00Z"})
    store.record_ledger(LedgerEntry("gh:acme/web#1", True, "c-1", "sha256:ab", T0))
    store.record_ledger(LedgerEntry("gh:acme/web#2", False, None, None, T0))
    for n in range(5):
        store.enqueue(
            source="gh",
            delivery_key=f"d-{n}",
            event="issues",
            item_hint=f"gh:acme/web#{n}",
            payload=b"\x00\xffraw",
            received_at=T0,
        )
    done, failed, dead, _processing = store.claim(T0, 4)
    store.complete(done.id)
    store.fail(failed.id, "502", T0 + timedelta(minutes=1))
    store.fail(dead.id, "no issue", None)
    first = store.start_run("backfill", T0)
    store.finish_run(first, T0 + timedelta(seconds=9), "ok", '{"items": 5}')
    store.start_run("poll", T0 + timedelta(minutes=1))
    store.record_coverage(first, T0, [CoverageRow("gh", Layer.EXECUTION, 3, 1, 1, 0)])
    store.acquire_lease("poll:gh", "replica-a", timedelta(seconds=30), T0)
    token = store.acquire_lease("resync:gh", "replica-a", timedelta(seconds=30), T0)
    store.release_lease("resync:gh", "replica-a", token or 0)
    traced = replace(orphan, kind=VerdictKind.TRACED, reason=Reason.LINKED)
    store.save_verdicts([traced], T0 + timedelta(minutes=9))  # closes #1's flag stretch
    snapshot = Snapshot("web", T0, traced=3, untraced=1, refs=frozenset({"gh:acme/web#2"}))
    store.prepare_digest(T0, T0, [snapshot], [("web", "chat", '{"doc": 1}')])
    store.prepare_digest(T0 + timedelta(days=7), T0, [], [], baseline=True)
    [delivery] = store.deliveries()
    store.finish_delivery(delivery.id, T0, error="503", retry_at=T0 + timedelta(minutes=1))


def _tables(store: Store) -> dict[str, list[tuple[object, ...]]]:
    assert isinstance(store, PortableStore)
    return {t.name: [row for page in table_rows(store, t) for row in page] for t in TABLES}


def _copy(from_url: str, to_url: str) -> str:
    result = CliRunner().invoke(cli, ["store", "copy", from_url, to_url])
    assert result.exit_code == 0, result.output
    return result.output


def test_every_table_survives_sqlite_to_postgresql_and_back(pg_url: str, tmp_path: Path) -> None:
    sqlite_url = f"sqlite:///{tmp_path / 'old.db'}"
    with open_store(sqlite_url) as old:
        _fill(old)
    with open_store(sqlite_url) as old:  # as the copy will find it: reopened
        original = _tables(old)
    assert all(original.values()), "every table has rows"
    output = _copy(sqlite_url, pg_url)
    assert "inbox              5 rows" in output
    with open_store(pg_url) as moved:
        assert _tables(moved) == original
    back_url = f"sqlite:///{tmp_path / 'back.db'}"
    _copy(pg_url, back_url)
    with open_store(back_url) as back:
        assert _tables(back) == original


def test_a_copied_store_numbers_new_runs_and_deliveries_after_the_copied_ones(
    pg_url: str, tmp_path: Path
) -> None:
    sqlite_url = f"sqlite:///{tmp_path / 'old.db'}"
    with open_store(sqlite_url) as old:
        _fill(old)
        last_run = old.runs(1)[0].id
        last_entry = old.inbox()[-1].id
    _copy(sqlite_url, pg_url)
    with open_store(pg_url) as moved:
        assert moved.start_run("poll", T0) == last_run + 1
        moved.enqueue(
            source="gh", delivery_key="new", event="e", item_hint=None, payload=b"", received_at=T0
        )
        assert moved.inbox()[-1].id == last_entry + 1


def test_copying_into_a_store_that_holds_anything_is_refused(pg_url: str, tmp_path: Path) -> None:
    with open_store(pg_url) as target:
        target.commit_cursors("jira", {"PLAT": "j1"})
    sqlite_url = f"sqlite:///{tmp_path / 'old.db'}"
    with open_store(sqlite_url) as old:
        _fill(old)
    result = CliRunner().invoke(cli, ["store", "copy", sqlite_url, pg_url])
    assert result.exit_code == 1
    assert "target store is not empty (it has cursors)" in result.output
    with open_store(pg_url) as target:
        assert target.count_items() == 0
