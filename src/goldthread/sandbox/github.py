"""A local stand-in for the GitHub REST API, good enough for unmodified PyGithub.

It serves the issues, comments, labels and sub-issue links goldthread reads
and writes, with GitHub's pagination (``Link``), conditional requests (weak
ETags, free 304s), primary rate limit headers, secondary-limit faults and
(when :meth:`GitHubStandIn.limit_content` turns them on) GitHub.com's
content-creation limits, at the root or under ``/api/v3`` (Enterprise
Server). An Enterprise Server serves what its version's description has
(:class:`Features`): every answer carries ``X-GitHub-Enterprise-Version``;
issues carry ``parent_issue_url`` and ``type`` from 3.16 on; no version has
the sub-issue endpoints or the ``sub_issues`` and ``issues.typed`` webhooks. Changes made through the
API or through the control methods below fire signed webhook deliveries, as
GitHub does, including for goldthread's own writes.

Control methods are the seam for tests and the sandbox facade; they act as a
person (``human``) editing the tracker in the web UI, and raise
:class:`~goldthread.sandbox.github_store.StoreError` (``status`` 404 or 422)
for a missing issue or a change GitHub would refuse.
"""

from __future__ import annotations

import dataclasses
import hashlib
import re
import secrets
import threading
import time
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

from goldthread.sandbox import github_moves as moves
from goldthread.sandbox import github_mutations as mutate
from goldthread.sandbox import github_payloads as payloads
from goldthread.sandbox import github_routes
from goldthread.sandbox.faults import Fault
from goldthread.sandbox.github_mutations import Event
from goldthread.sandbox.github_payloads import Urls
from goldthread.sandbox.github_rates import ContentLimit, RateBudget
from goldthread.sandbox.github_records import IssueRecord
from goldthread.sandbox.github_store import GitHubStore
from goldthread.sandbox.github_webhooks import Delivery, WebhookSender
from goldthread.sandbox.http import Request, Response, StandIn
from goldthread.sandbox.seeds import GitHubIssueSeed

BOT_LOGIN = "goldthread-bot"
HUMAN_LOGIN = "sandbox-user"
SECONDARY_LIMIT = (
    "You have exceeded a secondary rate limit and have been temporarily blocked from "
    "content creation. Please retry your request again later."
)
_JSON = {"Content-Type": "application/json; charset=utf-8"}
# Content-creating requests: a comment, an issue.
_CREATES = re.compile(r"^/repos/[^/]+/[^/]+/issues(?:/\d+/comments)?$")


@dataclass(frozen=True, slots=True)
class Features:
    """What a GitHub server's REST description has, as far as goldthread cares."""

    parent_field: bool = True  # parent_issue_url on issues
    issue_types: bool = True  # type on issues, the list's type filter
    sub_issue_api: bool = True  # /parent, /sub_issues, /sub_issue endpoints
    hierarchy_webhooks: bool = True  # sub_issues, issues.typed / untyped

    @classmethod
    def of(cls, enterprise_version: str | None) -> Features:
        """GitHub.com (``None``) has everything; Enterprise Server by its version."""
        if enterprise_version is None:
            return cls()
        major, minor = (int(part) for part in enterprise_version.split(".")[:2])
        newer = (major, minor) >= (3, 16)
        return cls(
            parent_field=newer, issue_types=newer, sub_issue_api=False, hierarchy_webhooks=False
        )


