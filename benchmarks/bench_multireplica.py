"""Webhook intake of three replicas on one PostgreSQL store versus one.

Starts the sandbox with a seeded organisation, then, each on a fresh
PostgreSQL database (``$GOLDTHREAD_TEST_POSTGRES``, default the local
server): one ``goldthread run`` replica, and three, each listening on its own
port. Keep-alive connections spread round-robin over the replicas post signed
GitHub ``issues.edited`` deliveries for a few seconds; every 202 is a delivery
stored durably in the shared inbox. Reports accepted deliveries per second
and p50/p99 latency for both, and the ratio. Then, again with one replica and
with three on fresh databases: a burst of 1,000 deliveries about the
organisation's GitHub issues, and the time until the replicas have worked
the shared inbox empty (re-read, judged, written back).

The replicas also work the inbox while it fills, so on a small machine they
compete for the same cores: the ratio says how far intake scales there.
"""

from __future__ import annotations

import hashlib
import hmac
import http.client
import json
import os
import signal
import subprocess
import tempfile
import time
import uuid
from pathlib import Path
from typing import Any

from benchmarks._load import SECRET, bodies, free_port, get, measure, start_service, wait
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
BURST = 1_000


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


def _burst(ports: list[int], payloads: list[bytes], count: int) -> None:
    """Post ``count`` signed ``issues.edited`` deliveries, round-robin over ``ports``."""
    connections = {
        port: http.client.HTTPConnection("127.0.0.1", port, timeout=30) for port in ports
    }
    for index in range(count):
        delivery = str(uuid.uuid4())
        body = payloads[index % len(payloads)][:-1] + f', "sequence": "{delivery}"}}'.encode()
        headers = {
            "Content-Type": "application/json",
            "X-GitHub-Event": "issues",
            "X-GitHub-Delivery": delivery,
            "X-Hub-Signature-256": "sha256="
            + hmac.new(SECRET.encode(), body, hashlib.sha256).hexdigest(),
        }
        connection = connections[ports[index % len(ports)]]
        connection.request("POST", "/webhooks/github", body=body, headers=headers)
        answer = connection.getresponse()
        answer.read()
    for connection in connections.values():
        connection.close()


def drain(sandbox: Sandbox, workdir: Path, replicas: int) -> float:
    """Seconds from the first of BURST deliveries until ``replicas`` replicas
    have worked them all (the shared inbox is empty)."""
    url = scratch.create_database(PG_SERVER, prefix="goldthread_bench_drain")
    processes: list[subprocess.Popen[bytes]] = []
    try:
        open_store(url).close()
        ports = [free_port() for _ in range(replicas)]
        processes = [
            _start(sandbox, workdir / f"drain-{replicas}x-{i}", url, port)
            for i, port in enumerate(ports)
        ]
        for port in ports:
            wait(lambda p=port: get(p, "/readyz")[0] == 200, 120, "a replica to be ready")
        with open_store(url) as store:
            wait(lambda: all(store.cursors(s.name) for s in _sources(sandbox)), 300, "polls")
            payloads = every_issue(sandbox)
            started = time.perf_counter()
            _burst(ports, payloads, BURST)
            wait(lambda: store.inbox_depth() == 0, 1800, "the inbox to drain")
            return time.perf_counter() - started
    finally:
        for process in processes:
            process.send_signal(signal.SIGTERM)
        for process in processes:
            process.wait(timeout=60)
        scratch.drop_database(url)


def _sources(sandbox: Sandbox) -> list[Any]:
    from goldthread.config import load_settings

    path = Path(tempfile.mkdtemp()) / "goldthread.toml"
    path.write_text(sandbox.config_toml("sqlite:///unused.db"))
    return list(load_settings(path).sources)


def every_issue(sandbox: Sandbox) -> list[bytes]:
    """``issues.edited`` payloads of every GitHub issue of acme/web."""
    numbers = [seed.number for seed in sandbox.org.github if seed.repo == "acme/web"]
    return [
        json.dumps(
            {
                "action": "edited",
                "issue": sandbox.github.issue("acme/web", number),
                "repository": {"full_name": "acme/web"},
            }
        ).encode()
        for number in numbers
    ]


def main() -> None:
    workdir = Path(tempfile.mkdtemp(prefix="goldthread-bench-multireplica-"))
    with Sandbox() as sandbox:
        sandbox.load(generate(200, seed=7))
        results = {count: run(sandbox, workdir, count) for count in (1, REPLICAS)}
        drained = {count: drain(sandbox, workdir, count) for count in (1, REPLICAS)}
    for count, (rate, p50, p99, accepted) in results.items():
        print(
            f"webhook intake, {count} replica{'s' if count > 1 else ''} on PostgreSQL:"
            f" {rate:,.0f} accepted deliveries/s ({accepted} in {DURATION:.0f} s,"
            f" {CONNECTIONS} connections round-robin), p50 {p50:.1f} ms, p99 {p99:.1f} ms"
        )
    ratio = results[REPLICAS][0] / results[1][0]
    print(f"{REPLICAS} replicas accept {ratio:.2f}x the deliveries of one ({os.cpu_count()} cores)")
    for count, seconds in drained.items():
        print(
            f"draining a burst of {BURST:,} deliveries, {count} replica{'s' if count > 1 else ''}:"
            f" {seconds:.1f} s ({BURST / seconds:.0f} deliveries/s)"
        )
    speedup = drained[1] / drained[REPLICAS]
    print(f"{REPLICAS} replicas drain {speedup:.2f}x as fast as one ({os.cpu_count()} cores)")


if __name__ == "__main__":
    main()
