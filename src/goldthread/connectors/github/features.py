"""What a GitHub server offers goldthread, by its version. Pure.

GitHub.com has it all. GitHub Enterprise Server says its version in the
``X-GitHub-Enterprise-Version`` header of every API answer, and its REST
description (published per version) says what that version has: issues
carry ``parent_issue_url`` (the sub-issue parent goldthread reads) and
``type`` (issue types, for ``types`` rules) from 3.16 on; no version up to
3.19 has the sub-issue endpoints or the ``sub_issues`` webhooks, so there a
change of parent reaches goldthread by polling, not by webhook.
"""

from __future__ import annotations

from goldthread.connectors.base import LinkKinds
from goldthread.core.model import LinkKind

HIERARCHY_SINCE = (3, 16)  # first GHES description with parent_issue_url and type


def version_tuple(version: str | None) -> tuple[int, int] | None:
    """``3.13.2`` -> (3, 13); ``None`` for anything else."""
    parts = (version or "").strip().split(".")
    try:
        return int(parts[0]), int(parts[1])
    except (IndexError, ValueError):
        return None


def link_kinds(*, host: str | None, version: str | None, patterns: bool) -> LinkKinds:
    """The link kinds of a GitHub source (``host``: the API's host, ``None`` for
    GitHub.com; ``version``: the Enterprise Server version it announced)."""
    bodies = (LinkKind.BODY_REFERENCE,) if patterns else ()
    known = version_tuple(version)
    if host is None or known is None:  # GitHub.com, or a server announcing no GHES version
        return LinkKinds(
            "GitHub.com" if host is None else f"GitHub at {host}", (LinkKind.SUB_ISSUE, *bodies)
        )
    server = f"GitHub Enterprise Server {known[0]}.{known[1]}"
    if known < HIERARCHY_SINCE:
        return LinkKinds(
            server,
            bodies,
            missing={LinkKind.SUB_ISSUE.value: f"{server} has no sub-issues"},
            issue_types=False,
        )
    note = "no sub_issues webhooks on Enterprise Server: parent changes arrive by polling"
    return LinkKinds(server, (LinkKind.SUB_ISSUE, *bodies), notes=(note,))