class GitHubStandIn(StandIn):
    server_name = "github"

    def __init__(
        self,
        token: str = "sandbox-token",  # noqa: S107 - the sandbox's well-known token
        rate_limit: int = 5000,
        enterprise: bool = False,
        *,
        enterprise_version: str = "3.19",
        token_scopes: tuple[str, ...] | None = ("repo",),
        web_host: str = "github.localhost",
        now: Callable[[], float] = time.time,
        web_scheme: str = "https",
    ) -> None:
        super().__init__()
        self.token = token
        self.enterprise = enterprise
        self.enterprise_version = enterprise_version
        self.features = Features.of(enterprise_version if enterprise else None)
        self.prefix = "/api/v3" if enterprise else ""
        self._web_host = web_host
        self._web_scheme = web_scheme
        self.human = HUMAN_LOGIN
        self.actor = BOT_LOGIN  # whose token the API requests carry
        self._now = now
        self.store = GitHubStore(self.now)
        if not self.features.parent_field:
            self.store.omitted |= {"parent_issue_url"}
        if not self.features.issue_types:
            self.store.omitted |= {"type"}
        self.rates = RateBudget(rate_limit, self.now)
        self.content: ContentLimit | None = None
        self.webhooks = WebhookSender()
        self.installation_tokens: dict[str, float] = {}
        # A classic token's scopes, sent as X-OAuth-Scopes (None: a fine-grained
        # token, which GitHub answers without the header).
        self.token_scopes = token_scopes
        self.app_permissions: dict[str, str] = {"issues": "write", "metadata": "read"}
        self._charged = threading.local()
        self._sync_urls()
        github_routes.register(self)
        self._register_account_routes()

    # ------------------------------------------------------------ clock

    def now(self) -> float:
        return self._now()

    def clock_datetime(self) -> datetime:
        return datetime.fromtimestamp(self.now(), UTC)

    @property
    def api_url(self) -> str:
        """The base URL a client is configured with (``.../api/v3`` on Enterprise)."""
        return self.base_url + self.prefix

    def start(self, host: str = "127.0.0.1", port: int = 0) -> str:
        """Serve in a background thread; return the API base URL for clients."""
        super().start(host, port)
        self._sync_urls()
        return self.api_url

    @property
    def web_host(self) -> str:
        """The host of ``html_url`` links (what goldthread matches in issue bodies)."""
        return self._web_host

    @web_host.setter
    def web_host(self, host: str) -> None:
        self._web_host = host
        self._sync_urls()

    def _sync_urls(self) -> None:
        web = f"{self._web_scheme}://{self._web_host}"
        if self.enterprise:
            self.webhooks.extra_headers = {
                "X-GitHub-Enterprise-Version": f"{self.enterprise_version}.0",
                "X-GitHub-Enterprise-Host": self._web_host,
            }
        with self.lock:
            self.store.set_urls(Urls(api=self.api_url or "http://127.0.0.1", web=web))

    # ------------------------------------------------------------ request hooks

    def before(self, request: Request) -> Response | None:
        self._charged.value = False
        path = request.path[len(self.prefix) :] if self.prefix else request.path
        if self.prefix and not request.path.startswith(self.prefix + "/"):
            return None  # unknown path: the router answers 404
        credentials = _credentials(request.headers.get("authorization", ""))
        if path == "/app" or path.startswith("/app/") or path.endswith("/installation"):
            if credentials is None or credentials.count(".") != 2:
                return github_routes.error(401, "A JSON web token could not be decoded")
            return None
        if not self._valid_token(credentials):
            return github_routes.error(401, "Bad credentials")
        if path == "/rate_limit":
            return None
        if not self.rates.take():
            message = f"API rate limit exceeded for user ID {payloads.stable_id(self.actor)}."
            return github_routes.error(403, message)
        self._charged.value = True
        return self._content_limited(request, path)

    def limit_content(
        self, *, retry_after: bool = True, per_minute: int = 80, per_hour: int = 500
    ) -> ContentLimit:
        """Enforce GitHub's content-creation limits from now on."""
        self.content = ContentLimit(
            self.now, per_minute=per_minute, per_hour=per_hour, retry_after=retry_after
        )
        return self.content

    def _content_limited(self, request: Request, path: str) -> Response | None:
        """A content-creating request over the limit: 403, secondary-limit message."""
        creating = request.method == "POST" and _CREATES.match(path) is not None
        if self.content is None or not creating:
            return None
        wait = self.content.take()
        if wait is None:
            return None
        headers = {"retry-after": str(int(wait) + 1)} if self.content.retry_after else {}
        body = {"message": SECONDARY_LIMIT, "documentation_url": "https://docs.github.com/rest"}
        return Response(403, body, headers)

    def dispatch(self, request: Request) -> Response:
        """Moved things answer as GitHub does; ``/repositories/{id}`` is the repository."""
        path = request.path[len(self.prefix) :]
        with self.lock:
            current = moves.by_id(self.store, path)
            if current is not None:  # served as that path; logged as asked
                request = dataclasses.replace(request, path=self.prefix + current)
                path = current
            answer = moves.answer_moved(self.store, request, path, self.api_url)
        return answer or super().dispatch(request)

    def _valid_token(self, credentials: str | None) -> bool:
        if credentials is None:
            return False
        if secrets.compare_digest(credentials, self.token):
            return True
        expires = self.installation_tokens.get(credentials)
        return expires is not None and expires > self.now()

    def after(self, request: Request, response: Response) -> None:
        charged = getattr(self._charged, "value", False)
        self._charged.value = False
        if request.method == "GET" and response.status == 200:
            data = response.encode()
            etag = f'W/"{hashlib.md5(data, usedforsecurity=False).hexdigest()}"'
            response.headers["ETag"] = etag
            response.headers.setdefault("Content-Type", _JSON["Content-Type"])
            response.raw = data
            if etag in request.headers.get("if-none-match", ""):
                response.status, response.raw, response.payload = 304, b"", None
                response.headers.pop("Content-Type", None)
                if charged:
                    self.rates.refund()
        response.headers.update(self.rates.headers())
        credentials = _credentials(request.headers.get("authorization", ""))
        if self.token_scopes is not None and credentials == self.token:
            response.headers["X-OAuth-Scopes"] = ", ".join(self.token_scopes)
            response.headers["X-Accepted-OAuth-Scopes"] = ""
        if self.enterprise:
            response.headers["X-GitHub-Enterprise-Version"] = f"{self.enterprise_version}.0"

    def fault_response(self, fault: Fault) -> Response:
        if fault.status in (403, 429):
            retry = str(int(fault.retry_after or 60))
            return Response(
                fault.status,
                {"message": SECONDARY_LIMIT, "documentation_url": "https://docs.github.com/rest"},
                {"retry-after": retry},
            )
        return super().fault_response(fault)

    # ------------------------------------------------------------ account and app routes

    def _register_account_routes(self) -> None:
        p = self.prefix
        self.route(
            "GET",
            p + "/user",
            lambda r: Response(200, payloads.private_user(self.store.urls, self.actor)),
        )
        self.route("GET", p + "/users/(?P<login>[^/]+)", lambda r: self._owner(r, "User"))
        self.route("GET", p + "/orgs/(?P<login>[^/]+)", lambda r: self._owner(r, "Org"))
        self.route("GET", p + "/rate_limit", lambda r: Response(200, self.rates.overview()))
        self.route("GET", p + "/(?:orgs|users)/(?P<login>[^/]+)/repos", self._owner_repos)
        self.route("GET", p + "/user/repos", self._owner_repos)
        self.route("GET", p + "/installation/repositories", self._installation_repos)
        self.route("GET", p + "/app", lambda r: Response(200, self._app()))
        installation = p + r"/(?:repos/[^/]+/[^/]+|orgs/[^/]+|users/[^/]+)/installation"
        self.route("GET", installation, lambda r: Response(200, self._installation()))
        tokens = p + r"/app/installations/(?P<id>\d+)/access_tokens"
        self.route("POST", tokens, self._issue_installation_token)

    def _user(self, login: str) -> dict[str, Any]:
        return payloads.user(self.store.urls, login)

    def _owner(self, request: Request, kind: str) -> Response:
        login = request.params["login"]
        with self.lock:
            owners = {name.split("/")[0] for name in self.store.repos} | {self.actor}
        if login not in owners:
            return github_routes.error(404, "Not Found")
        if kind == "Org":
            return Response(200, payloads.organisation(self.store.urls, login))
        return Response(200, self._user(login))

    def _owner_repos(self, request: Request) -> Response:
        """An owner's repositories; ``/user/repos``: every one (the token reads them all)."""
        login = request.params.get("login")
        with self.lock:
            names = sorted(n for n in self.store.repos if login in (None, n.split("/")[0]))
            window, headers = github_routes.page_of(self, request, len(names))
            repos = [self.store.repository_json(name) for name in names[window]]
        return Response(200, repos, headers)

    def _installation_repos(self, request: Request) -> Response:
        with self.lock:
            names = sorted(self.store.repos)
            window, headers = github_routes.page_of(self, request, len(names))
            repos = [self.store.repository_json(name) for name in names[window]]
        return Response(200, {"total_count": len(names), "repositories": repos}, headers)

    def _app(self) -> dict[str, Any]:
        """``GET /app``: the GitHub App the JWT was signed for."""
        web = f"{self._web_scheme}://{self._web_host}"
        return {
            "id": 1,
            "slug": "goldthread",
            "node_id": payloads.node_id("Integration", 1),
            "client_id": "Iv1.sandbox",
            "owner": self._user(self.actor),
            "name": "goldthread",
            "description": "Keeps the golden thread intact",
            "external_url": web,
            "html_url": f"{web}/apps/goldthread",
            "created_at": "2024-01-01T00:00:00Z",
            "updated_at": "2024-01-01T00:00:00Z",
            "permissions": dict(self.app_permissions),
            "events": ["issues", "issue_comment", "sub_issues"],
        }

    def _installation(self) -> dict[str, Any]:
        web = f"{self._web_scheme}://{self._web_host}"
        return {
            "id": 1,
            "app_id": 1,
            "app_slug": "goldthread",
            "target_id": payloads.stable_id(self.actor),
            "single_file_name": None,
            "html_url": f"{web}/settings/installations/1",
            "repositories_url": f"{self.api_url}/installation/repositories",
            "created_at": "2024-01-01T00:00:00Z",
            "updated_at": "2024-01-01T00:00:00Z",
            "suspended_by": None,
            "suspended_at": None,
            "target_type": "Organization",
            "account": self._user(self.actor),
            "access_tokens_url": f"{self.api_url}/app/installations/1/access_tokens",
            "repository_selection": "all",
            "permissions": dict(self.app_permissions),
            "events": ["issues", "issue_comment", "sub_issues"],
        }

    def _issue_installation_token(self, request: Request) -> Response:
        token = "ghs_" + secrets.token_hex(18)
        expires = self.now() + 3600
        self.installation_tokens[token] = expires
        body = {
            "token": token,
            "expires_at": payloads.iso(expires),
            "permissions": dict(self.app_permissions),
            "repository_selection": "all",
        }
        return Response(201, body)

    # ------------------------------------------------------------ control: data

    def add_repo(self, name: str) -> None:
        """Make an (empty) repository exist, e.g. for ``acme/*`` expansion."""
        with self.lock:
            self.store.repo(name, create=True)

    def load(self, seeds: Iterable[GitHubIssueSeed]) -> None:
        """Insert seeded issues (no webhooks); parents may come in any order."""
        with self.lock:
            pending = []
            for seed in seeds:
                record = mutate.add(self.store, seed, self.human)
                if seed.parent is not None:
                    pending.append((record, seed.parent))
            for record, parent in pending:
                mutate.link_parent(self.store, record, parent)

    def issue(self, repo: str, number: int) -> dict[str, Any]:
        with self.lock:
            return self.store.issue_json(self.store.get(repo, number))

    def comments(self, repo: str, number: int) -> list[dict[str, Any]]:
        with self.lock:
            record = self.store.get(repo, number)
            return [self.store.comment_json(c) for c in self.store.comments_of(record)]

    def labels(self, repo: str, number: int) -> list[str]:
        with self.lock:
            return list(self.store.get(repo, number).labels)

    # ------------------------------------------------------------ control: changes

    def create_issue(self, seed: GitHubIssueSeed) -> dict[str, Any]:
        with self.lock:
            self.emit(mutate.create(self.store, seed, self.human))
            record = self.store.get(seed.repo, seed.number)
            if seed.parent is not None:
                self.emit(mutate.set_parent(self.store, record, seed.parent, self.human))
            return self.store.issue_json(record)

    def set_labels(self, repo: str, number: int, labels: Iterable[str]) -> None:
        self._change(
            repo, number, lambda r: mutate.replace_labels(self.store, r, list(labels), self.human)
        )

    def set_parent(self, repo: str, number: int, parent: tuple[str, int] | None) -> None:
        self._change(repo, number, lambda r: mutate.set_parent(self.store, r, parent, self.human))

    def set_body(self, repo: str, number: int, body: str) -> None:
        self._change(repo, number, lambda r: mutate.set_body(self.store, r, body, self.human))

    def set_state(self, repo: str, number: int, state: str, reason: str | None = None) -> None:
        self._change(
            repo, number, lambda r: mutate.set_state(self.store, r, state, reason, self.human)
        )

    def set_type(self, repo: str, number: int, type_name: str | None) -> None:
        self._change(repo, number, lambda r: mutate.set_type(self.store, r, type_name, self.human))

    def rename_repo(self, repo: str, new_name: str) -> None:
        """Rename a repository: the old name redirects (``301`` reads, ``307`` writes)."""
        with self.lock:
            self.emit(moves.rename(self.store, repo, new_name, self.human))

    def transfer_issue(self, repo: str, number: int, new_repo: str) -> int:
        """Transfer an issue to ``new_repo``; returns its new number. Its old URL answers 301."""
        with self.lock:
            record = self.store.get(repo, number)
            self.emit(moves.transfer(self.store, record, new_repo, self.human))
            return record.number

    def delete_issue(self, repo: str, number: int) -> None:
        """Delete an issue: its URL answers ``410 Gone``."""
        self._change(repo, number, lambda r: moves.delete(self.store, r, self.human))

    def bad_redirect(self, repo: str, number: int, kind: str | None) -> None:
        """Answer every request under the issue's URL with a redirect goldthread
        must refuse: ``loop`` (to itself), ``other-host`` or ``no-location``;
        ``None`` stops it. No webhook: nothing changed on the issue."""
        with self.lock:
            moves.set_bad_redirect(self.store, repo, number, kind)

    def _change(self, repo: str, number: int, change: Callable[[IssueRecord], list[Event]]) -> None:
        with self.lock:
            self.emit(change(self.store.get(repo, number)))

    # ------------------------------------------------------------ control: webhooks

    def set_webhook(self, url: str | None, secret: str | None) -> None:
        """Deliver every later change to ``url``, signed with ``secret``."""
        self.webhooks.configure(url, secret)

    def emit(self, events: list[Event]) -> None:
        for event in events:
            hierarchy = event.name == "sub_issues" or (
                event.name == "issues" and event.payload.get("action") in ("typed", "untyped")
            )
            if hierarchy and not self.features.hierarchy_webhooks:
                continue  # not a webhook this server's version sends
            self.webhooks.enqueue(event.name, event.payload)

    def flush_webhooks(self, timeout: float = 5.0) -> bool:
        return self.webhooks.flush(timeout)

    @property
    def deliveries(self) -> list[Delivery]:
        return list(self.webhooks.deliveries)


def _credentials(header: str) -> str | None:
    scheme, _, value = header.strip().partition(" ")
    if scheme.lower() in ("token", "bearer") and value.strip():
        return value.strip()
    return None
