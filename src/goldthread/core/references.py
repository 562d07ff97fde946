"""References written in bodies, resolved across sources (docs/behaviour.md#layers-and-parent-links).

A reference is the ``ref`` group of a ``trace.reference_patterns`` match: a
GitHub issue URL, ``owner/repo#N``, ``#N`` (same repository), a Jira key, or a
Jira browse URL. Whichever tracker the text was written in, the reference is
resolved against every configured source, so a GitHub issue saying
``Part of PLAT-7`` links to the Jira epic.

Three outcomes: a configured source owns the repository or project (a link to
that item's ref); a recognised form that no source owns (a link to a missing
parent, ``target=None``); anything else (not a reference; ignored).

Bodies come from anyone who can write an issue, so only the first
:data:`MAX_SCAN_CHARS` characters are read, lines longer than
:data:`MAX_LINE_CHARS` are skipped, and patterns run line by line. The
configured patterns run on RE2 (:mod:`goldthread.config.patterns`), whose
matching time is linear in the line's length whatever the pattern, so a
crafted body cannot stall an evaluation.
"""

from __future__ import annotations

import dataclasses
import re
from collections.abc import Iterator, Mapping, Sequence
from dataclasses import dataclass
from typing import Any, Protocol

from goldthread.core.model import LinkKind, ParentLink

MAX_SCAN_CHARS = 64 * 1024  # only this much of a body is searched for references
MAX_LINE_CHARS = 2_000  # longer lines are skipped: no reference is that long

_GITHUB_URL = re.compile(
    r"https?://(?P<host>[^/\s]+)/(?P<owner>[A-Za-z0-9][A-Za-z0-9-]*)/"
    r"(?P<repo>[A-Za-z0-9_.-]+)/(?:issues|pull)/(?P<number>[0-9]{1,12})(?:[/?#]\S*)?",
    re.IGNORECASE,
)
_JIRA_URL = re.compile(
    r"https?://(?P<host>[^/\s]+)(?:/\S*)?/browse/(?P<key>[A-Za-z][A-Za-z0-9_]*-[0-9]{1,12})"
    r"(?:[/?#]\S*)?",
    re.IGNORECASE,
)
_REPO_NUMBER = re.compile(
    r"(?P<owner>[A-Za-z0-9][A-Za-z0-9-]*)/(?P<repo>[A-Za-z0-9_.-]+)#(?P<number>[0-9]{1,12})"
)
_HASH_NUMBER = re.compile(r"#(?P<number>[0-9]{1,12})")
_JIRA_KEY = re.compile(r"(?P<key>[A-Z][A-Z0-9_]+-[0-9]{1,12})")

_LEADING = "([{<\"'`*_"
_TRAILING = ".,;:!?)]}>\"'`*_"


class TextPattern(Protocol):
    """A compiled reference pattern: an RE2 pattern as configured (or, in
    tests, a ``re.Pattern``)."""

    @property
    def groupindex(self) -> Mapping[str, int]: ...

    def finditer(self, string: str, /) -> Iterator[Any]: ...


@dataclass(frozen=True, slots=True)
class GitHubSourceInfo:
    """What reference resolution needs to know of a GitHub source."""

    name: str
    web_host: str  # "github.com", "ghe.example.com"
    repos: tuple[str, ...]  # "acme/web", or "acme/*" for every repository of an owner
    renamed: tuple[tuple[str, str], ...] = ()  # (old name, current name) of renamed repos


@dataclass(frozen=True, slots=True)
class JiraSourceInfo:
    """What reference resolution needs to know of a Jira source."""

    name: str
    web_host: str  # "acme.atlassian.net", "jira.example.com"
    projects: tuple[str, ...]


@dataclass(frozen=True, slots=True)
class SourceIndex:
    """Every configured source, as far as references are concerned."""

    github: tuple[GitHubSourceInfo, ...] = ()
    jira: tuple[JiraSourceInfo, ...] = ()


def github_ref(source: str, repo: str, number: int) -> str:
    """The ref of a GitHub issue: ``gh:acme/web#12``."""
    return f"{source}:{repo}#{number}"


def jira_ref(source: str, key: str) -> str:
    """The ref of a Jira issue: ``jira:PLAT-7``."""
    return f"{source}:{key}"


# ---------------------------------------------------------------- one reference


def _clean(raw: str) -> str:
    """Strip the punctuation and markup that surround a reference in prose.

    A Markdown link ``[PLAT-7](https://…/browse/PLAT-7)`` is read by its URL.
    """
    text = raw.strip()
    if "](" in text:
        text = text.split("](", 1)[1]
    return text.lstrip(_LEADING).rstrip(_TRAILING)


def _github_repo(source: GitHubSourceInfo, owner: str, repo: str) -> str | None:
    """The repository's configured spelling (its current name, when it was
    renamed: a reference may use either name) when ``source`` reads it."""
    wanted = f"{owner}/{repo}".casefold()
    for old, new in source.renamed:
        if wanted in (old.casefold(), new.casefold()):
            return new
    for configured in source.repos:
        conf_owner, _, conf_repo = configured.partition("/")
        if configured.casefold() == wanted:
            return configured
        if conf_repo == "*" and conf_owner.casefold() == owner.casefold():
            return f"{conf_owner}/{repo}"
    return None


