"""A backfill of a 30,000-item organisation from the sandbox, through the real CLI.

Write-back off: wall time, peak memory of the goldthread process (target
≤ 300 MB) and requests per 1,000 items (target ≤ 10.3). Write-back on, over
a fresh 2,000-item organisation read once beforehand: requests per newly
flagged item, per tracker (target 2: one label, one comment); then, after
some epics lost their parents, an incremental sync that flags the items
beneath them without having read them, and so confirms them first. The sandbox
runs in this process; goldthread runs as its own process, so its peak
memory is measured alone.
"""

from __future__ import annotations

import os
import subprocess
import sys
import tempfile
import time
from pathlib import Path

from goldthread.sandbox.control import Sandbox
from goldthread.sandbox.org import generate

ITEMS = 30_000
WRITEBACK_ITEMS = 2_000
MEMORY_TARGET_MB = 300.0
REQUESTS_TARGET = 10.3
PER_FLAG_TARGET = 2.0
EPICS = 10


def _run(sandbox: Sandbox, directory: Path, *args: str) -> tuple[float, float]:
    """Run the CLI to its end; (seconds, peak resident MB)."""
    env = {
        **os.environ,
        **sandbox.env(),
        "GOLDTHREAD_LOG_LEVEL": "warning",
        "GOLDTHREAD_WRITEBACK__MAX_WRITES_PER_RUN": "1000000",
        "GOLDTHREAD_WRITEBACK__WRITES_PER_MINUTE": "600000",
    }
    command = [sys.executable, "-m", "goldthread", "--config", "goldthread.toml", *args]
    started = time.perf_counter()
    process = subprocess.Popen(
        command, cwd=directory, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE
    )
    _, status, usage = os.wait4(process.pid, 0)
    seconds = time.perf_counter() - started
    process.returncode = os.waitstatus_to_exitcode(status)
    stderr = process.stderr.read().decode() if process.stderr else ""
    if process.returncode != 0:
        raise SystemExit(
            f"goldthread {' '.join(args)} exited {process.returncode}: {stderr[-2000:]}"
        )
    return seconds, usage.ru_maxrss / 1024.0


def _requests(sandbox: Sandbox) -> dict[str, int]:
    return {tracker: len(log) for tracker, log in sandbox.request_log().items()}


def _prepared(size: int, seed: int, directory: Path) -> Sandbox:
    sandbox = Sandbox().start()
    sandbox.load(generate(size, seed=seed))
    config = sandbox.config_toml(f"sqlite:///{directory / 'goldthread.db'}")
    (directory / "goldthread.toml").write_text(config, encoding="utf-8")
    return sandbox


def read_only() -> None:
    with tempfile.TemporaryDirectory(prefix="goldthread-bench-") as tmp:
        directory = Path(tmp)
        sandbox = _prepared(ITEMS, 11, directory)
        try:
            items = len(sandbox.expected())
            sandbox.clear_request_log()
            seconds, peak = _run(sandbox, directory, "backfill", "--no-writeback")
            requests = sum(_requests(sandbox).values())
        finally:
            sandbox.stop()
    per_thousand = requests / items * 1000
    print(
        f"backfill, write-back off: {items} items in {seconds:.1f} s; "
        f"peak memory {peak:.0f} MB ({'meets' if peak <= MEMORY_TARGET_MB else 'misses'} "
        f"≤ {MEMORY_TARGET_MB:.0f}); {requests} requests = {per_thousand:.2f} per 1,000 items "
        f"({'meets' if per_thousand <= REQUESTS_TARGET else 'misses'} ≤ {REQUESTS_TARGET})"
    )


