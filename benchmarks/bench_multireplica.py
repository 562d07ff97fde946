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

import json
import os
import signal
import subprocess
import sys
import tempfile
import threading
import time
from pathlib import Path

from benchmarks.bench_service import (
    SECRET,
    SECRET_ENV,
    _exists,
    _free_port,
    _get,
    _post_loop,
    _wait,
)
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
    config = workdir / "goldthread.toml"
    config.write_text(
        sandbox.config_toml(
            f"sqlite:///{workdir / 'unused.db'}", github_webhook_secret_env=SECRET_ENV
        )
    )
    env = {
        **os.environ,
        **sandbox.env(),
        SECRET_ENV: SECRET,
        "GOLDTHREAD_STORE__URL": url,
        "GOLDTHREAD_SERVER__PORT": str(port),
        "GOLDTHREAD_DAEMON__POLL_INTERVAL": "1h",
        "GOLDTHREAD_LOG_LEVEL": "warning",
        "GOLDTHREAD_LOG_FORMAT": "json",
    }
    log = (workdir / "service.log").open("ab")
    command = [sys.executable, "-m", "goldthread", "--config", str(config), "run", "--yes"]
    process = subprocess.Popen(command, cwd=workdir, env=env, stdout=log, stderr=log)
    log.close()
    return process


def _bodies(sandbox: Sandbox) -> list[bytes]:
    numbers = [seed.number for seed in sandbox.org.github[:50]] if sandbox.org else [1]
    return [
        json.dumps(
            {
                "action": "edited",
                "issue": sandbox.github.issue("acme/web", number),
                "repository": {"full_name": "acme/web"},
            }
        ).encode()
        for number in numbers
        if _exists(sandbox, number)
    ]


def measure(ports: list[int], bodies: list[bytes]) -> tuple[float, float, float, int]:
    """(accepted per second, p50 ms, p99 ms, accepted), connections round-robin over ``ports``."""
    per_thread: list[list[float]] = [[] for _ in range(CONNECTIONS)]
    started = time.perf_counter()
    stop = started + DURATION
    threads = [
        threading.Thread(
            target=_post_loop, args=(ports[i % len(ports)], bodies, stop, per_thread[i])
        )
        for i in range(CONNECTIONS)
    ]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    elapsed = time.perf_counter() - started
    latencies = sorted(x for chunk in per_thread for x in chunk)
    if not latencies:
        raise SystemExit("no delivery was accepted")
    p50 = latencies[len(latencies) // 2] * 1000
    p99 = latencies[min(len(latencies) - 1, int(len(latencies) * 0.99))] * 1000
    return len(latencies) / elapsed, p50, p99, len(latencies)


def run(sandbox: Sandbox, workdir: Path, replicas: int) -> tuple[float, float, float, int]:
    """Intake of ``replicas`` replicas on a fresh database."""
    url = scratch.create_database(PG_SERVER, prefix="goldthread_bench_multi")
    processes: list[subprocess.Popen[bytes]] = []
    try:
        open_store(url).close()
        ports = [_free_port() for _ in range(replicas)]
        processes = [
            _start(sandbox, workdir / f"{replicas}x-{i}", url, port) for i, port in enumerate(ports)
        ]
        for port in ports:
            _wait(lambda p=port: _get(p, "/readyz")[0] == 200, 60, "a replica to be ready")
        return measure(ports, _bodies(sandbox))
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
