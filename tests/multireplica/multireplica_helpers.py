"""Helpers for the multi-replica tests: several ``goldthread run`` processes
on one PostgreSQL store, and a round-robin balancer in front of them that
the sandbox sends its webhooks to (as a Kubernetes Service would)."""

from __future__ import annotations

import signal
import threading
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from itertools import count
from pathlib import Path

import httpx
from service_helpers import GITHUB_SECRET, JIRA_SECRET, ServiceProcess, free_port, metric

from goldthread.sandbox.control import Sandbox

HOP_HEADERS = {"host", "content-length", "connection", "accept-encoding", "transfer-encoding"}


@dataclass(frozen=True, slots=True)
class Forwarded:
    """One delivery as the balancer answered it."""

    path: str
    delivery: str
    status: int


class Balancer:
    """Spreads POSTs round-robin over the live replicas; a replica that cannot
    be reached (killed) is skipped and the next one tried."""

    def __init__(self, targets: Callable[[], list[str]]) -> None:
        self.answers: list[Forwarded] = []
        self._targets = targets
        self._turn = count()
        self._lock = threading.Lock()
        self._client = httpx.Client(timeout=10)
        balancer = self

        class Handler(BaseHTTPRequestHandler):
            def do_POST(self) -> None:
                body = self.rfile.read(int(self.headers.get("content-length") or 0))
                headers = {k: v for k, v in self.headers.items() if k.lower() not in HOP_HEADERS}
                status, text = balancer.forward(self.path, headers, body)
                self.send_response(status)
                self.send_header("content-length", str(len(text)))
                self.end_headers()
                self.wfile.write(text)

            def log_message(self, *_args: object) -> None:
                return

        self.server = ThreadingHTTPServer(("127.0.0.1", free_port()), Handler)
        self.base = f"http://127.0.0.1:{self.server.server_address[1]}"
        self._thread = threading.Thread(target=self.server.serve_forever, daemon=True)

    def forward(self, path: str, headers: dict[str, str], body: bytes) -> tuple[int, bytes]:
        targets = self._targets()
        first = next(self._turn)
        delivery = headers.get("X-GitHub-Delivery") or headers.get("X-Atlassian-Webhook-Identifier")
        for step in range(len(targets) * 2):
            base = targets[(first + step) % len(targets)]
            try:
                answer = self._client.post(f"{base}{path}", content=body, headers=headers)
            except httpx.TransportError:
                continue
            with self._lock:
                self.answers.append(Forwarded(path, delivery or "", answer.status_code))
            return answer.status_code, answer.content
        return 503, b"no replica answered"

    def accepted(self) -> int:
        with self._lock:
            return sum(1 for answer in self.answers if answer.status == 202)

    def __enter__(self) -> Balancer:
        self._thread.start()
        return self

    def __exit__(self, *exc: object) -> None:
        self.server.shutdown()
        self.server.server_close()
        self._client.close()


class Cluster:
    """``size`` replicas of ``goldthread run`` on the store at ``url``."""

    def __init__(
        self,
        sandbox: Sandbox,
        workdir: Path,
        url: str,
        *,
        size: int = 3,
        poll_interval: str = "2s",
        lease_ttl: str = "3s",
    ) -> None:
        self.sandbox = sandbox
        self.workdir = workdir
        self.url = url
        self.poll_interval = poll_interval
        self.lease_ttl = lease_ttl
        self.replicas: list[ServiceProcess] = [self._make(slot, 0) for slot in range(size)]
        self._generation = [0] * size
        self.retired: list[ServiceProcess] = []

    def _make(self, slot: int, generation: int) -> ServiceProcess:
        workdir = self.workdir / f"replica-{slot}-{generation}"
        workdir.mkdir(parents=True)
        replica = ServiceProcess(self.sandbox, workdir, poll_interval=self.poll_interval)
        replica.env["GOLDTHREAD_STORE__URL"] = self.url
        replica.env["GOLDTHREAD_DAEMON__LEASE_TTL"] = self.lease_ttl
        return replica

    def start(self) -> Cluster:
        with ThreadPoolExecutor(len(self.replicas)) as pool:
            for started in [pool.submit(replica.start) for replica in self.replicas]:
                started.result()
        return self

    def bases(self) -> list[str]:
        return [replica.base for replica in self.replicas]

    def kill(self, slot: int) -> ServiceProcess:
        """SIGKILL one replica (no chance to hand anything back)."""
        replica = self.replicas[slot]
        assert replica.process is not None
        replica.process.send_signal(signal.SIGKILL)
        replica.process.wait(timeout=10)
        return replica

    def restart(self, slot: int) -> ServiceProcess:
        """Kill the replica in ``slot`` and start a fresh one in its place."""
        self.retired.append(self.kill(slot))
        self._generation[slot] += 1
        fresh = self._make(slot, self._generation[slot])
        self.replicas[slot] = fresh
        return fresh.start()

    def holder_of(self, lease: str) -> int | None:
        """The slot of the live replica that holds ``lease``, if one does."""
        for slot, replica in enumerate(self.replicas):
            alive = replica.process is not None and replica.process.poll() is None
            if alive and metric(replica.metrics(), "goldthread_lease_held", lease=lease) == 1:
                return slot
        return None

    def polls(self, slot: int, source: str) -> float:
        text = self.replicas[slot].metrics()
        return metric(text, "goldthread_polls_total", source=source, kind="sync", outcome="ok")

    def hook(self, balancer: Balancer) -> None:
        self.sandbox.set_webhooks(
            github_url=f"{balancer.base}/webhooks/github",
            github_secret=GITHUB_SECRET,
            jira_url=f"{balancer.base}/webhooks/jira",
            jira_secret=JIRA_SECRET,
        )

    def stop(self) -> None:
        for replica in [*self.replicas, *self.retired]:
            replica.close()

    def logs(self) -> str:
        return "\n".join(
            f"--- {replica.workdir.name}\n{replica.log()[-4000:]}"
            for replica in [*self.retired, *self.replicas]
        )
