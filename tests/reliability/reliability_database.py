"""Tools of the database-outage case: replicas of ``goldthread run`` on a
PostgreSQL cluster of the test's own, a stream of signed webhooks spread
over them, and a watch on every replica's ``/readyz``, each answer kept
with when it was asked and how long it took."""

from __future__ import annotations

import itertools
import os
import random
import subprocess
import sys
import threading
import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from pathlib import Path

import httpx
from reliability_service import HOOK_SECRET, HOOK_SECRET_ENV, free_port, issue_edited, set_exempt

from goldthread.sandbox.control import Sandbox

LOOPS = ("worker", "poller", "keeper")


@dataclass(frozen=True, slots=True)
class Answer:
    """One request as it was answered (``status`` 0: no answer at all)."""

    replica: int
    sent_at: float
    seconds: float
    status: int
    retry_after: str | None = None
    delivery: str = ""


class Replica:
    """One ``goldthread run`` on the shared store, with its own port and log."""

    def __init__(self, sandbox: Sandbox, directory: Path, store_url: str, slot: int) -> None:
        self.slot = slot
        self.directory = directory
        directory.mkdir(parents=True)
        self.port = free_port()
        self.base = f"http://127.0.0.1:{self.port}"
        self.admin_port = free_port()
        self.config = directory / "goldthread.toml"
        self.config.write_text(
            sandbox.config_toml(store_url, github_webhook_secret_env=HOOK_SECRET_ENV),
            encoding="utf-8",
        )
        self.env = {
            **sandbox.env(),
            HOOK_SECRET_ENV: HOOK_SECRET,
            "GOLDTHREAD_SERVER__PORT": str(self.port),
            "GOLDTHREAD_SERVER__ADMIN_PORT": str(self.admin_port),
            "GOLDTHREAD_DAEMON__POLL_INTERVAL": "2s",
            "GOLDTHREAD_DAEMON__LEASE_TTL": "3s",
            "GOLDTHREAD_WRITEBACK__WRITES_PER_MINUTE": "1200",
            "GOLDTHREAD_LOG_LEVEL": "info",
            "GOLDTHREAD_LOG_FORMAT": "json",
        }
        self.process: subprocess.Popen[bytes] | None = None
        self.client = httpx.Client(base_url=self.base, timeout=10)
        self.admin = httpx.Client(base_url=f"http://127.0.0.1:{self.admin_port}", timeout=10)

    def start(self) -> None:
        with (self.directory / "service.log").open("ab") as log:
            self.process = subprocess.Popen(
                [sys.executable, "-m", "goldthread", "--config", str(self.config), "run", "--yes"],
                cwd=self.directory,
                env={**os.environ, **self.env},
                stdout=log,
                stderr=log,
            )

    def alive(self) -> bool:
        return self.process is not None and self.process.poll() is None

    def ready(self) -> bool:
        try:
            return self.client.get("/readyz").status_code == 200
        except httpx.TransportError:
            return False

    def metrics(self) -> str:
        return self.admin.get("/metrics").text

    def log(self) -> str:
        return (self.directory / "service.log").read_text(encoding="utf-8", errors="replace")

    def close(self) -> None:
        if self.alive():
            assert self.process is not None
            self.process.kill()
            self.process.wait(timeout=10)
        self.client.close()
        self.admin.close()


