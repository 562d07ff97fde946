"""Unauthenticated uploads against the webhook listener: what they cost in memory.

Starts ``goldthread run --no-poll`` with a GitHub webhook secret, as users
deploy it, and sends 20 concurrent 23 MiB uploads that carry no valid
signature, three ways, while sampling the service's resident memory every
10 ms:

* declared: ``Content-Length: 23 MiB``, sent as fast as loopback allows;
* chunked: no length given, sent as fast as loopback allows;
* trickled: chunked, 16 KiB every 100 ms, so each outlasts the read deadline.

Target: the peak stays near ``max_concurrent_deliveries x max_body_bytes``
(16 MiB with the defaults; plus the buffers of the connections) above the
idle service, whatever the uploads claim and however many there are.
"""

from __future__ import annotations

import os
import signal
import socket
import subprocess
import sys
import tempfile
import threading
import time
from collections.abc import Callable
from pathlib import Path

from benchmarks._load import SECRET, SECRET_ENV, free_port, get, wait
from goldthread.config import ServerSettings

UPLOADS = 20
SIZE = 23 * 1024 * 1024
CHUNK = 64 * 1024


def rss_mb(pid: int) -> float:
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        if line.startswith("VmRSS:"):
            return int(line.split()[1]) / 1024
    return 0.0


def start(workdir: Path, port: int, admin: int) -> subprocess.Popen[bytes]:
    config = workdir / "goldthread.toml"
    config.write_text(
        f'[store]\nurl = "sqlite:///{workdir / "goldthread.db"}"\n\n'
        f'[server]\nhost = "127.0.0.1"\nport = {port}\nadmin_port = {admin}\n'
        f'github_webhook_secret_env = "{SECRET_ENV}"\n',
        encoding="utf-8",
    )
    env = {**os.environ, SECRET_ENV: SECRET, "GOLDTHREAD_LOG_LEVEL": "warning"}
    log = (workdir / "service.log").open("ab")
    command = [sys.executable, "-m", "goldthread", "--config", str(config), "run", "--no-poll"]
    process = subprocess.Popen(command, cwd=workdir, env=env, stdout=log, stderr=log)
    log.close()
    return process


def _head(port: int, length: str) -> bytes:
    framing = f"Content-Length: {length}" if length else "Transfer-Encoding: chunked"
    return (
        f"POST /webhooks/github HTTP/1.1\r\nHost: 127.0.0.1:{port}\r\nX-GitHub-Event: issues\r\n"
        f"X-Hub-Signature-256: sha256={'0' * 64}\r\n{framing}\r\n\r\n"
    ).encode()


def upload(port: int, *, declared: bool, pause: float, answers: list[str]) -> None:
    """One upload of ``SIZE`` bytes; records the status line it got (or how it ended)."""
    sock = socket.create_connection(("127.0.0.1", port), timeout=30)
    size = CHUNK // 4 if pause else CHUNK
    data = b"x" * size
    piece = data if declared else b"%x\r\n" % size + data + b"\r\n"
    try:
        sock.sendall(_head(port, str(SIZE) if declared else ""))
        for _ in range(SIZE // size):
            sock.sendall(piece)
            if pause:
                time.sleep(pause)
        if not declared:
            sock.sendall(b"0\r\n\r\n")
    except OSError:
        pass  # the service stopped reading and closed the connection: that is the point
    try:
        answers.append(sock.recv(200).split(b"\r\n", 1)[0].decode() or "closed")
    except OSError:
        answers.append("closed")
    finally:
        sock.close()


def sample_peak(pid: int, until: Callable[[], bool]) -> float:
    peak = rss_mb(pid)
    while not until():
        peak = max(peak, rss_mb(pid))
        time.sleep(0.01)
    return max(peak, rss_mb(pid))


def attack(pid: int, port: int, *, declared: bool, pause: float) -> tuple[float, float, str]:
    """(idle RSS, peak RSS, answers) for ``UPLOADS`` concurrent uploads."""
    idle = rss_mb(pid)
    answers: list[str] = []
    threads = [
        threading.Thread(
            target=upload,
            args=(port,),
            kwargs={"declared": declared, "pause": pause, "answers": answers},
        )
        for _ in range(UPLOADS)
    ]
    started = time.monotonic()
    for thread in threads:
        thread.start()
    peak = sample_peak(pid, lambda: not any(t.is_alive() for t in threads))
    for thread in threads:
        thread.join()
    seconds = time.monotonic() - started
    kinds = sorted({a.removeprefix("HTTP/1.1 ") for a in answers})
    return idle, peak, f"{', '.join(kinds)} in {seconds:.1f} s"


def main() -> None:
    defaults = ServerSettings()
    bound = defaults.max_concurrent_deliveries * defaults.max_body_bytes / 2**20
    workdir = Path(tempfile.mkdtemp(prefix="goldthread-bench-intake-"))
    port, admin = free_port(), free_port()
    process = start(workdir, port, admin)
    try:
        wait(lambda: get(port, "/healthz")[0] == 200, 60, "the service to answer")
        for name, declared, pause in (
            ("declared", True, 0.0),
            ("chunked", False, 0.0),
            ("trickled", False, 0.1),
        ):
            idle, peak, answers = attack(process.pid, port, declared=declared, pause=pause)
            print(
                f"{UPLOADS} concurrent {SIZE // 2**20} MiB uploads, {name}: RSS {idle:.0f} MB idle,"
                f" {peak:.0f} MB peak (+{peak - idle:.0f} MB; bodies bounded by {bound:.0f} MiB);"
                f" answers: {answers}"
            )
    finally:
        process.send_signal(signal.SIGTERM)
        process.wait(timeout=60)


if __name__ == "__main__":
    main()
