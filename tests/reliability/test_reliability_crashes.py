"""kill -9 at seeded points of backfill, sync and the service under webhook load;
restart; converge: no duplicate comment, no lost webhook delivery."""

from __future__ import annotations

import random
import subprocess
from pathlib import Path

import pytest
from reliability_helpers import (
    Workspace,
    duplicate_comments,
    flag_state,
    pick,
    record,
    repeated_creations,
    tracker_writes,
)
from reliability_service import ServiceUnderLoad, wait_until
from support_sandbox import expected_flags

from goldthread.sandbox.control import Sandbox
from goldthread.sandbox.org import generate

SEED = 20261128


def mutating(workspace: Workspace) -> int:
    return tracker_writes(workspace.sandbox)


def _wait(process: subprocess.Popen[str], seconds: float) -> bool:
    """Whether ``process`` is still running after up to ``seconds``."""
    try:
        process.wait(timeout=seconds)
    except subprocess.TimeoutExpired:
        return True
    return False


def kill_once(workspace: Workspace, command: str, rng: random.Random) -> bool:
    """Start ``command`` and kill -9 it at a seeded point: after a few more
    writes, or after a short time (often during the reads). Whether it was
    killed while running (False: it finished first)."""
    process = workspace.start(command, "--yes")
    target = mutating(workspace) + rng.randint(1, 6) if rng.random() < 0.7 else None
    deadline = rng.uniform(0.1, 1.2)
    waited = 0.0
    while True:
        if not _wait(process, 0.01):
            return False
        waited += 0.01
        if (target is not None and mutating(workspace) >= target) or (
            target is None and waited >= deadline
        ):
            break
    process.kill()
    process.wait(timeout=10)
    return True


def _workspace(sandbox: Sandbox, directory: Path) -> Workspace:
    space = Workspace(sandbox, directory)
    space.config.write_text(sandbox.config_toml(f"sqlite:///{space.store}"), encoding="utf-8")
    # Paced writes leave room to land kills between them.
    space.extra_env["GOLDTHREAD_WRITEBACK__WRITES_PER_MINUTE"] = "1200"
    return space


@pytest.mark.parametrize(
    ("command", "kills"), pick([("backfill", 3), ("sync", 2)], [("backfill", 20), ("sync", 15)])
)
def test_backfill_and_sync_killed_at_seeded_points_converge_without_a_duplicate_comment(
    tmp_path: Path, command: str, kills: int
) -> None:
    rng = random.Random(f"{SEED}-{command}")
    survived = 0
    round_number = 0
    while survived < kills:
        round_number += 1
        with Sandbox() as sandbox:
            sandbox.load(generate(40, seed=rng.randint(0, 10_000)))
            directory = tmp_path / f"round-{round_number}"
            directory.mkdir()
            space = _workspace(sandbox, directory)
            if command == "sync":
                assert space.run("backfill", "--no-writeback").returncode == 0
            while survived < kills and kill_once(space, command, rng):
                survived += 1
                record("kills_survived")
                assert duplicate_comments(sandbox) == 0
            final = space.run(command, "--yes")
            assert final.returncode == 0, final.stderr
            duplicates = duplicate_comments(sandbox) + repeated_creations(space)
            record("duplicate_comments", duplicates)
            assert duplicates == 0
            assert flag_state(sandbox) == expected_flags(sandbox)


@pytest.mark.parametrize("kills", pick([3], [15]))
def test_the_service_killed_under_webhook_load_loses_no_accepted_delivery_and_duplicates_nothing(
    tmp_path: Path, kills: int
) -> None:
    rng = random.Random(f"{SEED}-service")
    with Sandbox() as sandbox:
        sandbox.load(generate(40, seed=SEED % 997))
        space = _workspace(sandbox, tmp_path)
        service = ServiceUnderLoad(space, rng)
        try:
            # Load starts once both trackers were read: webhooks racing the very
            # first poll are the concurrency suite's case, not this one's.
            service.start()
            assert wait_until(service.first_polls_done, 30), service.log()
            writes_before_load = mutating(space)
            service.start_load()
            survived = 0
            while survived < kills:
                if not service.alive():
                    service.start()
                assert wait_until(service.answers, 20), service.log()
                wait_until(lambda: False, rng.uniform(0.05, 1.5))
                if service.kill():
                    survived += 1
                    record("kills_survived")
            service.stop_load()
            assert mutating(space) > writes_before_load, "the load made goldthread write"
            service.start()
            assert wait_until(service.answers, 20)
            assert wait_until(lambda: not service.unprocessed(), 60), service.unprocessed()[:5]
            converged = wait_until(lambda: flag_state(sandbox) == expected_flags(sandbox), 30)
            state, wanted = flag_state(sandbox), expected_flags(sandbox)
            assert converged, {
                ref: (state[ref], wanted[ref]) for ref in state if state[ref] != wanted[ref]
            }
            lost = len(service.unprocessed())
            duplicates = duplicate_comments(sandbox) + repeated_creations(space)
            record("webhook_deliveries_accepted", len(service.accepted))
            record("lost_deliveries", lost)
            record("duplicate_comments", duplicates)
            assert service.accepted, "the service accepted deliveries between kills"
            assert lost == 0
            assert duplicates == 0
        finally:
            service.close()