def _resolve_github(
    index: SourceIndex, owner: str, repo: str, number: int, *, host: str, here_source: str
) -> str | None:
    """The ref of ``owner/repo#number`` in the GitHub source that owns it.

    Several sources may read the same repository name (github.com and an
    Enterprise Server): the one whose host the URL names wins, then the source
    the text was written in, then the first configured.
    """
    owners = [(s, r) for s in index.github if (r := _github_repo(s, owner, repo)) is not None]
    if not owners:
        return None
    host = host.casefold()
    for pick in (
        lambda s: bool(host) and s.web_host.casefold() == host,
        lambda s: s.name == here_source,
        lambda _s: True,
    ):
        for source, spelled in owners:
            if pick(source):
                return github_ref(source.name, spelled, number)
    return None  # pragma: no cover - the last pick accepts every owner


def _resolve_jira(index: SourceIndex, key: str, *, host: str, here_source: str) -> str | None:
    """The ref of ``key`` in the Jira source whose projects include its project."""
    key = key.upper()
    project = key.rpartition("-")[0]
    owners = [s for s in index.jira if any(p.upper() == project for p in s.projects)]
    host = host.casefold()
    for pick in (
        lambda s: bool(host) and s.web_host.casefold() == host,
        lambda s: s.name == here_source,
        lambda _s: True,
    ):
        for source in owners:
            if pick(source):
                return jira_ref(source.name, key)
    return None


def _github_here(index: SourceIndex, here_source: str) -> bool:
    return any(s.name == here_source for s in index.github)


def _target(
    text: str, *, here_source: str, here_repo: str | None, index: SourceIndex
) -> tuple[bool, str | None]:
    """(recognised, ref) for cleaned reference text."""
    if m := _GITHUB_URL.fullmatch(text):
        ref = _resolve_github(
            index, m["owner"], m["repo"], int(m["number"]), host=m["host"], here_source=here_source
        )
        return True, ref
    if m := _JIRA_URL.fullmatch(text):
        return True, _resolve_jira(index, m["key"], host=m["host"], here_source=here_source)
    if m := _REPO_NUMBER.fullmatch(text):
        ref = _resolve_github(
            index, m["owner"], m["repo"], int(m["number"]), host="", here_source=here_source
        )
        return True, ref
    if m := _HASH_NUMBER.fullmatch(text):
        if here_repo is None or not _github_here(index, here_source):
            return False, None
        return True, github_ref(here_source, here_repo, int(m["number"]))
    if m := _JIRA_KEY.fullmatch(text):
        return True, _resolve_jira(index, m["key"], host="", here_source=here_source)
    return False, None


def parse_reference(
    raw: str, *, here_source: str, here_repo: str | None, index: SourceIndex
) -> ParentLink | None:
    """Read one reference written in the item of ``here_source`` (``here_repo``).

    A :class:`ParentLink` to the owning source's item; one with ``target=None``
    when the form is recognised but no configured source owns it; ``None`` when
    ``raw`` is not a reference at all. ``#N`` means something only in a GitHub
    item (``here_repo`` is its repository).
    """
    if len(raw) > MAX_LINE_CHARS:
        return None
    text = _clean(raw)
    if not text:
        return None
    recognised, target = _target(text, here_source=here_source, here_repo=here_repo, index=index)
    if not recognised:
        return None
    return ParentLink(kind=LinkKind.BODY_REFERENCE, target=target, raw=text)


# ---------------------------------------------------------------- a whole body


def _scannable_lines(text: str) -> list[str]:
    """The body's lines as searched: bounded, over-long lines blanked out."""
    bounded = text[:MAX_SCAN_CHARS].replace("\r\n", "\n").replace("\r", "\n")
    return [line if len(line) <= MAX_LINE_CHARS else "" for line in bounded.split("\n")]


def extract_references(
    text: str,
    patterns: Sequence[TextPattern],
    *,
    here_source: str,
    here_repo: str | None,
    index: SourceIndex,
) -> tuple[ParentLink, ...]:
    """Every parent link named in ``text``, in text order, each target once.

    Each pattern's ``ref`` group is read with :func:`parse_reference`; the
    evidence is ``body line N`` (1-based). Patterns run line by line.
    """
    found: list[ParentLink] = []
    seen: set[str] = set()
    for number, line in enumerate(_scannable_lines(text), start=1):
        if not line:
            continue
        hits: list[tuple[int, int, str]] = []
        for order, pattern in enumerate(patterns):
            group = pattern.groupindex["ref"]
            for match in pattern.finditer(line):
                ref = match.group(group)
                if ref:
                    hits.append((match.start(group), order, ref))
        hits.sort()
        for _start, _order, ref in hits:
            link = parse_reference(ref, here_source=here_source, here_repo=here_repo, index=index)
            if link is None:
                continue
            identity = link.target or f"missing:{link.raw.casefold()}"
            if identity in seen:
                continue
            seen.add(identity)
            found.append(dataclasses.replace(link, evidence=f"body line {number}"))
    return tuple(found)
