"""The dashboard of a 30,000-item store: what ``GET /`` costs a running service.

Builds a store of 30,000 traced items (the core benchmark's synthetic
organisation, cut to size), starts ``goldthread run --no-poll`` on it as
users deploy it, waits for the first rendering of the page, then:

1. times 1,000 ``GET /`` on one keep-alive connection, as a browser asks
   (gzip), and reads the service's CPU time before and after: per request,
   wall time (p50, p99) and CPU time. Target: <= 5 ms.
2. times signed webhook deliveries on the webhook listener while four
   clients fetch the dashboard as fast as they can on the admin listener:
   intake must not notice them.
"""

from __future__ import annotations

import dataclasses
import hashlib
import hmac
import http.client
import json
import os
import random
import signal
import subprocess
import sys
import tempfile
import threading
import time
import uuid
from pathlib import Path

from benchmarks import bench_core
from benchmarks._load import SECRET, SECRET_ENV, free_port, get, wait
from goldthread.core.barren import find_barren
from goldthread.core.tracing import trace
from goldthread.store import open_store

ITEMS = 30_000
REQUESTS = 1_000
TARGET_MS = 5.0
READERS = 4
DELIVERIES = 400


def build_store(path: Path) -> None:
    """A SQLite store holding ``ITEMS`` items with their verdicts and barren list."""
    saved = bench_core.ITEMS
    bench_core.ITEMS = ITEMS
    try:
        items = bench_core._Org(random.Random(bench_core.SEED)).build()
    finally:
        bench_core.ITEMS = saved
    items = {
        ref: dataclasses.replace(item, url=f"https://github.com/acme/web/issues/{n}")
        for n, (ref, item) in enumerate(items.items(), start=1)
    }
    verdicts = trace(items, bench_core.POLICY, bench_core.NOW)
    with open_store(f"sqlite:///{path}") as store:
        store.upsert_items(items.values())
        store.save_verdicts(verdicts.values(), bench_core.NOW)
        store.save_barren(find_barren(items, verdicts))


def start(workdir: Path, port: int, admin: int) -> subprocess.Popen[bytes]:
    config = workdir / "goldthread.toml"
    config.write_text(
        f'[store]\nurl = "sqlite:///{workdir / "goldthread.db"}"\n\n'
        f'[server]\nhost = "127.0.0.1"\nport = {port}\nadmin_port = {admin}\n'
        f'github_webhook_secret_env = "{SECRET_ENV}"\n',
        encoding="utf-8",
    )
    env = {**os.environ, SECRET_ENV: SECRET, "GOLDTHREAD_LOG_LEVEL": "debug"}
    log = (workdir / "service.log").open("ab")
    command = [sys.executable, "-m", "goldthread", "--config", str(config), "run", "--no-poll"]
    process = subprocess.Popen(command, cwd=workdir, env=env, stdout=log, stderr=log)
    log.close()
    return process


def cpu_seconds(pid: int) -> float:
    fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


def time_gets(port: int, count: int) -> list[float]:
    connection = http.client.HTTPConnection("127.0.0.1", port, timeout=10)
    taken = []
    for _ in range(count):
        started = time.perf_counter()
        connection.request("GET", "/", headers={"Accept-Encoding": "gzip"})
        answer = connection.getresponse()
        answer.read()
        taken.append(time.perf_counter() - started)
        assert answer.status == 200, answer.status
    connection.close()
    return sorted(taken)


def _read_forever(port: int, stop: threading.Event, served: list[int]) -> None:
    connection = http.client.HTTPConnection("127.0.0.1", port, timeout=10)
    while not stop.is_set():
        connection.request("GET", "/", headers={"Accept-Encoding": "gzip"})
        connection.getresponse().read()
        served.append(1)
    connection.close()


def time_intake(port: int, count: int) -> list[float]:
    """Signed deliveries about a repository no source reads: verified, parsed, answered."""
    connection = http.client.HTTPConnection("127.0.0.1", port, timeout=10)
    taken = []
    for n in range(count):
        body = json.dumps(
            {"action": "edited", "issue": {"number": n + 1}, "repository": {"full_name": "x/y"}}
        ).encode()
        headers = {
            "X-GitHub-Event": "issues",
            "X-GitHub-Delivery": str(uuid.uuid4()),
            "X-Hub-Signature-256": "sha256="
            + hmac.new(SECRET.encode(), body, hashlib.sha256).hexdigest(),
        }
        started = time.perf_counter()
        connection.request("POST", "/webhooks/github", body=body, headers=headers)
        connection.getresponse().read()
        taken.append(time.perf_counter() - started)
    connection.close()
    return sorted(taken)


def _pct(sorted_values: list[float], share: float) -> float:
    return sorted_values[min(len(sorted_values) - 1, int(len(sorted_values) * share))] * 1000


def _render_line(workdir: Path) -> str:
    for line in (workdir / "service.log").read_text(encoding="utf-8").splitlines():
        if '"dashboard.rendered"' in line:
            entry = json.loads(line)
            return (
                f"{entry['bytes'] / 1e6:.1f} MB page, {entry['gzipped'] / 1e6:.2f} MB gzipped,"
                f" rendered in {entry['ms']:.0f} ms"
            )
    return "no rendering logged"


def main() -> None:
    workdir = Path(tempfile.mkdtemp(prefix="goldthread-bench-dashboard-"))
    started = time.perf_counter()
    build_store(workdir / "goldthread.db")
    print(f"store of {ITEMS:,} items built in {time.perf_counter() - started:.1f} s")
    port, admin = free_port(), free_port()
    process = start(workdir, port, admin)
    try:
        wait(lambda: get(admin, "/")[0] == 200, 120, "the first rendering of the dashboard")
        print(f"dashboard: {_render_line(workdir)} (once per evaluation, not per request)")
        time_gets(admin, 50)  # warm up
        cpu_before = cpu_seconds(process.pid)
        taken = time_gets(admin, REQUESTS)
        cpu = (cpu_seconds(process.pid) - cpu_before) / REQUESTS * 1000
        print(
            f"GET / at {ITEMS:,} items: p50 {_pct(taken, 0.5):.2f} ms, p99 {_pct(taken, 0.99):.2f}"
            f" ms wall, {cpu:.2f} ms service CPU per request over {REQUESTS:,}"
            f"  (target <= {TARGET_MS:.0f} ms)"
        )
        quiet = time_intake(port, DELIVERIES)
        stop, served = threading.Event(), []
        readers = [
            threading.Thread(target=_read_forever, args=(admin, stop, served))
            for _ in range(READERS)
        ]
        for reader in readers:
            reader.start()
        busy = time_intake(port, DELIVERIES)
        stop.set()
        for reader in readers:
            reader.join()
        print(
            f"webhook intake p50/p99: {_pct(quiet, 0.5):.1f}/{_pct(quiet, 0.99):.1f} ms alone,"
            f" {_pct(busy, 0.5):.1f}/{_pct(busy, 0.99):.1f} ms while {READERS} clients fetched"
            f" the dashboard {len(served):,} times"
        )
    finally:
        process.send_signal(signal.SIGTERM)
        process.wait(timeout=60)


if __name__ == "__main__":
    main()
