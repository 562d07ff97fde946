"""Helpers for the service tests: a small organisation on the sandbox, and
``goldthread run`` started as a real subprocess against it."""

from __future__ import annotations

import json
import os
import signal
import socket
import subprocess
import sys
import threading
import time
from collections.abc import Callable
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import httpx
import pytest
import support_items
import uvicorn
from support_metrics import metric

from goldthread.clock import FakeClock
from goldthread.config import ResolvedSecrets, Settings, load_settings
from goldthread.connectors.memory import MemoryConnector
from goldthread.core.model import LinkKind, ParentLink, WorkItem
from goldthread.sandbox.control import Sandbox
from goldthread.sandbox.seeds import GitHubIssueSeed, JiraIssueSeed, JiraLinkSeed, Organisation
from goldthread.service.running import Service, ServiceOptions
from goldthread.service.worker import Backoff
from goldthread.store import Store, open_store

GITHUB_SECRET = "e2e-github-hook-secret-0001"
JIRA_SECRET = "e2e-jira-hook-secret-0002"
GITHUB_SECRET_ENV = "GT_E2E_GITHUB_HOOK"
JIRA_SECRET_ENV = "GT_E2E_JIRA_HOOK"
LABEL = "goldthread:untraced"
T0 = datetime(2026, 1, 5, 9, 0, tzinfo=UTC)


def small_org() -> Organisation:
    """A vision with a strategy and two execution items on each tracker, all traced."""

    def gh(number: int, title: str, **extra: Any) -> GitHubIssueSeed:
        return GitHubIssueSeed(
            repo="acme/web",
            number=number,
            title=title,
            body=extra.pop("body", ""),
            labels=extra.pop("labels", []),
            created_at=T0,
            updated_at=T0 + timedelta(minutes=number),
            **extra,
        )

    def jira(key: str, kind: str, **extra: Any) -> JiraIssueSeed:
        return JiraIssueSeed(
            key=key,
            type=kind,
            summary=f"{kind} {key}",
            description="",
            labels=extra.pop("labels", []),
            created_at=T0,
            updated_at=T0 + timedelta(minutes=int(key.split("-")[1])),
            **extra,
        )

    github = [
        gh(1, "Be the best shop", labels=["vision"]),
        gh(2, "Checkout strategy", type="Epic", parent=("acme/web", 1)),
        gh(3, "One-click pay", parent=("acme/web", 2)),
        gh(4, "Saved cards", parent=("acme/web", 2)),
    ]
    issues = [
        jira("PLAT-1", "Initiative", labels=["vision"]),
        jira("PLAT-2", "Epic", parent_key="PLAT-1"),
        jira("PLAT-3", "Story", parent_key="PLAT-2"),
    ]
    expected = {
        "gh:acme/web#1": ("traced", "vision"),
        "gh:acme/web#2": ("traced", "linked"),
        "gh:acme/web#3": ("traced", "linked"),
        "gh:acme/web#4": ("traced", "linked"),
        "jira:PLAT-1": ("traced", "vision"),
        "jira:PLAT-2": ("traced", "linked"),
        "jira:PLAT-3": ("traced", "linked"),
    }
    links: list[JiraLinkSeed] = []
    return Organisation(
        github=github,
        jira=issues,
        jira_links=links,
        expected=expected,
        repos=["acme/web"],
        projects=["PLAT"],
    )


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def wait_for(check: Callable[[], Any], timeout: float = 15.0, what: str = "condition") -> Any:
    """Poll ``check`` until it returns something truthy; fail after ``timeout``."""
    deadline = time.monotonic() + timeout
    while True:
        value = check()
        if value:
            return value
        if time.monotonic() > deadline:
            pytest.fail(f"timed out after {timeout}s waiting for {what}")
        time.sleep(0.05)


