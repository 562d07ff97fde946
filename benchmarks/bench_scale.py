"""What a change costs as the organisation grows: 1,000, 10,000 and 100,000
stored items.

For each size the sandbox is started with a small seeded organisation and
backfilled by the CLI; the store is then filled up to the size with a
synthetic organisation (the one ``bench_core`` builds, under a source of its
own that no tracker serves, so nothing is written to it) and judged whole.
Then, each in its own process:

* **whole judging** — what a full backfill does after reading: every item
  traced, verdicts, masks and barren list saved (wall time, peak RSS);
* **no-change sync** — ``goldthread sync --dry-run`` with nothing changed,
  the second after the store was filled (the process's wall time, most of it Python starting and importing; the
  cycle's own duration as the summary prints it; peak RSS);
* **event → label** — ``goldthread run`` with the sandbox sending its own
  signed webhooks: new orphans are opened one after another and the time
  until goldthread's label is on each is measured (p50), and the service's
  RSS read afterwards.

Last, classify + trace of 1,000,000 items in memory (time, peak RSS).
Targets on a 2-core machine: event → label p50 <= 300 ms at 100,000 and at
most 1.5x the figure at 1,000; no-change sync at 100,000 <= 0.5 s and
<= 100 MB; service RSS <= 200 MB; whole judging <= 300 MB.
"""

from __future__ import annotations

import dataclasses
import os
import signal
import statistics
import subprocess
import sys
import tempfile
import time
from datetime import UTC, datetime
from pathlib import Path

from benchmarks import bench_core
from benchmarks._load import SECRET, SECRET_ENV, free_port, get, start_service, wait
from goldthread.core.model import ParentLink, WorkItem
from goldthread.sandbox.control import Sandbox
from goldthread.sandbox.org import generate
from goldthread.sandbox.seeds import GitHubIssueSeed

SIZES = (1_000, 10_000, 100_000)
ORPHANS = 10
LABEL = "goldthread:untraced"
SYNTH = "synth"


def _synthetic(count: int) -> list[WorkItem]:
    """``count`` items of bench_core's organisation, under the source ``synth``."""
    bench_core.ITEMS = max(count, 20_000)  # its fixed top layers need room
    rng = bench_core.random.Random(bench_core.SEED)
    built = list(bench_core._Org(rng).build().values())
    chosen = built if len(built) <= count else rng.sample(built, count)

    def moved(ref: str | None) -> str | None:
        return None if ref is None else f"{SYNTH}:{ref.replace(':', '-')}"

    return [
        dataclasses.replace(
            item,
            ref=str(moved(item.ref)),
            source=SYNTH,
            key=item.ref.replace(":", "-"),
            parents=tuple(
                ParentLink(link.kind, moved(link.target), link.raw, link.evidence)
                for link in item.parents
            ),
        )
        for item in chosen
    ]


def _run(command: list[str], env: dict[str, str], cwd: Path) -> tuple[float, float, str]:
    """(wall seconds, peak RSS MB, output) of a child process."""
    started = time.perf_counter()
    process = subprocess.Popen(
        command, cwd=cwd, env=env, stdout=subprocess.PIPE, stderr=subprocess.STDOUT
    )
    assert process.stdout is not None
    output = process.stdout.read().decode()
    _, status, usage = os.wait4(process.pid, 0)
    process.returncode = os.waitstatus_to_exitcode(status)
    wall = time.perf_counter() - started
    if process.returncode not in (0, 1):
        raise SystemExit(f"{' '.join(command)} failed ({process.returncode}):\n{output}")
    return wall, usage.ru_maxrss / 1024, output


_FILL = """
import sys
from benchmarks.bench_scale import _synthetic
from goldthread.store import open_store
with open_store(sys.argv[1]) as store:
    store.upsert_items(_synthetic(int(sys.argv[2]) - store.count_items()))
"""

