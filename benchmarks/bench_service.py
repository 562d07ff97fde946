"""The service's webhook intake rate and its event-to-write-back latency.

Starts the sandbox with a seeded organisation and ``goldthread run`` against
it as a subprocess, as users deploy it. Then:

1. **Intake**: a few keep-alive connections on loopback post signed GitHub
   ``issues.edited`` deliveries (each with its own delivery id) for a few
   seconds; every 202 is a delivery stored durably in the inbox. Reports
   accepted deliveries per second and p50/p99 latency (targets on a 2-core
   machine: >= 500/s, p99 <= 50 ms).
2. **Event to write-back**: with the sandbox sending its own signed webhooks,
   new orphan issues are opened one after another; the time from the change
   to goldthread's label being on the issue is measured (target p50 <= 1 s).
"""

from __future__ import annotations

import signal
import statistics
import subprocess
import tempfile
import time
from datetime import UTC, datetime
from pathlib import Path

from benchmarks._load import SECRET, bodies, free_port, get, measure, start_service, wait
from goldthread.sandbox.control import Sandbox
from goldthread.sandbox.org import generate
from goldthread.sandbox.seeds import GitHubIssueSeed

LABEL = "goldthread:untraced"
CONNECTIONS = 4
DURATION = 4.0
ORPHANS = 20
TARGET_RATE, TARGET_P99_MS, TARGET_P50_WRITEBACK = 500.0, 50.0, 1.0


def _gauge(text: str, name: str) -> float:
    for line in text.splitlines():
        if line.startswith(name + " "):
            return float(line.split()[1])
    return -1.0


def _start(sandbox: Sandbox, workdir: Path, port: int, admin: int) -> subprocess.Popen[bytes]:
    store_url = f"sqlite:///{workdir / 'goldthread.db'}"
    ports = {"GOLDTHREAD_SERVER__PORT": str(port), "GOLDTHREAD_SERVER__ADMIN_PORT": str(admin)}
    process = start_service(sandbox, workdir, store_url, ports)
    wait(lambda: get(port, "/readyz")[0] == 200, 30, "the service to be ready")
    wait(lambda: "goldthread_polls_total" in get(admin, "/metrics")[1], 60, "the first polls")
    return process


def measure_intake(sandbox: Sandbox, port: int) -> tuple[float, float, float, int]:
    """(accepted per second, p50 ms, p99 ms, accepted) over DURATION seconds."""
    return measure([port], bodies(sandbox), CONNECTIONS, DURATION)


def measure_writeback(sandbox: Sandbox, port: int) -> tuple[list[float], list[float]]:
    """Seconds from opening an orphan issue to goldthread's label on it, and
    to the whole write-back (label and comment) being done."""
    sandbox.set_webhooks(
        github_url=f"http://127.0.0.1:{port}/webhooks/github", github_secret=SECRET
    )
    labelled: list[float] = []
    complete: list[float] = []
    now = datetime.now(UTC)
    for index in range(ORPHANS):
        number = 90_000 + index
        started = time.perf_counter()
        sandbox.github.create_issue(
            GitHubIssueSeed(
                repo="acme/web",
                number=number,
                title=f"Benchmark orphan {index}",
                body="",
                labels=[],
                created_at=now,
                updated_at=now,
            )
        )
        wait(lambda n=number: LABEL in sandbox.github.labels("acme/web", n), 30, "a label")
        labelled.append(time.perf_counter() - started)
        wait(lambda n=number: sandbox.github.comments("acme/web", n), 30, "a comment")
        complete.append(time.perf_counter() - started)
    return labelled, complete


def main() -> None:
    workdir = Path(tempfile.mkdtemp(prefix="goldthread-bench-service-"))
    port, admin = free_port(), free_port()
    with Sandbox() as sandbox:
        sandbox.load(generate(500, seed=7))
        process = _start(sandbox, workdir, port, admin)
        try:
            rate, p50, p99, accepted = measure_intake(sandbox, port)
            print(
                f"webhook intake: {rate:,.0f} accepted deliveries/s ({accepted} in {DURATION:.0f} s,"
                f" {CONNECTIONS} connections), p50 {p50:.1f} ms, p99 {p99:.1f} ms"
                f"  (targets >= {TARGET_RATE:.0f}/s, p99 <= {TARGET_P99_MS:.0f} ms)"
            )
            wait(
                lambda: _gauge(get(admin, "/metrics")[1], "goldthread_inbox_depth") == 0,
                300,
                "the inbox to drain",
            )
            labelled, complete = measure_writeback(sandbox, port)
            for what, taken in (("label on", labelled), ("label and comment on", complete)):
                taken.sort()
                print(
                    f"event to write-back ({what}): p50 {statistics.median(taken) * 1000:.0f} ms,"
                    f" max {taken[-1] * 1000:.0f} ms over {len(taken)} new orphans"
                    f"  (target p50 <= {TARGET_P50_WRITEBACK * 1000:.0f} ms)"
                )
        finally:
            process.send_signal(signal.SIGTERM)
            status = process.wait(timeout=60)
            print(f"service stopped with exit status {status}")


if __name__ == "__main__":
    main()
