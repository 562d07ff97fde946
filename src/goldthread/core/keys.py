"""What a tracker's names look like: repositories, issue numbers, Jira keys and ids.

A webhook payload is verified (it came from the tracker), not trusted to be
well-formed: a name that does not have the tracker's syntax is not a name,
so it never reaches a request path, a ref or the store. ASCII only: ``\\d``
would also take Arabic-Indic digits, and ``$`` a trailing newline.
"""

from __future__ import annotations

import re
from typing import TypeGuard

MAX_NUMBER = 10**12 - 1
"""The largest issue number or id taken (twelve digits, as in references)."""

GITHUB_COM_API = "https://api.github.com"
"""GitHub.com's REST root; any other GitHub base URL is an Enterprise Server."""

_OWNER = r"[A-Za-z0-9][A-Za-z0-9_.-]{0,99}"
_REPO = r"[A-Za-z0-9_.-]{1,100}"
_REPOSITORY = re.compile(rf"(?P<owner>{_OWNER})/(?P<repo>{_REPO})", re.ASCII)
_JIRA_KEY = re.compile(r"(?P<project>[A-Za-z][A-Za-z0-9_]{0,99})-[0-9]{1,12}", re.ASCII)
_DIGITS = re.compile(r"[0-9]{1,12}", re.ASCII)


def is_repository(name: object) -> TypeGuard[str]:
    """``owner/repo`` as GitHub spells repository names (not ``.`` or ``..``)."""
    if not isinstance(name, str):
        return False
    match = _REPOSITORY.fullmatch(name)
    return match is not None and match["repo"] not in (".", "..")


def is_issue_number(value: object) -> bool:
    """A positive integer that fits a reference: ``True`` and ``1.0`` are not numbers."""
    return type(value) is int and 0 < value <= MAX_NUMBER


def is_jira_key(key: object) -> TypeGuard[str]:
    """``PROJECT-123`` (any case; Jira upper-cases it)."""
    return isinstance(key, str) and _JIRA_KEY.fullmatch(key) is not None


def jira_project(key: str) -> str | None:
    """The project of the Jira key ``key`` as Jira spells it (``plat-7`` ->
    ``PLAT``), or ``None`` when ``key`` is not a Jira key."""
    match = _JIRA_KEY.fullmatch(key.strip())
    return match["project"].upper() if match else None


def is_github_com(base_url: str) -> bool:
    """Whether ``base_url`` is GitHub.com's API (with or without a final slash)."""
    return base_url.rstrip("/") == GITHUB_COM_API


def jira_id(value: object) -> str | None:
    """A Jira issue id (a positive integer, or one written as ASCII digits) as text."""
    if is_issue_number(value):
        return str(value)
    if isinstance(value, str) and _DIGITS.fullmatch(value) and int(value) > 0:
        return str(int(value))
    return None
