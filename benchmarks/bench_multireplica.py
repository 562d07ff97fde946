"""Webhook intake of three replicas on one PostgreSQL store versus one.

Starts the sandbox with a seeded organisation, then, each on a fresh
PostgreSQL database (``$GOLDTHREAD_TEST_POSTGRES``, default the local
server): one ``goldthread run`` replica, and three, each listening on its own
port. Keep-alive connections spread round-robin over the replicas post signed
GitHub ``issues.edited`` deliveries for a few seconds; every 202 is a delivery
stored durably in the shared inbox. Reports accepted deliveries per second
and p50/p99 latency for both, and the ratio.

The replicas also work the inbox while it fills, so on a small machine they
compete for the same cores: the ratio says how far intake scales there.
"""

from __future__ import annotations

import os
import signal
import subprocess
import tempfile
from pathlib import Path

from benchmarks._load import bodies, free_port, get, measure, start_service, wait
from goldthread.sandbox.control import Sandbox
from goldthread.sandbox.org import generate
from goldthread.store import open_store
from goldthread.store.postgres import scratch

PG_SERVER = os.environ.get(
    "GOLDTHREAD_TEST_POSTGRES", "postgresql://postgres@127.0.0.1:5432/postgres"
)
CONNECTIONS = 6
DURATION = 4.0
REPLICAS = 3


def _start(sandbox: Sandbox, workdir: Path, url: str, port: int) -> subprocess.Popen[bytes]:
    """One replica on the store at ``url``, serving on ``port``."""
    workdir.mkdir(parents=True)
    env = {"GOLDTHREAD_STORE__URL": url, "GOLDTHREAD_SERVER__PORT": str(port)}
    return start_service(sandbox, workdir, f"sqlite:///{workdir / 'unused.db'}", env)


def run(sandbox: Sandbox, workdir: Path, replicas: int) -> tuple[float, float, float, int]:
    """Intake of ``replicas`` replicas on a fresh database."""
    url = scratch.create_database(PG_SERVER, prefix="goldthread_bench_multi")
    processes: list[subprocess.Popen[bytes]] = []
    try:
        open_store(url).close()
        ports = [free_port() for _ in range(replicas)]
        processes = [
            _start(sandbox, workdir / f"{replicas}x-{i}", url, port) for i, port in enumerate(ports)
        ]
        for port in ports:
            wait(lambda p=port: get(p, "/readyz")[0] == 200, 60, "a replica to be ready")
        return measure(ports, bodies(sandbox), CONNECTIONS, DURATION)
    finally:
        for process in processes:
            process.send_signal(signal.SIGTERM)
        for process in processes:
            process.wait(timeout=60)
        scratch.drop_database(url)


def main() -> None:
    workdir = Path(tempfile.mkdtemp(prefix="goldthread-bench-multireplica-"))
    with Sandbox() as sandbox:
        sandbox.load(generate(200, seed=7))
        results = {count: run(sandbox, workdir, count) for count in (1, REPLICAS)}
    for count, (rate, p50, p99, accepted) in results.items():
        print(
            f"webhook intake, {count} replica{'s' if count > 1 else ''} on PostgreSQL:"
            f" {rate:,.0f} accepted deliveries/s ({accepted} in {DURATION:.0f} s,"
            f" {CONNECTIONS} connections round-robin), p50 {p50:.1f} ms, p99 {p99:.1f} ms"
        )
    ratio = results[REPLICAS][0] / results[1][0]
    print(f"{REPLICAS} replicas accept {ratio:.2f}x the deliveries of one ({os.cpu_count()} cores)")


if __name__ == "__main__":
    main()
