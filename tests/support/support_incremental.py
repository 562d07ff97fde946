"""A state machine that changes a stored organisation at random and checks,
after every evaluation, that judging only what changed gives exactly what
judging everything from scratch gives: every verdict, the barren list and
the coverage counts."""

from __future__ import annotations

from collections import Counter
from dataclasses import replace
from datetime import timedelta

from hypothesis import strategies as st
from hypothesis.stateful import RuleBasedStateMachine, initialize, invariant, rule
from support_items import LONG_AGO, START, up, work_item

from goldthread.core.barren import find_barren
from goldthread.core.model import Layer, LayerRule, LinkKind, ParentLink, TracePolicy, WorkItem
from goldthread.core.tracing import trace
from goldthread.store import Store, open_store
from goldthread.sync.evaluating import evaluate

POLICY = TracePolicy(
    rules=(
        LayerRule(Layer.VISION, labels=("vision",), index=0),
        LayerRule(Layer.STRATEGY, labels=("strategy",), index=1),
        LayerRule(Layer.STRATEGY, types=("Epic",), index=2),
        LayerRule(Layer.NONE, labels=("meta",), index=3),
    ),
    default_layer=Layer.EXECUTION,
    exempt_labels=("no-trace",),
    exempt_types=("Spike",),
    grace_period=timedelta(hours=3),
)

KEYS = [f"gh:acme/web#{n}" for n in range(1, 7)] + [f"jira:PLAT-{n}" for n in range(1, 7)]
"""Every ref an item can have: two trackers, so links cross between them."""
MISSING = "jira:GONE-1"
"""A parent ref never stored: a link to it names a missing parent."""

labels = st.sampled_from(
    [(), ("vision",), ("strategy",), ("meta",), ("no-trace",), ("strategy", "vision")]
)
types = st.sampled_from([None, "Epic", "Spike", "Story"])
kinds = st.sampled_from(
    [LinkKind.SUB_ISSUE, LinkKind.JIRA_PARENT, LinkKind.ISSUE_LINK, LinkKind.BODY_REFERENCE]
)
targets = st.sampled_from([*KEYS, MISSING, None])
links = st.lists(st.tuples(kinds, targets), max_size=3)


def _item(ref: str, **fields: object) -> WorkItem:
    source, _, key = ref.partition(":")
    return work_item(source, key, **fields)


_TABLES = ("items", "verdicts", "barren", "flags", "edges", "changes", "beneath")
_TABLES_TOO = ("evaluation", "unsettled", "tallies")


def _empty(store: Store) -> None:
    """Every table the machine fills, emptied (a shared PostgreSQL database)."""
    with store._tx("emptying") as conn:  # type: ignore[attr-defined]
        conn.execute(f"TRUNCATE {', '.join(_TABLES + _TABLES_TOO)}")


