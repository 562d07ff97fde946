"""Suggestions in the one write-back path: the candidates come from the store
by layer, and an item's suggestions do not depend on which other items a
round happens to plan, so its comment is the same whether a poll or a
webhook round writes it."""

from __future__ import annotations

from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from support_items import up, work_item

from goldthread.core.model import LinkKind, WorkItem
from goldthread.core.suggesting import suggest_parents
from goldthread.core.tracing import trace
from goldthread.sandbox.offline import POLICY
from goldthread.store import open_store
from goldthread.sync.planning import WritebackPolicy
from goldthread.sync.writing import LabelRarity, suggestions_for

NOW = datetime(2026, 7, 1, tzinfo=UTC)
WRITEBACK = WritebackPolicy(label="goldthread:untraced")


def epic(key: str, **fields: Any) -> WorkItem:
    parent = up(LinkKind.JIRA_PARENT, "jira:PLAT-1")
    return work_item("jira", key, parent, type="Epic", **fields)


def organisation() -> dict[str, WorkItem]:
    items = [
        work_item("jira", "PLAT-1", type="Initiative", labels=("vision",), title="Trust"),
        epic(
            "PLAT-2", title="Harden login", body="Passwords, sessions and tokens.", labels=("auth",)
        ),
        epic("PLAT-3", title="Faster search", body="Index shards and query caching."),
        epic("PLAT-4", title="Ledger reconciliation", body="Nightly settlement; see WEB-2."),
        work_item(
            "jira",
            "WEB-1",
            title="Login session tokens expire",
            body="Sessions and tokens expire too early.",
            labels=("auth", "login"),
        ),
        work_item("jira", "WEB-2", title="Settlement totals off by a cent"),
        work_item("jira", "WEB-3", title="Shard the search index", labels=("search",)),
        *(
            work_item(
                "jira", f"WEB-{10 + n}", up(LinkKind.JIRA_PARENT, "jira:PLAT-3"), labels=("auth",)
            )
            for n in range(20)
        ),
    ]
    return {item.ref: item for item in items}


def test_a_round_offers_what_the_whole_organisation_would_whatever_else_it_plans(
    tmp_path: Path,
) -> None:
    items = organisation()
    verdicts = trace(items, POLICY, NOW)
    whole = suggest_parents(items, verdicts, ignore_labels=(WRITEBACK.label,))
    assert {"jira:WEB-1", "jira:WEB-2"} <= set(whole)

    with open_store(f"sqlite:///{tmp_path / 'store.db'}") as store:
        store.upsert_items(items.values())
        store.save_verdicts(verdicts.values(), NOW)
        for planned in (
            ["jira:WEB-2"],
            ["jira:WEB-1", "jira:WEB-3"],
            ["jira:WEB-1", "jira:WEB-2", "jira:WEB-3"],
        ):
            round_items = {ref: items[ref] for ref in planned}
            round_verdicts = {ref: verdicts[ref] for ref in planned}

            offered = suggestions_for(store, round_items, round_verdicts, WRITEBACK)

            assert offered == {ref: whole[ref] for ref in planned if ref in whole}


def test_no_suggestions_are_looked_for_when_goldthread_does_not_comment(tmp_path: Path) -> None:
    items = organisation()
    verdicts = trace(items, POLICY, NOW)
    quiet = WritebackPolicy(label="goldthread:untraced", comment=False)
    with open_store(f"sqlite:///{tmp_path / 'store.db'}") as store:
        store.upsert_items(items.values())
        store.save_verdicts(verdicts.values(), NOW)

        assert suggestions_for(store, items, verdicts, quiet) == {}


def test_label_rarity_is_read_from_every_stored_item_and_kept_for_a_while(
    tmp_path: Path,
) -> None:
    items = organisation()
    with open_store(f"sqlite:///{tmp_path / 'store.db'}") as store:
        store.upsert_items(items.values())
        kept = LabelRarity(ttl=3600)
        first = kept.spread(store, WRITEBACK.label)
        assert first["l:auth"] == 22 / len(items)  # PLAT-2, WEB-1 and the twenty stories

        store.upsert_items([work_item("jira", "WEB-99", labels=("auth", "goldthread:untraced"))])

        assert kept.spread(store, WRITEBACK.label) == first
        fresh = LabelRarity(ttl=0).spread(store, WRITEBACK.label)
        assert fresh["l:auth"] == 23 / (len(items) + 1)
        assert "l:goldthread:untraced" not in fresh
