"""``goldthread run`` as a real process under webhook load, for the crash and
concurrency cases: start, kill -9, restart on the same store and port."""

from __future__ import annotations

import hashlib
import hmac
import json
import random
import socket
import subprocess
import threading
import time
from collections.abc import Callable

import httpx
from reliability_helpers import Workspace

from goldthread.sandbox.control import Sandbox
from goldthread.store import open_store
from goldthread.store.base import InboxStatus

HOOK_SECRET = "reliability-hook-secret-7f3a9c"
HOOK_SECRET_ENV = "GT_RELIABILITY_GITHUB_HOOK"
EXEMPT = "no-trace"


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


class ServiceUnderLoad:
    """One service (restartable) and a thread sending it signed GitHub webhooks."""

    def __init__(
        self, workspace: Workspace, rng: random.Random, *, poll_interval: str = "2s"
    ) -> None:
        self.workspace = workspace
        self.rng = rng
        self.port = free_port()
        self.base = f"http://127.0.0.1:{self.port}"
        self.admin_port = free_port()
        self.admin_base = f"http://127.0.0.1:{self.admin_port}"
        workspace.config.write_text(
            workspace.sandbox.config_toml(
                f"sqlite:///{workspace.store}", github_webhook_secret_env=HOOK_SECRET_ENV
            ),
            encoding="utf-8",
        )
        workspace.extra_env.update(
            {
                HOOK_SECRET_ENV: HOOK_SECRET,
                "GOLDTHREAD_SERVER__PORT": str(self.port),
                "GOLDTHREAD_SERVER__ADMIN_PORT": str(self.admin_port),
                "GOLDTHREAD_DAEMON__POLL_INTERVAL": poll_interval,
                "GOLDTHREAD_WRITEBACK__WRITES_PER_MINUTE": "1200",
                "GOLDTHREAD_LOG_LEVEL": "info",
                "GOLDTHREAD_LOG_FORMAT": "json",
            }
        )
        self.process: subprocess.Popen[bytes] | None = None
        self.accepted: list[str] = []
        self.sent = 0
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._send_forever, daemon=True)
        self._client = httpx.Client(base_url=self.base, timeout=5)
        self.issues = [
            (seed.repo, seed.number)
            for seed in (workspace.sandbox.org.github if workspace.sandbox.org else [])
        ]

    # ------------------------------------------------------------ the process

    def start(self) -> None:
        log = (self.workspace.directory / "service.log").open("ab")
        self.process = subprocess.Popen(
            [*self.workspace.command("run", "--yes")],
            cwd=self.workspace.directory,
            env=self.workspace.env(),
            stdout=log,
            stderr=log,
        )
        log.close()

    def alive(self) -> bool:
        return self.process is not None and self.process.poll() is None

    def kill(self) -> bool:
        """kill -9; whether the process was still running to be killed."""
        assert self.process is not None
        was_alive = self.process.poll() is None
        self.process.kill()
        self.process.wait(timeout=10)
        return was_alive

    def answers(self) -> bool:
        try:
            return self._client.get("/healthz").status_code == 200
        except httpx.TransportError:
            return False

    def first_polls_done(self) -> bool:
        """Whether every source finished a poll (the log says ``poll.finished``)."""
        polled = {
            entry.get("source")
            for entry in self.log_entries()
            if entry.get("event") == "poll.finished" and entry.get("outcome") == "ok"
        }
        return {"gh", "jira"} <= polled

    def log(self) -> str:
        return (self.workspace.directory / "service.log").read_text(
            encoding="utf-8", errors="replace"
        )

    def log_entries(self) -> list[dict[str, object]]:
        entries = []
        for line in self.log().splitlines():
            try:
                entry = json.loads(line)
            except ValueError:
                continue
            if isinstance(entry, dict):
                entries.append(entry)
        return entries

    # ------------------------------------------------------------ webhook load

    def start_load(self) -> None:
        self._thread.start()

    def stop_load(self) -> None:
        """Stop sending, and take every exemption the load added off again."""
        self._stop.set()
        self._thread.join(10)
        for repo, number in self.issues:
            self._set_exempt(repo, number, exempt=False)

    def _send_forever(self) -> None:
        while not self._stop.wait(0.02):
            repo, number = self.rng.choice(self.issues)
            if self.rng.random() < 0.15:
                # A real change: exempting an item takes goldthread's flag down,
                # un-exempting puts it back, so kills land between real writes.
                self._set_exempt(repo, number, exempt=None)
            self.send_one(repo, number)

    def _set_exempt(self, repo: str, number: int, *, exempt: bool | None) -> None:
        set_exempt(self.workspace.sandbox, repo, number, exempt=exempt)

    def send_one(self, repo: str, number: int) -> int | None:
        answer = self.deliver(repo, number)
        return None if answer is None else answer.status_code

    def deliver(self, repo: str, number: int) -> httpx.Response | None:
        """One signed ``issues.edited`` delivery; the answer (``None``: no answer)."""
        self.sent += 1
        delivery = f"reliability-{self.port}-{self.sent}"
        body, headers = issue_edited(self.workspace.sandbox, repo, number, delivery)
        try:
            answer = self._client.post("/webhooks/github", content=body, headers=headers)
        except httpx.TransportError:
            return None
        if answer.status_code == 202:
            self.accepted.append(delivery)
        return answer

    # ------------------------------------------------------------ the inbox

    def unprocessed(self) -> list[str]:
        """Accepted deliveries whose inbox entry is not ``done`` (or is missing)."""
        store = open_store(f"sqlite:///{self.workspace.store}", read_only=True)
        try:
            done = {e.delivery_key for e in store.inbox(InboxStatus.DONE)}
        finally:
            store.close()
        return [key for key in self.accepted if key not in done]

    def close(self) -> None:
        self._stop.set()
        if self._thread.is_alive():
            self._thread.join(10)
        if self.alive():
            self.kill()
        self._client.close()


def set_exempt(sandbox: Sandbox, repo: str, number: int, *, exempt: bool | None) -> None:
    """Add or remove the exempt label (``None``: toggle it), keeping every other label."""
    github = sandbox.github
    with github.lock:
        current = github.labels(repo, number)
        has = EXEMPT in current
        wanted = (not has) if exempt is None else exempt
        if wanted != has:
            others = [name for name in current if name != EXEMPT]
            github.set_labels(repo, number, [*others, EXEMPT] if wanted else others)


def issue_edited(
    sandbox: Sandbox, repo: str, number: int, delivery: str
) -> tuple[bytes, dict[str, str]]:
    """A signed GitHub ``issues.edited`` delivery about one issue: body and headers."""
    payload = {
        "action": "edited",
        "issue": {
            "number": number,
            "repository_url": f"{sandbox.github_url}/repos/{repo}",
            "updated_at": delivery,  # every event's body differs, as GitHub's do
        },
        "repository": {"full_name": repo},
    }
    body = json.dumps(payload).encode()
    signature = hmac.new(HOOK_SECRET.encode(), body, hashlib.sha256).hexdigest()
    headers = {
        "X-GitHub-Event": "issues",
        "X-GitHub-Delivery": delivery,
        "X-Hub-Signature-256": f"sha256={signature}",
        "Content-Type": "application/json",
    }
    return body, headers


def wait_until(check: Callable[[], object], timeout: float) -> bool:
    """Poll ``check()`` until truthy or ``timeout`` seconds pass (a real process: real time)."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if check():
            return True
        time.sleep(0.05)
    return False