class Load:
    """Signed GitHub webhooks about the load's issues, round-robin over the
    replicas from ``senders`` threads at once, each at most fifty a second;
    one in seven first makes a real change (the exempt label toggled), so
    goldthread keeps writing throughout."""

    def __init__(
        self,
        sandbox: Sandbox,
        replicas: Sequence[Replica],
        issues: Sequence[tuple[str, int]],
        rng: random.Random,
        senders: int = 2,
    ) -> None:
        self.sandbox = sandbox
        self.replicas = replicas
        self.issues = list(issues)
        self.answers: list[Answer] = []
        self._lock = threading.Lock()
        self._stop = threading.Event()
        self._turn = itertools.count()
        self._threads = [
            threading.Thread(
                target=self._send_forever, args=(random.Random(rng.random()),), daemon=True
            )
            for _ in range(senders)
        ]
        self._client = httpx.Client(timeout=15)

    def start(self) -> None:
        for thread in self._threads:
            thread.start()

    def stop(self) -> None:
        """Stop sending, and take every exemption the load added off again."""
        self._stop.set()
        for thread in self._threads:
            thread.join(20)
        self._client.close()
        for repo, number in self.issues:
            self._set_exempt(repo, number, exempt=False)

    def accepted(self) -> list[str]:
        with self._lock:
            return [answer.delivery for answer in self.answers if answer.status == 202]

    def between(self, start: float, end: float) -> list[Answer]:
        """Answers to the deliveries sent from ``start`` to ``end``."""
        with self._lock:
            return [answer for answer in self.answers if start <= answer.sent_at < end]

    def _send_forever(self, rng: random.Random) -> None:
        while not self._stop.wait(0.02):
            repo, number = rng.choice(self.issues)
            if rng.random() < 0.15:
                self._set_exempt(repo, number, exempt=None)
            self._send(repo, number, next(self._turn))

    def _set_exempt(self, repo: str, number: int, *, exempt: bool | None) -> None:
        set_exempt(self.sandbox, repo, number, exempt=exempt)

    def _send(self, repo: str, number: int, turn: int) -> None:
        replica = self.replicas[turn % len(self.replicas)]
        delivery = f"outage-{turn}"
        body, headers = issue_edited(self.sandbox, repo, number, delivery)
        sent = time.monotonic()
        try:
            answer = self._client.post(
                f"{replica.base}/webhooks/github", content=body, headers=headers
            )
            status, retry_after = answer.status_code, answer.headers.get("retry-after")
        except httpx.TransportError:
            status, retry_after = 0, None
        seconds = time.monotonic() - sent
        with self._lock:
            self.answers.append(Answer(replica.slot, sent, seconds, status, retry_after, delivery))


class ReadinessWatch:
    """Asks every replica's ``/readyz`` ten times a second, keeping each answer."""

    def __init__(self, replicas: Sequence[Replica]) -> None:
        self.replicas = replicas
        self.answers: list[Answer] = []
        self._lock = threading.Lock()
        self._stop = threading.Event()
        self._threads = [
            threading.Thread(target=self._watch, args=(replica,), daemon=True)
            for replica in replicas
        ]

    def __enter__(self) -> ReadinessWatch:
        for thread in self._threads:
            thread.start()
        return self

    def __exit__(self, *exc: object) -> None:
        self._stop.set()
        for thread in self._threads:
            thread.join(20)

    def _watch(self, replica: Replica) -> None:
        with httpx.Client(base_url=replica.base, timeout=15) as client:
            while not self._stop.wait(0.1):
                sent = time.monotonic()
                try:
                    status = client.get("/readyz").status_code
                except httpx.TransportError:
                    status = 0
                with self._lock:
                    self.answers.append(Answer(replica.slot, sent, time.monotonic() - sent, status))

    def first(self, slot: int, after: float, wanted: Callable[[int], bool]) -> float | None:
        """When replica ``slot`` first answered as ``wanted`` after ``after``
        (``None``: it did not)."""
        with self._lock:
            found = [
                answer.sent_at + answer.seconds
                for answer in self.answers
                if answer.replica == slot
                and answer.sent_at + answer.seconds >= after
                and wanted(answer.status)
            ]
        return min(found, default=None)

    def between(self, start: float, end: float) -> list[Answer]:
        """Answers to the questions asked from ``start`` to ``end``."""
        with self._lock:
            return [answer for answer in self.answers if start <= answer.sent_at < end]

    def all_ready_since(self, moment: float) -> bool:
        """Whether every replica has answered 200 since ``moment``."""
        return all(
            self.first(replica.slot, moment, lambda status: status == 200) is not None
            for replica in self.replicas
        )
