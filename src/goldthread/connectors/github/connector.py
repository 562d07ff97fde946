"""The GitHub connector: GitHub.com and GitHub Enterprise Server.

It composes the request client (:mod:`.client`), the reader
(:mod:`.reading`) and the writer (:mod:`.writing`) behind goldthread's
:class:`~goldthread.connectors.base.Connector` protocol. Keys are
``owner/repo#N``; refs ``<source>:owner/repo#N``.
"""

from __future__ import annotations

from collections.abc import Sequence
from urllib.parse import urlsplit

from goldthread.clock import Clock
from goldthread.connectors.github.client import GitHubHttp
from goldthread.connectors.github.options import DEFAULT_BASE_URL, GitHubOptions
from goldthread.connectors.github.parsing import (
    ParseContext,
    is_pull_request,
    own_source_index,
    parse_issue,
    with_repo,
)
from goldthread.connectors.github.reading import Cursor, RepositoryRead, next_link
from goldthread.connectors.github.writing import GitHubWriter, split_key
from goldthread.connectors.retrying import RetrySettings
from goldthread.core.model import CommentDoc, OwnComment, RateBudget, RequestStats, WorkItem
from goldthread.errors import SkippableError


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
        login = self._identity()
        if self._http.is_app:
            for owner in sorted({repo.partition("/")[0] for repo in self.options.repos}):
                self._http.call("GET", "/rate_limit", owner=owner)
        return login

    # ---------------------------------------------------------------- reading

    def scopes(self) -> list[str]:
        found: list[str] = []
        for entry in self.options.repos:
            owner, _, repo = entry.partition("/")
            names = self._owner_repos(owner) if repo == "*" else [entry]
            found.extend(name for name in names if name not in found)
        return found

    def _owner_repos(self, owner: str) -> list[str]:
        """Every repository of ``owner`` the credentials can read."""
        for first in (f"/orgs/{owner}/repos", f"/users/{owner}/repos"):
            try:
                return self._list_names(owner, first)
            except SkippableError as error:
                if error.status != 404:
                    raise
        raise SkippableError(f"no GitHub owner {owner!r}", source=self.name, status=404)

    def _list_names(self, owner: str, first: str) -> list[str]:
        names: list[str] = []
        url: str | None = first
        params: dict[str, str] | None = {"per_page": "100", "type": "all"}
        while url is not None:
            reply = self._http.call("GET", url, owner=owner, params=params)
            repos = reply.data if isinstance(reply.data, list) else []
            names.extend(
                repo["full_name"]
                for repo in repos
                if isinstance(repo, dict) and isinstance(repo.get("full_name"), str)
            )
            url, params = next_link(reply.headers.get("link")), None
        return sorted(names, key=str.casefold)

    def read(self, scope: str, cursor: str | None) -> RepositoryRead:
        return RepositoryRead(
            self._http,
            with_repo(self._ctx, scope),
            Cursor.load(cursor),
            include_pull_requests=self.options.include_pull_requests,
        )

    def get(self, keys: Sequence[str]) -> list[WorkItem]:
        items: list[WorkItem] = []
        for key in keys:
            owner, repo, number = split_key(key)
            try:
                reply = self._http.call("GET", f"/repos/{repo}/issues/{number}", owner=owner)
            except SkippableError as error:
                if error.status in (404, 410):
                    continue
                raise
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

    def find_own_comment(self, item: WorkItem) -> OwnComment | None:
        return self._writer.find_own_comment(item)

    def create_comment(self, item: WorkItem, doc: CommentDoc) -> OwnComment:
        return self._writer.create_comment(item, doc)

    def update_comment(self, item: WorkItem, comment_id: str, doc: CommentDoc) -> OwnComment:
        return self._writer.update_comment(item, comment_id, doc)

    def delete_comment(self, item: WorkItem, comment_id: str) -> None:
        self._writer.delete_comment(item, comment_id)
