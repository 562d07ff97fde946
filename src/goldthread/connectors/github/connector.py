"""The GitHub connector: GitHub.com and GitHub Enterprise Server.

It composes the request client (:mod:`.client`), the reader
(:mod:`.reading`) and the writer (:mod:`.writing`) behind goldthread's
:class:`~goldthread.connectors.base.Connector` protocol. Keys are
``owner/repo#N``; refs ``<source>:owner/repo#N``.
"""

from __future__ import annotations

import dataclasses
import hashlib
from collections.abc import Sequence
from typing import Any
from urllib.parse import urlsplit

from goldthread.clock import Clock
from goldthread.connectors.base import LinkKinds
from goldthread.connectors.github.client import GitHubHttp
from goldthread.connectors.github.features import link_kinds
from goldthread.connectors.github.options import DEFAULT_BASE_URL, GitHubOptions
from goldthread.connectors.github.parsing import (
    ParseContext,
    is_pull_request,
    own_source_index,
    parse_issue,
    with_repo,
)
from goldthread.connectors.github.reading import Cursor, RepositoryRead, next_link
from goldthread.connectors.github.redirects import repository_id
from goldthread.connectors.github.writing import GitHubWriter, split_key
from goldthread.connectors.health import Health
from goldthread.connectors.pacing import ContentLimits
from goldthread.connectors.retrying import RetrySettings
from goldthread.core.model import CommentDoc, OwnComment, RateBudget, RequestStats, WorkItem
from goldthread.core.references import SourceIndex
from goldthread.core.scope import SourceScope, repo_in_scope
from goldthread.errors import SkippableError

USER_REPOS_AFFILIATION = "owner,collaborator,organization_member"


def web_host(base_url: str) -> str:
    """The host people browse: ``api.github.com`` -> ``github.com``; GHES as is."""
    if base_url.rstrip("/") == DEFAULT_BASE_URL:
        return "github.com"
    return urlsplit(base_url).netloc


