"""Webhook intake decisions: who sent it, is it genuine, is it news, about what.

Pure functions over the raw body, the headers and the configured sources, so
the HTTP layer (:mod:`goldthread.service.app`) only reads bytes and answers,
and the worker re-derives an event's items from the stored payload with the
same code that accepted it.

Order of checks, as a delivery arrives: size (while reading), signature
(before parsing: an unverified body is never parsed), JSON, then
:func:`classify_github` / :func:`classify_jira`, which either accept the
event (with its dedup key and the item it is about) or drop it with a reason:
``ping``, ``own-event`` (goldthread's own label or comment, so its writes never
start another round of work), ``ignored`` (an event that cannot change a
verdict) or ``unknown-source`` (a repository or project not configured).

A GitHub repository is routed by what goldthread knows of it now, not only
by the configured ``repos``: its current name once the connector has learned
a rename (:meth:`Routing.from_settings` ``scopes``), and its id, which
GitHub keeps across renames. :class:`Routing` remembers the id of each watched
repository it sees in a verified delivery (a ``repository.renamed`` delivery
names the old name and the id), so a renamed repository's deliveries keep
their source before anyone edits the config; the connector then confirms the
new name with GitHub before anything under it is stored.
"""

from __future__ import annotations

import hashlib
import hmac
import json
import re
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field
from fnmatch import fnmatchcase
from typing import Any
from urllib.parse import urlsplit

from goldthread.config import GitHubSource, JiraSource, Settings
from goldthread.core.keys import is_issue_number, is_jira_key, is_repository, jira_id
from goldthread.core.labels import is_own_label
from goldthread.core.marker import has_marker
from goldthread.core.scope import SourceScope
from goldthread.errors import PayloadError

GITHUB_ISSUE_ACTIONS = frozenset(
    {
        "opened",
        "edited",
        "deleted",
        "closed",
        "reopened",
        "labeled",
        "unlabeled",
        "transferred",
        "typed",
        "untyped",
    }
)
"""``issues`` actions that can change a verdict (assignees, milestones, pins cannot)."""

_REPO_IN_URL = re.compile(r"/repos/(?P<repo>[^/]+/[^/]+)/?\Z")


# ---------------------------------------------------------------- verification


def signature_matches(body: bytes, header: str | None, secrets: Sequence[str]) -> bool:
    """Whether ``header`` (``sha256=<hex>``) is the HMAC-SHA256 of ``body`` under
    any of ``secrets`` (several during a rotation).

    Every secret is tried, whatever matched first, and each comparison is
    constant-time, so the answer's timing tells nothing about the secret.
    """
    if not header or not secrets:
        return False
    algorithm, _, given = header.strip().partition("=")
    if algorithm.lower() != "sha256" or not given:
        return False
    given_bytes = given.strip().lower().encode("ascii", "replace")
    matched = False
    for secret in secrets:
        expected = hmac.new(secret.encode(), body, hashlib.sha256).hexdigest().encode()
        matched |= hmac.compare_digest(expected, given_bytes)
    return matched


def token_matches(given: str | None, tokens: Sequence[str]) -> bool:
    """Whether the URL ``?token=`` (older Jira Data Center) is one of ``tokens``."""
    if not given or not tokens:
        return False
    given_bytes = given.encode()
    matched = False
    for token in tokens:
        matched |= hmac.compare_digest(token.encode(), given_bytes)
    return matched


def parse_object(body: bytes) -> dict[str, Any]:
    """The body as a JSON object; anything else is a :class:`PayloadError` (400):
    not JSON, not UTF-8, or nested too deeply to parse (``RecursionError``)."""
    try:
        value = json.loads(body)
    except (ValueError, RecursionError) as error:
        reason = "nested too deeply" if isinstance(error, RecursionError) else str(error)
        raise PayloadError(f"the body is not JSON: {reason}") from None
    if not isinstance(value, dict):
        raise PayloadError("the body is JSON but not an object")
    return value


# ---------------------------------------------------------------- routing