class ServiceProcess:
    """``goldthread run`` in a subprocess, with its config, port and log."""

    def __init__(self, sandbox: Sandbox, workdir: Path, *, poll_interval: str = "1h") -> None:
        self.sandbox = sandbox
        self.workdir = workdir
        self.port = free_port()
        self.base = f"http://127.0.0.1:{self.port}"
        self.admin_port = free_port()
        self.admin_base = f"http://127.0.0.1:{self.admin_port}"
        self.config = workdir / "goldthread.toml"
        self.config.write_text(
            sandbox.config_toml(
                f"sqlite:///{workdir / 'goldthread.db'}",
                github_webhook_secret_env=GITHUB_SECRET_ENV,
                jira_webhook_secret_env=JIRA_SECRET_ENV,
            ),
            encoding="utf-8",
        )
        self.env = {
            **os.environ,
            **sandbox.env(),
            GITHUB_SECRET_ENV: GITHUB_SECRET,
            JIRA_SECRET_ENV: JIRA_SECRET,
            "GOLDTHREAD_SERVER__PORT": str(self.port),
            "GOLDTHREAD_SERVER__ADMIN_PORT": str(self.admin_port),
            "GOLDTHREAD_DAEMON__POLL_INTERVAL": poll_interval,
            "GOLDTHREAD_LOG_FORMAT": "json",
        }
        self.log_path = workdir / "service.log"
        self.process: subprocess.Popen[bytes] | None = None
        self.client = httpx.Client(base_url=self.base, timeout=10)
        self.admin = httpx.Client(base_url=self.admin_base, timeout=10)

    def start(self, *extra: str) -> ServiceProcess:
        log = self.log_path.open("ab")
        command = [sys.executable, "-m", "goldthread", "--config", str(self.config), "run"]
        self.process = subprocess.Popen(
            [*command, "--yes", *extra],
            cwd=self.workdir,
            env=self.env,
            stdout=log,
            stderr=log,
        )
        log.close()
        wait_for(self._answers, timeout=20, what="the service to answer /healthz")
        return self

    def _answers(self) -> bool:
        assert self.process is not None
        if self.process.poll() is not None:
            pytest.fail(f"goldthread run exited early:\n{self.log()}")
        try:
            return self.client.get("/healthz").status_code == 200
        except httpx.TransportError:
            return False

    def metrics(self) -> str:
        return self.admin.get("/metrics").text

    def wait_polled(self, timeout: float = 20.0) -> None:
        """Until every source finished its first poll."""

        def polled() -> bool:
            text = self.metrics()
            return all(
                metric(text, "goldthread_polls_total", source=s, kind="sync", outcome="ok") >= 1
                for s in ("gh", "jira")
            )

        wait_for(polled, timeout, "the first poll of every source")

    def hook_github(self) -> None:
        self.sandbox.set_webhooks(
            github_url=f"{self.base}/webhooks/github",
            github_secret=GITHUB_SECRET,
            jira_url=f"{self.base}/webhooks/jira",
            jira_secret=JIRA_SECRET,
        )

    def signal(self, sig: int) -> int:
        assert self.process is not None
        self.process.send_signal(sig)
        return self.process.wait(timeout=30)

    def stop(self) -> None:
        if self.process is not None and self.process.poll() is None:
            self.process.send_signal(signal.SIGKILL)
            self.process.wait(timeout=10)

    def close(self) -> None:
        """Stop the process (if running) and close both clients."""
        self.stop()
        self.client.close()
        self.admin.close()

    def log(self) -> str:
        return self.log_path.read_text(encoding="utf-8", errors="replace")


FIXTURES = Path(__file__).resolve().parents[3] / "shared" / "fixtures"

UNIT_CONFIG = """
[store]
url = "sqlite:///{db}"

[[sources]]
name = "gh"
type = "github"
token_env = "GT_SVC_GITHUB_TOKEN"
repos = ["Codertocat/*", "acme/web"]

[[sources]]
name = "jira"
type = "jira"
url = "https://jira.test-example.ru/jira"
auth = "bearer"
token_env = "GT_SVC_JIRA_TOKEN"
projects = ["BBCOM", "INDEV", "PLAT"]

[server]
max_body_bytes = {max_body}
"""


def fixture(kind: str, name: str) -> dict[str, Any]:
    """A real webhook payload from ``shared/fixtures`` (without the logger keys
    some Jira files were given upstream)."""
    data = json.loads((FIXTURES / kind / "webhooks" / name).read_text(encoding="utf-8"))
    for key in ("level", "message", "label"):
        if kind == "jira":
            data.pop(key, None)
    return data


def unit_settings(tmp_path: Path, max_body: int = 2097152) -> Settings:
    config = tmp_path / "goldthread.toml"
    config.write_text(
        UNIT_CONFIG.format(db=tmp_path / "goldthread.db", max_body=max_body), encoding="utf-8"
    )
    return load_settings(config)


class ServedApp:
    """An ASGI app served by uvicorn on a free loopback port, in a thread."""

    def __init__(self, app: Any) -> None:
        config = uvicorn.Config(
            app,
            host="127.0.0.1",
            port=free_port(),
            log_config=None,
            access_log=False,
            lifespan="off",
        )
        self.server = uvicorn.Server(config)
        self.base = f"http://127.0.0.1:{config.port}"
        self._thread = threading.Thread(target=self.server.run, daemon=True)

    def __enter__(self) -> httpx.Client:
        self._thread.start()
        wait_for(lambda: self.server.started, 10, "uvicorn to start")
        self.client = httpx.Client(base_url=self.base, timeout=10)
        return self.client

    def __exit__(self, *exc: object) -> None:
        self.client.close()
        self.server.should_exit = True
        self._thread.join(10)


