"""Driving ``goldthread run`` with signed GitHub deliveries, shared by the
service benchmarks: start a replica as users deploy it, post deliveries over
keep-alive connections, and time every one the service accepts."""

from __future__ import annotations

import hashlib
import hmac
import http.client
import json
import os
import socket
import subprocess
import sys
import threading
import time
import uuid
from collections.abc import Callable
from pathlib import Path

from goldthread.sandbox.control import Sandbox

SECRET = "bench-webhook-secret"
SECRET_ENV = "GT_BENCH_GITHUB_HOOK"


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def wait(check: Callable[..., object], timeout: float, what: str) -> None:
    deadline = time.monotonic() + timeout
    while not check():
        if time.monotonic() > deadline:
            raise SystemExit(f"timed out waiting for {what}")
        time.sleep(0.02)


def get(port: int, path: str) -> tuple[int, str]:
    connection = http.client.HTTPConnection("127.0.0.1", port, timeout=5)
    try:
        connection.request("GET", path)
        answer = connection.getresponse()
        return answer.status, answer.read().decode()
    except OSError:
        return 0, ""
    finally:
        connection.close()


def start_service(
    sandbox: Sandbox, workdir: Path, store_url: str, env: dict[str, str]
) -> subprocess.Popen[bytes]:
    """``goldthread run`` on the sandbox in ``workdir``, its store at
    ``store_url``, polling hourly (deliveries drive it), ``env`` on top."""
    config = workdir / "goldthread.toml"
    config.write_text(sandbox.config_toml(store_url, github_webhook_secret_env=SECRET_ENV))
    full_env = {
        **os.environ,
        **sandbox.env(),
        SECRET_ENV: SECRET,
        "GOLDTHREAD_DAEMON__POLL_INTERVAL": "1h",
        "GOLDTHREAD_LOG_LEVEL": "warning",
        "GOLDTHREAD_LOG_FORMAT": "json",
        "GOLDTHREAD_SERVER__ADMIN_PORT": str(free_port()),
        **env,
    }
    log = (workdir / "service.log").open("ab")
    command = [sys.executable, "-m", "goldthread", "--config", str(config), "run", "--yes"]
    process = subprocess.Popen(command, cwd=workdir, env=full_env, stdout=log, stderr=log)
    log.close()
    return process


def _exists(sandbox: Sandbox, number: int) -> bool:
    try:
        sandbox.github.issue("acme/web", number)
    except Exception:  # noqa: BLE001 - a number the organisation does not use
        return False
    return True


def bodies(sandbox: Sandbox) -> list[bytes]:
    """``issues.edited`` payloads of the organisation's first GitHub issues."""
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


def _post_loop(port: int, payloads: list[bytes], stop: float, latencies: list[float]) -> None:
    connection = http.client.HTTPConnection("127.0.0.1", port, timeout=10)
    index = 0
    while time.perf_counter() < stop:
        delivery = str(uuid.uuid4())
        # Each event is news: GitHub's body changes with every event (the
        # issue's updated_at), and the service does not queue a replayed body.
        body = payloads[index % len(payloads)][:-1] + f', "sequence": "{delivery}"}}'.encode()
        index += 1
        headers = {
            "Content-Type": "application/json",
            "X-GitHub-Event": "issues",
            "X-GitHub-Delivery": delivery,
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


def measure(
    ports: list[int], payloads: list[bytes], connections: int, duration: float
) -> tuple[float, float, float, int]:
    """(accepted per second, p50 ms, p99 ms, accepted) over ``duration`` seconds,
    ``connections`` keep-alive connections round-robin over ``ports``."""
    per_thread: list[list[float]] = [[] for _ in range(connections)]
    started = time.perf_counter()
    stop = started + duration
    threads = [
        threading.Thread(
            target=_post_loop, args=(ports[i % len(ports)], payloads, stop, per_thread[i])
        )
        for i in range(connections)
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