@dataclass(frozen=True, slots=True)
class _GitHubRoute:
    name: str
    host: str
    repos: tuple[str, ...]

    def serves(self, repo: str, current: Sequence[str] = ()) -> bool:
        """Whether ``repo`` is configured here, or is a configured repository's
        ``current`` name."""
        wanted = repo.casefold()
        return any(fnmatchcase(wanted, pattern.casefold()) for pattern in self.repos) or any(
            name.casefold() == wanted for name in current
        )


Scopes = Callable[[], Mapping[str, SourceScope]]
"""Each source's scope as its connector knows it now (renames learned)."""


@dataclass(frozen=True, slots=True)
class _JiraRoute:
    name: str
    host: str
    projects: frozenset[str]


@dataclass(frozen=True, slots=True)
class Routing:
    """Which configured source an event's repository or project belongs to,
    and what goldthread's own marks look like there."""

    github: tuple[_GitHubRoute, ...] = ()
    jira: tuple[_JiraRoute, ...] = ()
    label: str = "goldthread:untraced"
    scopes: Scopes | None = None
    repository_ids: dict[int, str] = field(default_factory=dict, compare=False, hash=False)
    """GitHub repository id -> the source watching it, as seen in verified deliveries."""

    @classmethod
    def from_settings(cls, settings: Settings, *, scopes: Scopes | None = None) -> Routing:
        github = tuple(
            _GitHubRoute(s.name, s.web_host.casefold(), tuple(s.repos))
            for s in settings.sources
            if isinstance(s, GitHubSource)
        )
        jira = tuple(
            _JiraRoute(s.name, _host(str(s.url)), frozenset(p.upper() for p in s.projects))
            for s in settings.sources
            if isinstance(s, JiraSource)
        )
        return cls(
            github=github,
            jira=jira,
            label=settings.writeback.label,
            scopes=scopes,
        )

    def github_source(
        self, repo: str, host: str | None, repository_id: object = None
    ) -> str | None:
        """The GitHub source serving ``repo`` (by name, or by the repository's
        id once seen); the one on ``host`` when several do."""
        scopes = self.scopes() if self.scopes is not None else {}
        serving = [
            route
            for route in self.github
            if route.serves(repo, _current_names(scopes.get(route.name)))
        ]
        on_host = [route for route in serving if host and route.host == host.casefold()]
        chosen = on_host or serving
        if chosen:
            return chosen[0].name
        if isinstance(repository_id, int) and not isinstance(repository_id, bool):
            return self.repository_ids.get(repository_id)
        return None

    def remember_repository(self, repository: Mapping[str, Any], old_name: str | None) -> None:
        """Note the id of ``repository`` (a delivery's ``repository`` object) when
        its name, or ``old_name`` (a rename's), is served."""
        repository_id = repository.get("id")
        if not isinstance(repository_id, int) or isinstance(repository_id, bool):
            return
        host = _host(str(repository.get("html_url") or "")) or None
        for name in (repository.get("full_name"), old_name):
            source = self.github_source(name, host) if isinstance(name, str) else None
            if source is not None:
                self.repository_ids[repository_id] = source
                return

    def jira_source(self, key: str, host: str | None) -> str | None:
        """The Jira source whose projects include ``key``'s project."""
        if not is_jira_key(key):
            return None
        project = key.upper().rpartition("-")[0]
        serving = [r for r in self.jira if project in r.projects]
        on_host = [route for route in serving if host and route.host == host.casefold()]
        chosen = on_host or serving
        return chosen[0].name if chosen else None

    def is_own_label(self, name: object) -> bool:
        return is_own_label(name, self.label)


def _host(url: str) -> str:
    return (urlsplit(url).hostname or "").casefold()


def _current_names(scope: SourceScope | None) -> tuple[str, ...]:
    return tuple(new for _old, new in scope.renamed) if scope is not None else ()


# ---------------------------------------------------------------- decisions


@dataclass(frozen=True, slots=True)
class Accepted:
    """A delivery to store: ``targets`` are the item keys to refresh, per source."""

    source: str
    delivery_key: str
    event: str
    item_hint: str | None
    targets: Mapping[str, tuple[str, ...]]


@dataclass(frozen=True, slots=True)
class Dropped:
    """A delivery acknowledged and not stored; ``reason`` is the metrics outcome."""

    reason: str