# ---------------------------------------------------------------- in-memory trackers

START = support_items.START
LONG_AGO = support_items.LONG_AGO


def up(kind: LinkKind, target: str) -> ParentLink:
    return ParentLink(kind, target, target.partition(":")[2], "test")


def work_item(source: str, key: str, *parents: ParentLink, **fields: Any) -> WorkItem:
    """An item as the in-memory trackers hold it: no comments unless ``fields`` say so."""
    return support_items.work_item(source, key, *parents, **{"comment_count": 0, **fields})


def memory_trackers(clock: FakeClock) -> dict[str, MemoryConnector]:
    """A vision and strategy on Jira, execution on GitHub beneath them, one orphan each."""
    jparent, sub = LinkKind.JIRA_PARENT, LinkKind.SUB_ISSUE
    jira = [
        work_item("jira", "PLAT-1", labels=("vision",)),
        work_item("jira", "PLAT-2", up(jparent, "jira:PLAT-1"), type="Epic"),
        work_item("jira", "PLAT-4"),
    ]
    github = [
        work_item("gh", "acme/web#1", up(LinkKind.BODY_REFERENCE, "jira:PLAT-2")),
        work_item("gh", "acme/web#2", up(sub, "gh:acme/web#1")),
        work_item("gh", "acme/web#3"),
    ]
    return {
        "jira": MemoryConnector("jira", jira, clock=clock.now),
        "gh": MemoryConnector("gh", github, clock=clock.now),
    }


MEMORY_SOURCES = support_items.SOURCES


def memory_settings(db: Path, **daemon: Any) -> Settings:
    return Settings(
        sources=MEMORY_SOURCES,
        store={"url": f"sqlite:///{db}"},
        writeback={"confirm_large": False},
        daemon={"poll_interval": "5m", "full_resync_interval": "1h", **daemon},
    )


def github_event(key: str, action: str = "edited") -> tuple[str, str]:
    """``(event, payload)`` as stored for a GitHub ``issues`` delivery about ``key``."""
    repo, _, number = key.partition("#")
    payload = {
        "action": action,
        "issue": {"number": int(number), "repository_url": f"https://api.github.com/repos/{repo}"},
        "repository": {"full_name": repo},
    }
    return f"issues.{action}", json.dumps(payload)


def jira_event(key: str) -> tuple[str, str]:
    payload = {
        "timestamp": 1,
        "webhookEvent": "jira:issue_updated",
        "issue": {"key": key, "self": f"https://jira.example.test/rest/api/2/issue/{key}"},
        "changelog": {"items": [{"field": "labels", "fromString": "vision", "toString": ""}]},
    }
    return "jira:issue_updated", json.dumps(payload)


def enqueue(store: Store, source: str, key: str, delivery: str, at: datetime) -> None:
    event, payload = github_event(key) if source == "gh" else jira_event(key)
    store.enqueue(
        source=source,
        delivery_key=delivery,
        event=event,
        item_hint=f"{source}:{key}",
        payload=payload,
        received_at=at,
    )


def memory_service(
    tmp_path: Path, clock: FakeClock, backoff: Backoff | None = None, **daemon: Any
) -> tuple[Service, dict[str, MemoryConnector]]:
    settings = memory_settings(tmp_path / "goldthread.db", **daemon)
    store = open_store(settings.store.url)
    trackers = memory_trackers(clock)
    service = Service(
        settings,
        ResolvedSecrets(),
        store,
        dict(trackers),
        clock,
        ServiceOptions(confirmed=True),
        backoff=backoff,
    )
    return service, trackers


def comments_created(trackers: dict[str, MemoryConnector]) -> list[str]:
    return [
        f"{name}:{w.key}"
        for name, tracker in trackers.items()
        for w in tracker.writes
        if w.action == "create_comment"
    ]


ALL_REFS = (
    "jira:PLAT-1",
    "jira:PLAT-2",
    "jira:PLAT-4",
    "gh:acme/web#1",
    "gh:acme/web#2",
    "gh:acme/web#3",
    "gh:acme/web#9",
)


def labelled(trackers: dict[str, MemoryConnector]) -> set[str]:
    """Refs that carry goldthread's label on their tracker now."""
    found = set()
    for ref in ALL_REFS:
        source, _, key = ref.partition(":")
        item = trackers[source].stored(key)
        if item is not None and LABEL in item.labels:
            found.add(ref)
    return found
