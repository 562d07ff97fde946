"""A small owner's world for the digest tests: settings with targets, and a
digest with every section, titles that try to inject markup included."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

from goldthread.config import Settings
from goldthread.core.digest import BarrenEntry, Digest, Entry, Snapshot, compose
from goldthread.core.model import Layer, VerdictKind

NOW = datetime(2026, 3, 9, 8, 0, tzinfo=UTC)
HOSTILE = "<!channel> **bold** [click](https://evil.example) <script>x</script> & co"


def settings(
    *,
    slack: str | None = None,
    teams: str | None = None,
    smtp_port: int | None = None,
    ca_file: Path | None = None,
    store: str = "sqlite:///:memory:",
    **digest: Any,
) -> Settings:
    targets: list[dict[str, Any]] = []
    if slack:
        targets.append({"name": "chat", "type": "slack", "url_env": "CHAT_URL"})
    if teams:
        targets.append({"name": "channel", "type": "teams", "url_env": "TEAMS_URL"})
    if smtp_port:
        targets.append(
            {
                "name": "mail",
                "type": "email",
                "smtp_host": "127.0.0.1",
                "smtp_port": smtp_port,
                "username": "bot",
                "password_env": "SMTP_PASSWORD",
                "from": "goldthread@acme.example",
                "to": ["leads@acme.example", "cto@acme.example"],
                "ca_file": str(ca_file) if ca_file else None,
                "timeout": "10s",
            }
        )
    return Settings(
        store={"url": store},
        owners=[
            {"team": "web", "repos": ["acme/web"], "notify": [t["name"] for t in targets]},
        ],
        notify=targets,
        digest=digest or {},
    )


def entry(ref: str, kind: VerdictKind, title: str = "", days: float | None = None) -> Entry:
    reason = {"orphan": "no-parent", "broken": "parent-missing"}.get(kind.value, "linked")
    since = NOW - timedelta(days=days) if days is not None else None
    number = ref.rpartition("#")[2]
    return Entry(
        ref=ref,
        url=f"https://github.com/acme/web/issues/{number}",
        title=title or f"Item {number}",
        layer=Layer.EXECUTION,
        verdict=kind,
        reason=reason,
        since=since,
    )


def full_digest() -> Digest:
    """Every section present: newly untraced, fixed, oldest, barren."""
    entries = [
        entry("gh:acme/web#1", VerdictKind.ORPHAN, HOSTILE, days=1),
        entry("gh:acme/web#2", VerdictKind.BROKEN, days=40),
        entry("gh:acme/web#3", VerdictKind.TRACED),
        entry("gh:acme/web#4", VerdictKind.TRACED),
    ]
    previous = Snapshot(
        "web", NOW - timedelta(days=7), traced=1, untraced=2,
        refs=frozenset({"gh:acme/web#2", "gh:acme/web#3"}),
    )  # fmt: skip
    barren = [
        BarrenEntry("gh:acme/web#9", "https://github.com/acme/web/issues/9", "A lonely vision",
                    Layer.VISION, Layer.STRATEGY),
    ]  # fmt: skip
    return compose("web", entries, barren, previous, now=NOW, window=timedelta(days=7))