_JUDGE = """
import sys, time
from datetime import UTC, datetime
from goldthread.config import load_settings
from goldthread.store import open_store
from goldthread.sync.writing import judge
settings = load_settings(sys.argv[1])
with open_store(settings.store.url) as store:
    started = time.perf_counter()
    result = judge(settings, store, datetime.now(UTC), whole=True)
    store.settle(store.unsettled(), [])
    print(f"{result.items} {time.perf_counter() - started:.3f}")
"""

_TRACE_MILLION = """
import random, time
from datetime import UTC, datetime
from goldthread.core.model import LinkKind, ParentLink, WorkItem
from benchmarks import bench_core
rng = random.Random(7)
started = time.perf_counter()
when = datetime(2025, 1, 1, tzinfo=UTC)
items = {}
def add(ref, labels, parents):
    items[ref] = WorkItem(ref=ref, source="jira", key=ref[5:], url="", title="", body="",
        type="Story", labels=labels, state="open", created_at=when, updated_at=when,
        parents=parents)
above = []
for layer, count, labels in (("v", 2_000, ("vision",)), ("s", 60_000, ("strategy",)),
                             ("e", 938_000, ())):
    made = []
    for n in range(count):
        ref = f"jira:{layer.upper()}-{n}"
        roll = rng.random()
        if not above or roll < 0.05:
            parents = ()
        elif roll < 0.08:
            parents = (ParentLink(LinkKind.JIRA_PARENT, f"jira:GONE-{n}", "?"),)
        else:
            parents = (ParentLink(LinkKind.JIRA_PARENT, rng.choice(above), ""),)
        add(ref, labels, parents)
        made.append(ref)
    above = made if layer == "v" else above + made[:200_000]
built = time.perf_counter() - started
started = time.perf_counter()
verdicts = bench_core.trace(items, bench_core.POLICY, bench_core.NOW)
traced = time.perf_counter() - started
print(f"{len(items)} {built:.1f} {traced:.1f}")
"""


def _service_rss(pid: int) -> tuple[float, float]:
    """(current, peak) RSS of a live process, MB."""
    fields = dict(
        line.split(":", 1) for line in Path(f"/proc/{pid}/status").read_text().splitlines()
    )
    return (int(fields["VmRSS"].split()[0]) / 1024, int(fields["VmHWM"].split()[0]) / 1024)


def _event_to_label(sandbox: Sandbox, port: int) -> list[float]:
    sandbox.set_webhooks(
        github_url=f"http://127.0.0.1:{port}/webhooks/github", github_secret=SECRET
    )
    taken: list[float] = []
    for index in range(ORPHANS):
        number = 95_000 + index
        now = datetime.now(UTC)
        started = time.perf_counter()
        sandbox.github.create_issue(
            GitHubIssueSeed(
                repo="acme/web",
                number=number,
                title=f"Scale orphan {index}",
                body="",
                labels=[],
                created_at=now,
                updated_at=now,
            )
        )
        wait(lambda n=number: LABEL in sandbox.github.labels("acme/web", n), 60, "a label")
        taken.append(time.perf_counter() - started)
    return taken