Decision = Accepted | Dropped


def github_delivery_key(delivery_id: str | None, body: bytes) -> str:
    """``X-GitHub-Delivery`` (kept across redeliveries), else the body's digest."""
    if delivery_id and delivery_id.strip():
        return delivery_id.strip()
    return "sha256:" + hashlib.sha256(body).hexdigest()


def jira_delivery_key(identifier: str | None, payload: Mapping[str, Any], body: bytes) -> str:
    """The webhook identifier plus the event's timestamp: a retry repeats both."""
    stamp = payload.get("timestamp")
    if identifier and identifier.strip():
        return f"{identifier.strip()}:{stamp}"
    return "sha256:" + hashlib.sha256(body).hexdigest()


def classify_github(
    event: str | None, payload: Mapping[str, Any], routing: Routing, delivery_key: str
) -> Decision:
    """Accept or drop one GitHub delivery (``X-GitHub-Event`` and its body)."""
    action = payload.get("action")
    if not isinstance(action, str):
        action = None
    _remember(event, action, payload, routing)
    if event == "ping":
        return Dropped("ping")
    if event == "issue_comment":
        comment = _mapping(payload.get("comment"))
        own = has_marker(str(comment.get("body") or ""))
        return Dropped("own-event" if own else "ignored")
    if event == "issues":
        if action not in GITHUB_ISSUE_ACTIONS:
            return Dropped("ignored")
        label = _mapping(payload.get("label")).get("name")
        if action in ("labeled", "unlabeled") and routing.is_own_label(label):
            return Dropped("own-event")
    elif event != "sub_issues":
        return Dropped("ignored")
    targets = github_targets(event, payload, routing)
    if not targets:
        return Dropped("unknown-source")
    source = next(iter(targets))
    hint = f"{source}:{targets[source][0]}"
    return Accepted(source, delivery_key, f"{event}.{action}", hint, targets)


def _remember(
    event: str | None, action: str | None, payload: Mapping[str, Any], routing: Routing
) -> None:
    """Let ``routing`` note the id of the (watched) repository a delivery is from."""
    repository = _mapping(payload.get("repository"))
    old_name = None
    if event == "repository" and action == "renamed":
        before = _mapping(_mapping(_mapping(payload.get("changes")).get("repository")).get("name"))
        owner = _mapping(repository.get("owner")).get("login")
        if isinstance(owner, str) and isinstance(before.get("from"), str):
            old_name = f"{owner}/{before['from']}"
    routing.remember_repository(repository, old_name)


def github_targets(
    event: str | None,
    payload: Mapping[str, Any],
    routing: Routing,
    *,
    source: str | None = None,
) -> dict[str, tuple[str, ...]]:
    """The configured items a GitHub event is about, as ``{source: (key, ...)}``.

    ``issues``: the issue (``transferred``: where it was, then where it went,
    so the old ref is forgotten and the new one judged when it is in scope).
    ``sub_issues``: the child first, then the parent. Issues of the
    delivery's own repository go by its name, or its id, or else to
    ``source`` (the source it was accepted for).
    """
    repository = _mapping(payload.get("repository"))
    fallback = repository.get("full_name")
    if event == "sub_issues":
        issues = [(payload.get("sub_issue"), fallback), (payload.get("parent_issue"), fallback)]
    else:
        issues = [(payload.get("issue"), fallback)]
    ids = {str(fallback).casefold(): repository.get("id")}
    if payload.get("action") == "transferred":
        changes = _mapping(payload.get("changes"))
        went = _mapping(changes.get("new_repository"))
        issues.append((changes.get("new_issue"), went.get("full_name")))
        ids.setdefault(str(went.get("full_name")).casefold(), went.get("id"))
    found: dict[str, list[str]] = {}
    for issue, repo_name in issues:
        if not isinstance(issue, Mapping) or not is_issue_number(issue.get("number")):
            continue
        repo = _repo_of(issue) or repo_name
        if not is_repository(repo):
            continue
        host = _host(str(issue.get("html_url") or "")) or None
        chosen = routing.github_source(repo, host, ids.get(repo.casefold()))
        if chosen is None and source is not None and repo.casefold() == str(fallback).casefold():
            chosen = source
        if chosen is None:
            continue
        key = f"{repo}#{issue['number']}"
        if key not in found.setdefault(chosen, []):
            found[chosen].append(key)
    return {name: tuple(keys) for name, keys in found.items()}


