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

import hashlib
import hmac
import http.client
import json
import os
import signal
import socket
import statistics
import subprocess
import sys
import tempfile
import threading
import time
import uuid
from datetime import UTC, datetime
from pathlib import Path

from goldthread.sandbox.control import Sandbox
from goldthread.sandbox.org import generate
from goldthread.sandbox.seeds import GitHubIssueSeed

SECRET = "bench-webhook-secret"
SECRET_ENV = "GT_BENCH_GITHUB_HOOK"
LABEL = "goldthread:untraced"
CONNECTIONS = 4
DURATION = 4.0
ORPHANS = 20
TARGET_RATE, TARGET_P99_MS, TARGET_P50_WRITEBACK = 500.0, 50.0, 1.0


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def _wait(check: object, timeout: float, what: str) -> None:
    deadline = time.monotonic() + timeout
    while not check():  # type: ignore[operator]
        if time.monotonic() > deadline:
            raise SystemExit(f"timed out waiting for {what}")
        time.sleep(0.02)


def _get(port: int, path: str) -> tuple[int, str]:
    connection = http.client.HTTPConnection("127.0.0.1", port, timeout=5)
    try:
        connection.request("GET", path)
        answer = connection.getresponse()
        return answer.status, answer.read().decode()
    except OSError:
        return 0, ""
    finally:
        connection.close()


def _gauge(text: str, name: str) -> float:
    for line in text.splitlines():
        if line.startswith(name + " "):
            return float(line.split()[1])
    return -1.0


def _start(sandbox: Sandbox, workdir: Path, port: int) -> subprocess.Popen[bytes]:
    config = workdir / "goldthread.toml"
    config.write_text(
        sandbox.config_toml(
            f"sqlite:///{workdir / 'goldthread.db'}", github_webhook_secret_env=SECRET_ENV
        )
    )
    env = {
        **os.environ,
        **sandbox.env(),
        SECRET_ENV: SECRET,
        "GOLDTHREAD_SERVER__PORT": str(port),
        "GOLDTHREAD_DAEMON__POLL_INTERVAL": "1h",
        "GOLDTHREAD_LOG_LEVEL": "warning",
        "GOLDTHREAD_LOG_FORMAT": "json",
    }
    log = (workdir / "service.log").open("ab")
    command = [sys.executable, "-m", "goldthread", "--config", str(config), "run", "--yes"]
    process = subprocess.Popen(command, cwd=workdir, env=env, stdout=log, stderr=log)
    log.close()
    _wait(lambda: _get(port, "/readyz")[0] == 200, 30, "the service to be ready")
    _wait(lambda: "goldthread_polls_total" in _get(port, "/metrics")[1], 60, "the first polls")
    return process


def _post_loop(port: int, bodies: list[bytes], stop: float, latencies: list[float]) -> None:
    connection = http.client.HTTPConnection("127.0.0.1", port, timeout=10)
    index = 0
    while time.perf_counter() < stop:
        body = bodies[index % len(bodies)]
        index += 1
        headers = {
            "Content-Type": "application/json",
            "X-GitHub-Event": "issues",
            "X-GitHub-Delivery": str(uuid.uuid4()),
            "X-Hub-Signature-256": "sha256="
            + hmac.new(SECRET.encode(), body, hashlib.sha256).hexdigest(),
        }
        started = time.perf_counter()
        connection.request("POST", "/webhooks/github", body=body, headers=headers)
        answer = connection.getresponse()
        answer.read()
        if answer.status == 202:
            latencies.append(time.perf_counter() - started)
    connection.close()


def measure_intake(sandbox: Sandbox, port: int) -> tuple[float, float, float, int]:
    """(accepted per second, p50 ms, p99 ms, accepted) over DURATION seconds."""
    numbers = [seed.number for seed in sandbox.org.github[:50]] if sandbox.org else [1]
    bodies = [
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
    per_thread: list[list[float]] = [[] for _ in range(CONNECTIONS)]
    started = time.perf_counter()
    stop = started + DURATION
    threads = [
        threading.Thread(target=_post_loop, args=(port, bodies, stop, per_thread[i]))
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


def _exists(sandbox: Sandbox, number: int) -> bool:
    try:
        sandbox.github.issue("acme/web", number)
    except Exception:  # noqa: BLE001 - a number the organisation does not use
        return False
    return True


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
        _wait(lambda n=number: LABEL in sandbox.github.labels("acme/web", n), 30, "a label")
        labelled.append(time.perf_counter() - started)
        _wait(lambda n=number: sandbox.github.comments("acme/web", n), 30, "a comment")
        complete.append(time.perf_counter() - started)
    return labelled, complete


def main() -> None:
    workdir = Path(tempfile.mkdtemp(prefix="goldthread-bench-service-"))
    port = _free_port()
    with Sandbox() as sandbox:
        sandbox.load(generate(500, seed=7))
        process = _start(sandbox, workdir, port)
        try:
            rate, p50, p99, accepted = measure_intake(sandbox, port)
            print(
                f"webhook intake: {rate:,.0f} accepted deliveries/s ({accepted} in {DURATION:.0f} s,"
                f" {CONNECTIONS} connections), p50 {p50:.1f} ms, p99 {p99:.1f} ms"
                f"  (targets >= {TARGET_RATE:.0f}/s, p99 <= {TARGET_P99_MS:.0f} ms)"
            )
            _wait(
                lambda: _gauge(_get(port, "/metrics")[1], "goldthread_inbox_depth") == 0,
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
