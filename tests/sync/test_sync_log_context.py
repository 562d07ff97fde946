"""What a cycle logs carries the cycle's run id, and what it logs while a
write is applied carries that write's source and item, without each call
site having to pass them."""

from __future__ import annotations

import io
import json
from dataclasses import replace
from datetime import timedelta

from sync_builders import START, item, settings

from goldthread.clock import FakeClock
from goldthread.connectors.memory import MemoryConnector
from goldthread.core.model import WorkItem
from goldthread.logs import configure_logging, get_logger
from goldthread.store import open_store
from goldthread.sync.cycle import CycleOptions, run_cycle


class Talking(MemoryConnector):
    """Logs a line as it adds a label, as a connector's retry or pacing would."""

    def add_label(self, item: WorkItem, label: str) -> None:
        get_logger("goldthread.connectors").info("label added")
        super().add_label(item, label)


def test_a_write_logs_its_cycle_source_and_item(tmp_path) -> None:
    out = io.StringIO()
    configure_logging("json", "info", [], stream=out)
    clock = FakeClock(START + timedelta(days=1))
    orphan = replace(item("gh", "acme/web#7"), updated_at=START)
    tracker = Talking("gh", [orphan], clock=clock.now)
    with open_store(f"sqlite:///{tmp_path / 'store.db'}") as store:
        done = run_cycle(settings(), store, {"gh": tracker}, CycleOptions(kind="sync"), clock=clock)
    get_logger().info("after the cycle")

    events = [json.loads(line) for line in out.getvalue().splitlines()]
    written = next(e for e in events if e["event"] == "label added")
    after = next(e for e in events if e["event"] == "after the cycle")

    assert (written["cycle"], written["source"], written["ref"]) == (
        done.run_id,
        "gh",
        "gh:acme/web#7",
    )
    assert not {"cycle", "source", "ref"} & after.keys()