def _repo_of(issue: Mapping[str, Any]) -> str | None:
    match = _REPO_IN_URL.search(str(issue.get("repository_url") or ""))
    return match.group("repo") if match else None


def classify_jira(payload: Mapping[str, Any], routing: Routing, delivery_key: str) -> Decision:
    """Accept or drop one Jira delivery."""
    event = payload.get("webhookEvent")
    if not isinstance(event, str):
        return Dropped("ignored")
    if event.startswith("jira:issue_"):
        if event == "jira:issue_updated" and not _changes_something(payload, routing):
            return Dropped("own-event" if _changelog(payload) else "ignored")
    elif not event.startswith("issuelink_"):
        return Dropped("ignored")
    targets = jira_targets(payload, routing)
    if not targets:
        return Dropped("unknown-source")
    source = next(iter(targets))
    first = targets[source][0]
    hint = f"{source}:{first}" if not first.isdigit() else None
    return Accepted(source, delivery_key, event, hint, targets)


def jira_targets(payload: Mapping[str, Any], routing: Routing) -> dict[str, tuple[str, ...]]:
    """The items a Jira event is about: the issue's key, or for link events the
    numeric ids of both ends (on every Jira source: the payload names no site)."""
    link = payload.get("issueLink")
    if isinstance(link, Mapping):
        ends = (jira_id(link.get("sourceIssueId")), jira_id(link.get("destinationIssueId")))
        ids = tuple(found for found in ends if found is not None)
        return {route.name: ids for route in routing.jira} if ids else {}
    issue = payload.get("issue")
    if not isinstance(issue, Mapping) or not is_jira_key(issue.get("key")):
        return {}
    host = _host(str(issue.get("self") or "")) or None
    found: dict[str, list[str]] = {}
    for key in (*_moved_from(payload), issue["key"].upper()):
        source = routing.jira_source(key, host)
        if source is not None and key not in found.setdefault(source, []):
            found[source].append(key)
    return {source: tuple(keys) for source, keys in found.items() if keys}


def _moved_from(payload: Mapping[str, Any]) -> list[str]:
    """The old key of an issue moved to another project (its ``Key`` changelog item)."""
    return [
        str(item.get("fromString")).upper()
        for item in _changelog(payload)
        if str(item.get("field") or "").lower() == "key" and item.get("fromString")
    ]


def _changelog(payload: Mapping[str, Any]) -> list[Mapping[str, Any]]:
    items = _mapping(payload.get("changelog")).get("items")
    if not isinstance(items, list):
        return []
    return [item for item in items if isinstance(item, Mapping)]


def _mapping(value: object) -> Mapping[str, Any]:
    """``value`` when it is a JSON object, else an empty one: payloads are
    verified, not trusted to have the shape the docs show."""
    return value if isinstance(value, Mapping) else {}


def _changes_something(payload: Mapping[str, Any], routing: Routing) -> bool:
    """Whether an ``issue_updated`` changed more than goldthread's own label.

    No changelog at all (a comment added or edited) changes nothing a verdict
    depends on.
    """
    for item in _changelog(payload):
        if str(item.get("field") or "").lower() != "labels":
            return True
        before = set(str(item.get("fromString") or "").split())
        after = set(str(item.get("toString") or "").split())
        if any(not routing.is_own_label(name) for name in before ^ after):
            return True
    return False


def is_jira_event(event: str) -> bool:
    """Whether a stored event name is a Jira one (``jira:issue_*``, ``issuelink_*``)."""
    return event.startswith(("jira:", "issuelink_"))


def targets_of(
    event: str, payload: Mapping[str, Any], routing: Routing, source: str | None = None
) -> dict[str, tuple[str, ...]]:
    """The items a stored delivery is about, derived as when it was accepted
    (``source``: the one it was accepted for)."""
    if is_jira_event(event):
        return jira_targets(payload, routing)
    return github_targets(event.partition(".")[0], payload, routing, source=source)
