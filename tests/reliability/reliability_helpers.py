"""Shared tools of the reliability suite: a sandbox workspace driven through the
real CLI, the converged end state, and the figures the suite reports.

``GOLDTHREAD_RELIABILITY=full`` selects the full matrix (``make reliability``);
otherwise a small seeded subset runs, fast enough for ``make test``.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
from collections import Counter
from collections.abc import Iterable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import pytest

from goldthread.sandbox.control import Sandbox
from goldthread.sandbox.http import LoggedRequest

FULL = os.environ.get("GOLDTHREAD_RELIABILITY", "").lower() == "full"
LABEL = "goldthread:untraced"
MARKER = "<!-- goldthread:marker"
FLAGGED = ("orphan", "broken")
FIGURES_ENV = "GOLDTHREAD_RELIABILITY_FIGURES"


def pick(fast: list[Any], full: list[Any]) -> list[Any]:
    """The cases of this run: the fast subset, or everything under the full env var.

    In the full run, the cases beyond the fast subset carry the ``reliability``
    marker, so ``-m reliability`` selects just them.
    """
    if not FULL:
        return fast
    return [
        case
        if case in fast
        else pytest.param(
            *(case if isinstance(case, tuple) else (case,)), marks=pytest.mark.reliability
        )
        for case in full
    ]


def record(figure: str, amount: int = 1) -> None:
    """Add ``amount`` to one suite figure (written when GOLDTHREAD_RELIABILITY_FIGURES is set)."""
    path = os.environ.get(FIGURES_ENV)
    if not path:
        return
    with Path(path).open("a", encoding="utf-8") as out:
        out.write(json.dumps({"figure": figure, "amount": amount}) + "\n")


@dataclass
class Workspace:
    """A sandbox, a config file pointing at it, and a store file."""

    sandbox: Sandbox
    directory: Path
    extra_env: dict[str, str] = field(default_factory=dict)

    @property
    def config(self) -> Path:
        return self.directory / "goldthread.toml"

    @property
    def store(self) -> Path:
        return self.directory / "goldthread.db"

    def command(self, *args: str) -> list[str]:
        return [sys.executable, "-m", "goldthread", "--config", str(self.config), *args]

    def env(self) -> dict[str, str]:
        return {
            **os.environ,
            **self.sandbox.env(),
            "GOLDTHREAD_LOG_LEVEL": "warning",
            # The stand-ins are on loopback: pace writes by config, not by waiting.
            "GOLDTHREAD_WRITEBACK__WRITES_PER_MINUTE": "60000",
            **self.extra_env,
        }

    def run(self, *args: str, timeout: float = 100) -> subprocess.CompletedProcess[str]:
        return subprocess.run(
            self.command(*args),
            env=self.env(),
            capture_output=True,
            text=True,
            timeout=timeout,
            check=False,
            cwd=self.directory,
        )

    def start(self, *args: str) -> subprocess.Popen[str]:
        return subprocess.Popen(
            self.command(*args),
            env=self.env(),
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
            text=True,
            cwd=self.directory,
        )

    def set_source_timeout(self, seconds: int) -> None:
        """Give both sources a request timeout of ``seconds``."""
        text = self.config.read_text(encoding="utf-8")
        text = text.replace(
            "include_pull_requests = false\n",
            f'include_pull_requests = false\ntimeout = "{seconds}s"\n',
        )
        text = text.replace('jql = ""\n', f'jql = ""\ntimeout = "{seconds}s"\n')
        self.config.write_text(text, encoding="utf-8")

    def report(self) -> dict[str, dict[str, Any]]:
        done = self.run("report", "--format", "json")
        assert done.returncode == 0, done.stderr
        return {row["ref"]: row for row in json.loads(done.stdout)["items"]}

    def verdicts(self) -> dict[str, tuple[str, str]]:
        report = self.report()
        return {
            ref: (report[ref]["verdict"], report[ref]["reason"])
            for ref in self.sandbox.expected()
            if ref in report
        }


def own_comments(sandbox: Sandbox, ref: str) -> int:
    """How many goldthread marker comments an item carries on its tracker."""
    org = sandbox.org
    assert org is not None
    source, _, key = ref.partition(":")
    if source == org.github_source:
        repo, _, number = key.partition("#")
        return sum(
            1 for c in sandbox.github.comments(repo, int(number)) if MARKER in (c.get("body") or "")
        )
    return sum(
        1
        for c in sandbox.jira.comments(key)
        if any(p.get("key") == "goldthread.marker" for p in c.get("properties") or ())
    )


def labels(sandbox: Sandbox, ref: str) -> list[str]:
    org = sandbox.org
    assert org is not None
    source, _, key = ref.partition(":")
    if source == org.github_source:
        repo, _, number = key.partition("#")
        return sandbox.github.labels(repo, int(number))
    return sandbox.jira.labels(key)


def flag_state(sandbox: Sandbox) -> dict[str, tuple[bool, int]]:
    """Per expected item: (goldthread's label on it, number of goldthread comments)."""
    return {
        ref: (LABEL in labels(sandbox, ref), own_comments(sandbox, ref))
        for ref in sandbox.expected()
    }


def expected_flags(sandbox: Sandbox) -> dict[str, tuple[bool, int]]:
    """Flagged items carry the label and one comment; the others neither."""
    return {
        ref: (verdict in FLAGGED, 1 if verdict in FLAGGED else 0)
        for ref, (verdict, _reason) in sandbox.expected().items()
    }


def duplicate_comments(sandbox: Sandbox) -> int:
    """Marker comments beyond the first, summed over every item."""
    return sum(max(count - 1, 0) for _label, count in flag_state(sandbox).values())


def comments_created(workspace: Workspace) -> Counter[str]:
    """Comment creations the trackers accepted, per item (from their request logs)."""
    created: Counter[str] = Counter()
    for tracker, log in workspace.sandbox.request_log().items():
        for request in log:
            if (
                request.method == "POST"
                and request.status == 201
                and request.path.endswith(("/comments", "/comment"))
            ):
                created[f"{tracker}:{request.path.rsplit('/', 1)[0]}"] += 1
    return created


def repeated_creations(workspace: Workspace) -> int:
    """Comments created on an item that already had one created this round."""
    return sum(count - 1 for count in comments_created(workspace).values() if count > 1)


def retry_after_violations(log: Iterable[LoggedRequest], slack: float = 0.05) -> list[str]:
    """Requests sent to a tracker before an earlier answer's ``Retry-After`` expired.

    The stand-in logs a request when it answers; a later request logged before
    ``answered_at + Retry-After`` was sent while the tracker said to wait.
    Each tracker's requests come from one thread per source, in order.
    """
    violations: list[str] = []
    quiet_until = 0.0
    for request in sorted(log, key=lambda r: r.at):
        if request.at < quiet_until - slack:
            violations.append(
                f"{request.method} {request.path} {quiet_until - request.at:.2f}s early"
            )
        if request.status in (429, 403):
            quiet_until = max(quiet_until, request.at + RETRY_AFTER)
    return violations


RETRY_AFTER = 1.0  # seconds the stand-ins tell goldthread to wait in these tests