def _item_paths(sandbox: Sandbox) -> dict[str, tuple[str, bool]]:
    """Newly flagged item -> (its API path prefix, whether people commented on it)."""
    org = sandbox.org
    assert org is not None
    expected = sandbox.expected()
    found: dict[str, tuple[str, bool]] = {}
    for gh in org.github:
        ref = f"{org.github_source}:{gh.repo}#{gh.number}"
        if expected.get(ref, ("", ""))[0] in ("orphan", "broken"):
            found[ref] = (f"/repos/{gh.repo}/issues/{gh.number}/", bool(gh.comments))
    for jira in org.jira:
        ref = f"{org.jira_source}:{jira.key}"
        if expected.get(ref, ("", ""))[0] in ("orphan", "broken"):
            found[ref] = (f"/issue/{jira.key}/", bool(jira.comments))
    return found


def _per_item(sandbox: Sandbox, paths: dict[str, tuple[str, bool]]) -> dict[str, list[int]]:
    """Requests of the last run per flagged item, by tracker and comment history."""
    counts = dict.fromkeys(paths, 0)
    by_prefix = {prefix: ref for ref, (prefix, _) in paths.items()}
    for log in sandbox.request_log().values():
        for request in log:
            for prefix, ref in by_prefix.items():
                if prefix in request.path + "/":
                    counts[ref] += 1
                    break
    groups: dict[str, list[int]] = {}
    for ref, count in counts.items():
        tracker = "github" if "#" in ref else "jira"
        history = "with comments" if paths[ref][1] else "no comments"
        groups.setdefault(f"{tracker}, {history}", []).append(count)
    return groups


def with_writeback() -> None:
    with tempfile.TemporaryDirectory(prefix="goldthread-bench-") as tmp:
        directory = Path(tmp)
        sandbox = _prepared(WRITEBACK_ITEMS, 12, directory)
        try:
            paths = _item_paths(sandbox)
            _run(sandbox, directory, "backfill", "--no-writeback")
            sandbox.clear_request_log()
            seconds, _ = _run(sandbox, directory, "backfill", "--yes")
            groups = _per_item(sandbox, paths)
            resync = _sync_after_epics_lost_their_parents(sandbox, directory)
        finally:
            sandbox.stop()
    parts = [
        f"{name}: {sum(counts) / len(counts):.2f} ({len(counts)} items)"
        for name, counts in sorted(groups.items())
    ]
    print(
        f"backfill, write-back on: {WRITEBACK_ITEMS} items in {seconds:.1f} s; requests per "
        f"newly flagged item (target {PER_FLAG_TARGET:.0f}): " + "; ".join(parts)
    )
    print(resync)


def _sync_after_epics_lost_their_parents(sandbox: Sandbox, directory: Path) -> str:
    """An incremental sync that flags items it did not read (beneath epics that
    lost their parent), so it confirms them first: its Jira requests, per item."""
    org = sandbox.org
    assert org is not None
    expected = sandbox.expected()
    epics = [
        s.key
        for s in org.jira
        if s.type == "Epic" and expected.get(f"{org.jira_source}:{s.key}", ("",))[0] == "traced"
    ][:EPICS]
    for key in epics:
        sandbox.jira.set_parent(key, None)
    sandbox.clear_request_log()
    _run(sandbox, directory, "sync")
    log = sandbox.request_log()["jira"]
    flagged = {
        r.path.split("/")[-2] for r in log if r.method == "POST" and r.path.endswith("/comment")
    }
    on_items = sum(1 for r in log if any(f"/issue/{key}/" in r.path + "/" for key in flagged))
    confirming = sum(1 for r in log if "key+in" in r.query or "key in" in r.query)
    per_item = on_items / max(1, len(flagged))
    return (
        f"sync, write-back on, after {len(epics)} Jira epics lost their parents: "
        f"{len(flagged)} Jira items newly flagged, {per_item:.2f} requests on each; "
        f"{confirming} search(es) to confirm the ones the sync did not read "
        f"({confirming / max(1, len(flagged)):.3f} per item); {len(log)} Jira requests in all"
    )


def main() -> None:
    read_only()
    with_writeback()


if __name__ == "__main__":
    main()