class GitHubConnector:
    """One configured GitHub source."""

    def __init__(
        self, options: GitHubOptions, clock: Clock, *, retry: RetrySettings | None = None
    ) -> None:
        self.options = options
        self._http = GitHubHttp(options, clock, retry=retry)
        self._login: str | None = None
        self._renamed: dict[str, str] = {}
        self._looked_up: set[str] = set()
        self._user_repos: list[str] | None = None
        self.permissions: dict[str, dict[str, bool]] = {}  # repo -> the account's, from check
        self.unreadable: dict[str, str] = {}  # repo -> why check could not read it
        self._writer = GitHubWriter(self._http, options, self._identity)
        own = own_source_index(
            options.index, options.name, web_host(options.base_url), options.repos
        )
        self._ctx = ParseContext(
            source=options.name,
            repo="",
            patterns=options.reference_patterns,
            index=options.index,
            own_index=own,
        )

    @property
    def name(self) -> str:
        return self.options.name

    @property
    def stats(self) -> RequestStats:
        return self._http.stats

    def budget(self) -> RateBudget | None:
        return self._http.budget()

    def close(self) -> None:
        self._http.close()

    def content_limits(self) -> ContentLimits | None:
        """GitHub.com's documented content-creation limits, on this credential's line."""
        limited = self.options.content_limited
        if limited is None:
            limited = self.options.base_url.rstrip("/") == DEFAULT_BASE_URL
        if not limited:
            return None
        who = self.options.token or f"app:{self.options.app_id}"
        digest = hashlib.sha256(f"{self.options.base_url}\n{who}".encode()).hexdigest()[:20]
        return ContentLimits(line=f"content:{digest}", floor=self._http.pacer.interval)

    # ---------------------------------------------------------------- identity

    def _identity(self) -> str:
        """goldthread's own login: the user of the token, or the App's bot."""
        if self._login is None:
            if self._http.is_app:
                reply = self._http.call("GET", "/app", owner=None)
                self._login = f"{reply.data['slug']}[bot]"
            else:
                reply = self._http.call("GET", "/user", owner="")
                self._login = str(reply.data["login"])
        return self._login

    def check(self) -> str:
        """Authenticate, and look each configured repository up by its name:
        one found under a new name shows in :meth:`scope` as renamed."""
        login = self._identity()
        if self._http.is_app:
            for owner in sorted({repo.partition("/")[0] for repo in self.options.repos}):
                self._http.call("GET", "/rate_limit", owner=owner)
        self._look_up_names(self.options.repos)
        return f"{login}; {self.link_kinds().describe()}"

    def examine(self, *, writes: bool) -> Health:
        """What this source can read and write, its link kinds and budget (the doctor)."""
        from goldthread.connectors.github.doctoring import examine

        return examine(self, writes=writes)

    @property
    def http(self) -> GitHubHttp:
        return self._http

    def identity(self) -> str:
        """goldthread's login on this host (one request, the first time)."""
        return self._identity()

    def readable_repositories(self) -> list[str]:
        """Every repository a token's user can read (owned, collaborating, through an
        organisation), or a GitHub App installation's."""
        if self._http.is_app:
            owners = {repo.partition("/")[0] for repo in self.options.repos}
            return sorted({n for owner in owners for n in self._owner_repos(owner)})
        return list(self._listed_by_user())

    def link_kinds(self) -> LinkKinds:
        """What this server offers, by the version it announced (after a first request)."""
        dotcom = self.options.base_url.rstrip("/") == DEFAULT_BASE_URL
        return link_kinds(
            host=None if dotcom else web_host(self.options.base_url),
            version=self._http.enterprise_version,
            patterns=bool(self.options.reference_patterns),
        )

    def _look_up_names(self, repos: Sequence[str]) -> None:
        """Look each of ``repos`` (configured names) up: a renamed one's answer
        (after GitHub's redirect) gives its current name."""
        for repo in repos:
            if repo.endswith("/*"):
                continue
            try:
                reply = self._http.call("GET", f"/repos/{repo}", owner=repo.partition("/")[0])
            except SkippableError as error:
                self.unreadable[repo] = str(error)  # the first read says so too, naming it
                continue
            self._note_name(repo, reply.data)
            granted = reply.data.get("permissions") if isinstance(reply.data, dict) else None
            if isinstance(granted, dict):
                self.permissions[repo] = {str(k): bool(v) for k, v in granted.items()}

    def _learn_names_for(self, keys: Sequence[str]) -> None:
        """Keys in a repository this source does not know by that name may be
        under a watched repository's new name (its webhooks say so before a
        read does): the configured repositories not known renamed are looked
        up, once per such name, before anything is read under it."""
        scope = self.scope()
        unknown = {
            split_key(key)[1].casefold()
            for key in keys
            if not repo_in_scope(scope, split_key(key)[1])
        } - self._looked_up
        if not unknown:
            return
        self._looked_up |= unknown
        self._look_up_names([repo for repo in self.options.repos if repo not in self._renamed])

    # ---------------------------------------------------------------- scope and renames

    @property
    def old_keys_resolve(self) -> bool:
        """GitHub answers a write under a transferred issue's old URL with ``301``,
        which goldthread does not follow (:mod:`.redirects`)."""
        return False

    def scope(self) -> SourceScope:
        return SourceScope(
            self.name, repos=self.options.repos, renamed=tuple(self._renamed.items())
        )

    def _note_name(self, configured: str, data: Any) -> str:
        """Record ``configured``'s current name from a repository payload; return it."""
        full_name = data.get("full_name") if isinstance(data, dict) else None
        if not isinstance(full_name, str) or full_name.casefold() == configured.casefold():
            return configured
        if self._renamed.get(configured) != full_name:
            self._renamed[configured] = full_name
            self._ctx = dataclasses.replace(
                self._ctx,
                index=self._with_renames(self._ctx.index),
                own_index=self._with_renames(self._ctx.own_index),
            )
        return full_name

    def _with_renames(self, index: SourceIndex) -> SourceIndex:
        renamed = tuple(self._renamed.items())
        github = tuple(
            dataclasses.replace(info, renamed=renamed) if info.name == self.name else info
            for info in index.github
        )
        return dataclasses.replace(index, github=github)

    def _learn(self, repo: str, followed: tuple[str, ...]) -> ParseContext:
        """A read of ``repo`` was redirected: learn its current name (one request)."""
        current = repo
        found = repository_id(followed[-1]) if followed else None
        if found is not None:
            reply = self._http.call("GET", f"/repositories/{found}", owner=repo.partition("/")[0])
            current = self._note_name(repo, reply.data)
        return with_repo(self._ctx, current)

    # ---------------------------------------------------------------- reading

    def scopes(self) -> list[str]:
        found: list[str] = []
        for entry in self.options.repos:
            owner, _, repo = entry.partition("/")
            names = self._owner_repos(owner) if repo == "*" else [entry]
            found.extend(name for name in names if name not in found)
        return found

    def _owner_repos(self, owner: str) -> list[str]:
        """Every repository of ``owner`` the credentials can read, private ones included.

        A GitHub App lists its installation's repositories; a token lists the
        user's own (``/user/repos``: owned, collaborating, through an
        organisation), and an organisation's where that finds none of the
        owner's. ``/users/{u}/repos`` is never used: it lists public ones only.
        """
        wanted = owner.casefold()
        if self._http.is_app:
            found = self._list_names(owner, "/installation/repositories", {"per_page": "100"})
        else:
            found = [n for n in self._listed_by_user() if n.partition("/")[0].casefold() == wanted]
        mine = [name for name in found if name.partition("/")[0].casefold() == wanted]
        if mine or self._http.is_app:
            return mine
        try:
            params = {"per_page": "100", "type": "all"}
            return self._list_names(owner, f"/orgs/{owner}/repos", params)
        except SkippableError as error:
            if error.status != 404:
                raise
        raise SkippableError(
            f"no repository of {owner!r} readable with these credentials",
            source=self.name,
            status=404,
        )

    def _listed_by_user(self) -> list[str]:
        if self._user_repos is None:
            params = {"per_page": "100", "affiliation": USER_REPOS_AFFILIATION}
            self._user_repos = self._list_names("", "/user/repos", params)
        return self._user_repos

    def _list_names(self, owner: str, first: str, params: dict[str, str]) -> list[str]:
        names: list[str] = []
        url: str | None = first
        query: dict[str, str] | None = params
        while url is not None:
            reply = self._http.call("GET", url, owner=owner, params=query)
            data = reply.data
            repos = data.get("repositories") if isinstance(data, dict) else data
            names.extend(
                repo["full_name"]
                for repo in (repos if isinstance(repos, list) else [])
                if isinstance(repo, dict) and isinstance(repo.get("full_name"), str)
            )
            url, query = next_link(reply.headers.get("link")), None
        return sorted(names, key=str.casefold)

    def read(self, scope: str, cursor: str | None) -> RepositoryRead:
        return RepositoryRead(
            self._http,
            with_repo(self._ctx, self._renamed.get(scope, scope)),
            Cursor.load(cursor),
            include_pull_requests=self.options.include_pull_requests,
            on_redirect=lambda followed: self._learn(scope, followed),
        )

    def get(self, keys: Sequence[str]) -> list[WorkItem]:
        """Fresh copies; a transferred issue (``301``) under its new key, a
        deleted one (``404``/``410``) left out, and a renamed repository's
        issues under its new name, once GitHub has confirmed it."""
        self._learn_names_for(keys)
        items: list[WorkItem] = []
        for key in keys:
            owner, repo, number = split_key(key)
            try:
                reply = self._http.call("GET", f"/repos/{repo}/issues/{number}", owner=owner)
            except SkippableError as error:
                if error.status in (404, 410):
                    continue
                raise SkippableError(
                    f"{self.name}:{key}: {error}", source=self.name, status=error.status
                ) from error
            if not isinstance(reply.data, dict):
                continue
            if is_pull_request(reply.data) and not self.options.include_pull_requests:
                continue
            items.append(parse_issue(reply.data, with_repo(self._ctx, repo)))
        return items

    # ---------------------------------------------------------------- writing

    def add_label(self, item: WorkItem, label: str) -> None:
        self._writer.add_label(item, label)

    def remove_label(self, item: WorkItem, label: str) -> None:
        self._writer.remove_label(item, label)

    def find_own_comment(self, item: WorkItem, *, fresh: bool = False) -> OwnComment | None:
        return self._writer.find_own_comment(item, trust_count=not fresh)

    def create_comment(self, item: WorkItem, doc: CommentDoc) -> OwnComment:
        return self._writer.create_comment(item, doc)

    def update_comment(self, item: WorkItem, comment_id: str, doc: CommentDoc) -> OwnComment:
        return self._writer.update_comment(item, comment_id, doc)

    def delete_comment(self, item: WorkItem, comment_id: str) -> None:
        self._writer.delete_comment(item, comment_id)
