"""Items go into the store and come back exactly as they went in."""

from __future__ import annotations

from dataclasses import fields
from datetime import UTC, datetime, timedelta, timezone

import pytest
from store_builders import T0, make_item

from goldthread.core.model import Layer, LinkKind, ParentLink, Reason, Verdict, VerdictKind
from goldthread.store import Store


def test_every_field_of_an_item_survives_a_round_trip(store: Store) -> None:
    item = make_item()
    store.upsert_items([item])
    back = store.item(item.ref)
    assert back == item
    assert {f.name for f in fields(item)} == {f.name for f in fields(back)}  # type: ignore[arg-type]


def test_optional_fields_come_back_as_none_and_pull_requests_stay_pull_requests(
    store: Store,
) -> None:
    item = make_item(type=None, comment_count=None, parents=(), is_pull_request=True, labels=())
    store.upsert_items([item])
    assert store.item(item.ref) == item


def test_text_that_looks_like_markup_or_sql_is_kept_verbatim(store: Store) -> None:
    item = make_item(title="'); DROP TABLE items; --", body="ünïcødé ✓ <!-- goldthread -->\x00tail")
    store.upsert_items([item])
    assert store.item(item.ref) == item


def test_times_in_other_zones_come_back_as_the_same_instant_in_utc(store: Store) -> None:
    plus_two = timezone(timedelta(hours=2))
    item = make_item(created_at=datetime(2026, 3, 1, 11, 0, tzinfo=plus_two))
    store.upsert_items([item])
    back = store.item(item.ref)
    assert back is not None
    assert back.created_at == datetime(2026, 3, 1, 9, 0, tzinfo=UTC)
    assert back.created_at.tzinfo == UTC


def test_a_naive_time_is_refused_rather_than_guessed(store: Store) -> None:
    with pytest.raises(ValueError, match="naive"):
        store.upsert_items([make_item(created_at=datetime(2026, 3, 1))])


def test_upserting_an_item_again_replaces_it(store: Store) -> None:
    store.upsert_items([make_item(title="old", labels=("a",))])
    store.upsert_items([make_item(title="new", labels=("a", "goldthread:untraced"), parents=())])
    back = store.item("gh:acme/web#1")
    assert back is not None
    assert (back.title, back.labels, back.parents) == ("new", ("a", "goldthread:untraced"), ())
    assert store.count_items() == 1


def test_items_are_listed_by_ref_and_can_be_narrowed_to_one_source(store: Store) -> None:
    store.upsert_items(
        [make_item("acme/web#2"), make_item("PLAT-7", source="jira"), make_item("acme/web#1")]
    )
    assert [i.ref for i in store.items()] == ["gh:acme/web#1", "gh:acme/web#2", "jira:PLAT-7"]
    assert [i.ref for i in store.items("jira")] == ["jira:PLAT-7"]
    assert list(store.items("nope")) == []


def test_listing_more_items_than_one_page_returns_each_once(store: Store) -> None:
    store.upsert_items(make_item(f"acme/web#{n}") for n in range(4_500))
    refs = [item.ref for item in store.items("gh")]
    assert len(refs) == len(set(refs)) == 4_500 == store.count_items()


def test_an_unknown_ref_is_none(store: Store) -> None:
    assert store.item("gh:acme/web#404") is None


def test_deleting_items_forgets_them_and_their_verdicts(store: Store) -> None:
    store.upsert_items([make_item("acme/web#1"), make_item("acme/web#2")])
    verdict = Verdict(
        "gh:acme/web#1", Layer.EXECUTION, VerdictKind.ORPHAN, Reason.NO_PARENT, ("gh:acme/web#1",)
    )
    store.save_verdicts([verdict], T0)
    assert store.delete_items(["gh:acme/web#1", "gh:acme/web#9"]) == 1
    assert store.item("gh:acme/web#1") is None
    assert store.verdicts().get("gh:acme/web#1") is None
    assert store.count_items() == 1


def test_parent_links_keep_their_order_kind_target_raw_and_evidence(store: Store) -> None:
    links = tuple(
        ParentLink(kind, f"jira:PLAT-{n}" if n % 2 else None, f"raw {n}", f"evidence {n}")
        for n, kind in enumerate(LinkKind)
    )
    store.upsert_items([make_item(parents=links)])
    back = store.item("gh:acme/web#1")
    assert back is not None
    assert back.parents == links


def test_items_are_found_by_tracker_id_within_their_source_in_any_number(store: Store) -> None:
    old = make_item("PLAT-4", "jira", external_id="10004")
    new = make_item("WEB-2", "jira", external_id="10004")  # the same issue, moved
    other = make_item("acme/web#4", "gh", external_id="10004")  # another source's issue
    many = [make_item(f"OPS-{n}", "jira", external_id=str(n)) for n in range(1, 1200)]
    store.upsert_items([old, new, other, *many])
    found = store.refs_by_external_id("jira", ["10004", "10004", "nope"])
    assert sorted(found) == [("10004", "jira:PLAT-4"), ("10004", "jira:WEB-2")]
    wanted = [str(n) for n in range(1, 1200)]
    assert len(store.refs_by_external_id("jira", wanted)) == 1199
    assert store.refs_by_external_id("jira", []) == []