class IncrementalMatchesWhole(RuleBasedStateMachine):
    """Random changes to stored items; incremental evaluation checked against a whole trace."""

    url = "sqlite:///:memory:"
    """The store each run starts from empty (a PostgreSQL one is emptied first)."""

    def __init__(self) -> None:
        super().__init__()
        self.opened = open_store(self.url)
        self.store: Store = self.opened.__enter__()
        if self.url.startswith("postgresql"):
            _empty(self.store)
        self.now = START
        self.items: dict[str, WorkItem] = {}

    def teardown(self) -> None:
        self.opened.__exit__(None, None, None)

    @initialize(
        seeds=st.lists(
            st.tuples(st.sampled_from(KEYS), labels, types, links), min_size=4, max_size=12
        )
    )
    def an_organisation_judged_whole(
        self,
        seeds: list[tuple[str, tuple[str, ...], str | None, list[tuple[LinkKind, str | None]]]],
    ) -> None:
        for ref, label, kind, parents in seeds:
            self._store(
                _item(ref, labels=label, type=kind, parents=tuple(up(k, t) for k, t in parents))
            )
        evaluate(self.store, POLICY, self.now)
        self.check()

    def _store(self, *items: WorkItem) -> None:
        self.store.upsert_items(items)
        self.items.update({item.ref: item for item in items})

    @rule(times=st.integers(min_value=1, max_value=2))
    def judge(self, times: int) -> None:
        """Evaluate what changed since the last evaluation (often several changes)."""
        for _ in range(times):
            evaluate(self.store, POLICY, self.now)
            self.check()

    @rule(
        ref=st.sampled_from(KEYS),
        label=labels,
        kind=types,
        parents=links,
        young=st.booleans(),
        closed=st.booleans(),
    )
    def store_an_item(
        self,
        ref: str,
        label: tuple[str, ...],
        kind: str | None,
        parents: list[tuple[LinkKind, str | None]],
        young: bool,
        closed: bool,
    ) -> None:
        """A new item, or a new version of one: labels, type, state, parents (cycles included)."""
        created = self.now - timedelta(hours=1) if young else LONG_AGO
        self._store(
            _item(
                ref,
                labels=label,
                type=kind,
                state="closed" if closed else "open",
                created_at=created,
                parents=tuple(up(k, t) for k, t in parents),
            )
        )

    @rule(data=st.data())
    def reparent(self, data: st.DataObject) -> None:
        """An item's parent links replaced."""
        if not self.items:
            return
        ref = data.draw(st.sampled_from(sorted(self.items)))
        parents = data.draw(links)
        self._store(replace(self.items[ref], parents=tuple(up(k, t) for k, t in parents)))

    @rule(data=st.data(), label=labels, kind=types)
    def relabel(self, data: st.DataObject, label: tuple[str, ...], kind: str | None) -> None:
        """An item's labels and type changed: its layer or exemption may change."""
        if not self.items:
            return
        ref = data.draw(st.sampled_from(sorted(self.items)))
        self._store(replace(self.items[ref], labels=label, type=kind))

    @rule(data=st.data())
    def close_or_reopen(self, data: st.DataObject) -> None:
        if not self.items:
            return
        ref = data.draw(st.sampled_from(sorted(self.items)))
        item = self.items[ref]
        self._store(replace(item, state="open" if item.closed else "closed"))

    @rule(data=st.data())
    def delete(self, data: st.DataObject) -> None:
        """An item forgotten: its children now have a missing parent."""
        if not self.items:
            return
        ref = data.draw(st.sampled_from(sorted(self.items)))
        self.store.delete_items([ref])
        del self.items[ref]

    @rule(data=st.data())
    def move(self, data: st.DataObject) -> None:
        """An item moved to a free ref (a transfer): the old ref forgotten, links that
        named it follow it to the new one."""
        free = sorted(set(KEYS) - set(self.items))
        if not self.items or not free:
            return
        old = data.draw(st.sampled_from(sorted(self.items)))
        new = data.draw(st.sampled_from(free))
        source, _, key = new.partition(":")
        moved = replace(self.items[old], ref=new, source=source, key=key)
        self.store.delete_items([old])
        del self.items[old]
        followers = [
            replace(
                item,
                parents=tuple(
                    ParentLink(link.kind, new, link.raw, link.evidence)
                    if link.target == old
                    else link
                    for link in item.parents
                ),
            )
            for item in self.items.values()
            if any(link.target == old for link in item.parents)
        ]
        self._store(moved, *followers)

    @rule(hours=st.integers(min_value=1, max_value=4))
    def time_passes(self, hours: int) -> None:
        """The clock moves on: young items leave their grace period."""
        self.now += timedelta(hours=hours)

    def check(self) -> None:
        whole = trace(self.items, POLICY, self.now)
        assert self.store.verdicts() == whole
        assert self.store.barren() == find_barren(self.items, whole)
        counts = Counter(
            (ref.partition(":")[0], v.layer.value, v.kind.value) for ref, v in whole.items()
        )
        assert {(s, layer, kind): n for s, layer, kind, n in self.store.tally()} == dict(counts)

    @invariant()
    def the_store_holds_what_was_stored(self) -> None:
        assert self.store.count_items() == len(self.items)