def measure(size: int) -> dict[str, float]:
    workdir = Path(tempfile.mkdtemp(prefix=f"goldthread-bench-scale-{size}-"))
    store_url = f"sqlite:///{workdir / 'goldthread.db'}"
    figures: dict[str, float] = {}
    with Sandbox() as sandbox:
        sandbox.load(generate(200, seed=7))
        config = workdir / "goldthread.toml"
        config.write_text(sandbox.config_toml(store_url, github_webhook_secret_env=SECRET_ENV))
        env = {
            **os.environ,
            **sandbox.env(),
            SECRET_ENV: SECRET,
            "GOLDTHREAD_LOG_LEVEL": "warning",
            "PYTHONPATH": str(Path(__file__).resolve().parent.parent),
        }
        cli = [sys.executable, "-m", "goldthread", "--config", str(config)]
        _run([*cli, "backfill", "--yes"], env, workdir)
        # filled by a child process: a parent holding 100,000 items would count
        # in every later child's peak RSS (a forked child starts with its pages)
        _run([sys.executable, "-c", _FILL, store_url, str(size)], env, workdir)
        _, rss, out = _run([sys.executable, "-c", _JUDGE, str(config)], env, workdir)
        figures["whole_s"], figures["whole_mb"] = float(out.split()[-1]), rss
        figures["items"] = float(out.split()[0])
        _, figures["first_sync_mb"], _ = _run([*cli, "sync", "--dry-run"], env, workdir)
        wall, rss, out = _run([*cli, "sync", "--dry-run"], env, workdir)
        figures["sync_s"], figures["sync_mb"] = wall, rss
        cycle = next(line for line in out.splitlines() if line.strip().startswith("duration:"))
        figures["sync_cycle_s"] = float(cycle.split(":", 1)[1].strip().rstrip("s"))
        port, admin = free_port(), free_port()
        ports = {"GOLDTHREAD_SERVER__PORT": str(port), "GOLDTHREAD_SERVER__ADMIN_PORT": str(admin)}
        process = start_service(sandbox, workdir, store_url, ports)
        try:
            wait(lambda: get(port, "/readyz")[0] == 200, 60, "the service to be ready")
            wait(lambda: "goldthread_polls_total" in get(admin, "/metrics")[1], 120, "polls")
            taken = _event_to_label(sandbox, port)
            figures["label_p50_ms"] = statistics.median(taken) * 1000
            figures["label_max_ms"] = max(taken) * 1000
            figures["service_mb"], figures["service_peak_mb"] = _service_rss(process.pid)
        finally:
            process.send_signal(signal.SIGTERM)
            process.wait(timeout=60)
    return figures


def main() -> None:
    table: dict[int, dict[str, float]] = {}
    for size in SIZES:
        table[size] = found = measure(size)
        print(
            f"{size:>7,} items: event -> label p50 {found['label_p50_ms']:.0f} ms"
            f" (max {found['label_max_ms']:.0f}); service RSS {found['service_mb']:.0f} MB"
            f" (peak {found['service_peak_mb']:.0f}); no-change sync {found['sync_s']:.2f} s"
            f" wall ({found['sync_cycle_s']:.2f} s cycle), {found['sync_mb']:.0f} MB"
            f" (the first after filling: {found['first_sync_mb']:.0f} MB); whole judging {found['whole_s']:.1f} s,"
            f" {found['whole_mb']:.0f} MB",
            flush=True,
        )
    print(
        "| stored items | event → label p50 | service RSS | no-change `sync` (wall, cycle, peak)"
        " | whole judging |"
    )
    print("|---|---|---|---|---|")
    for size, f in table.items():
        print(
            f"| {size:,} | {f['label_p50_ms']:.0f} ms | {f['service_mb']:.0f} MB"
            f" | {f['sync_s']:.2f} s, {f['sync_cycle_s']:.2f} s, {f['sync_mb']:.0f} MB"
            f" | {f['whole_s']:.1f} s, {f['whole_mb']:.0f} MB |"
        )
    first, last = table[SIZES[0]]["label_p50_ms"], table[SIZES[-1]]["label_p50_ms"]
    print(
        f"event -> label at {SIZES[-1]:,} is {last / first:.2f}x the figure at {SIZES[0]:,}"
        " (target <= 1.5x, p50 <= 300 ms)"
    )
    _, rss, out = _run([sys.executable, "-c", _TRACE_MILLION], dict(os.environ), Path.cwd())
    count, built, traced = out.split()[-3:]
    print(
        f"classify + trace of {int(count):,} items in memory: {float(traced):.1f} s"
        f" (building them {float(built):.1f} s), peak RSS {rss:.0f} MB"
    )


if __name__ == "__main__":
    main()
