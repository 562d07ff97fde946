"""Driving the real ``goldthread`` CLI, as a process, against an in-process
sandbox, and reading back what it left on the stand-in trackers."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from goldthread.sandbox.control import Sandbox

LABEL = "goldthread:untraced"
MARKER = "<!-- goldthread:marker"
FLAGGED = ("orphan", "broken")


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

    def run(
        self, *args: str, timeout: float = 100, input_text: str | None = None
    ) -> subprocess.CompletedProcess[str]:
        """The CLI to its end; writes unpaced (the stand-ins need no spacing).
        ``input_text`` is what a person would type at its questions."""
        return subprocess.run(
            self.command(*args),
            input=input_text,
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

    def report(self) -> dict[str, dict[str, Any]]:
        done = self.run("report", "--format", "json")
        assert done.returncode == 0, done.stderr
        return {row["ref"]: row for row in json.loads(done.stdout)["items"]}


def own_comments(sandbox: Sandbox, ref: str) -> list[str]:
    """The bodies (GitHub) or ids (Jira) of goldthread's marker comments on an item."""
    org = sandbox.org
    assert org is not None
    source, _, key = ref.partition(":")
    if source == org.github_source:
        repo, _, number = key.partition("#")
        return [
            c["body"]
            for c in sandbox.github.comments(repo, int(number))
            if MARKER in (c.get("body") or "")
        ]
    return [
        str(c["id"])
        for c in sandbox.jira.comments(key)
        if any(p.get("key") == "goldthread.marker" for p in c.get("properties") or ())
    ]


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
        ref: (LABEL in labels(sandbox, ref), len(own_comments(sandbox, ref)))
        for ref in sandbox.expected()
    }


def expected_flags(sandbox: Sandbox) -> dict[str, tuple[bool, int]]:
    """Flagged items carry the label and one comment; the others neither."""
    return {
        ref: (verdict in FLAGGED, 1 if verdict in FLAGGED else 0)
        for ref, (verdict, _reason) in sandbox.expected().items()
    }


_MUTATING = ("POST", "PUT", "PATCH", "DELETE")
_READING_POSTS = ("/search/jql", "/search", "/comment/list")


def tracker_writes(sandbox: Sandbox) -> list[str]:
    """Every request that changed something on either stand-in (searches are reads)."""
    return [
        f"{entry.method} {entry.path}"
        for entries in sandbox.request_log().values()
        for entry in entries
        if entry.method in _MUTATING and not entry.path.endswith(_READING_POSTS)
    ]


def init_online_args(sandbox: Sandbox, *extra: str) -> list[str]:
    """``goldthread init --online --yes`` pointed at the sandbox, as a script would run it."""
    from goldthread.sandbox.control import GITHUB_TOKEN_ENV, JIRA_TOKEN_ENV

    jira = (
        ["--jira-auth", "basic", "--jira-email", sandbox.jira_email]
        if sandbox.jira.cloud
        else ["--jira-auth", "bearer"]
    )
    return [
        "init",
        "--online",
        "--yes",
        "--github-url",
        sandbox.github_url,
        "--github-token-env",
        GITHUB_TOKEN_ENV,
        "--jira-url",
        sandbox.jira_url,
        "--jira-token-env",
        JIRA_TOKEN_ENV,
        *jira,
        *extra,
    ]
