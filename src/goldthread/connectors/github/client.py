"""Every HTTP request to GitHub goes through :class:`GitHubHttp`.

It owns the PyGithub requesters (one for a token; one per owner for a
GitHub App installation, plus one signed as the App), the pinned API
version, goldthread's user agent and the timeout. PyGithub's own retries
and sleeps are turned off: :func:`~goldthread.connectors.retrying.call_with_retry`
is the one retry policy, :class:`WritePacer` spaces mutating requests, and
:class:`BudgetThrottle` slows down before the primary budget runs out.
Raw ``requestJson`` calls return plain dicts, so PyGithub never completes
a lazy object behind our back. Each answer's ``x-ratelimit-*`` headers are
read; errors are translated at this boundary.

Redirects are goldthread's to follow, not PyGithub's (which drops a
``301``'s query and reads a ``307`` as the answer): requests go through a
connection that hides ``Location`` from PyGithub, and :meth:`GitHubHttp.send`
repeats the same request where :func:`~.redirects.next_hop` says, or fails
with an error naming the request.
"""

from __future__ import annotations

import json
import math
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any
from urllib.parse import urlencode, urlsplit

import requests
from github import Github, GithubException
from github.Requester import HTTPRequestsConnectionClass, HTTPSRequestsConnectionClass, Requester

import goldthread
from goldthread.clock import Clock
from goldthread.connectors.github.auth import (
    InstallationToken,
    InstallationTokens,
    SuppliedAuth,
    app_jwt,
)
from goldthread.connectors.github.errors import translate
from goldthread.connectors.github.options import API_VERSION, GitHubOptions
from goldthread.connectors.github.redirects import REDIRECTS, RedirectRefused, next_hop
from goldthread.connectors.pacing import BudgetThrottle, WritePacer
from goldthread.connectors.retrying import RetrySettings, call_with_retry
from goldthread.core.keys import is_github_com
from goldthread.core.model import RateBudget, RequestStats
from goldthread.errors import SkippableError

USER_AGENT = f"goldthread/{goldthread.__version__}"
_TOKEN_SCHEME = "token"  # noqa: S105 - the Authorization scheme name, not a secret
_BEARER_SCHEME = "Bearer"
# GitHub.com asks for at least a second between mutating requests. Enterprise
# Server administrators set their own limits (and local stand-ins have none),
# so there ``writes_per_minute`` alone paces writes.
MIN_WRITE_INTERVAL = 1.0

_TRANSPORT_ERRORS = (requests.RequestException, OSError, ValueError, RuntimeError)


HIDDEN_LOCATION = "X-Goldthread-Location"
"""Where a redirect's ``Location`` is moved so that PyGithub does not follow it."""


@dataclass(frozen=True, slots=True)
class Reply:
    """One answer; ``followed`` lists the URLs redirects led to, in order."""

    status: int
    headers: Mapping[str, str]
    data: Any
    followed: tuple[str, ...] = ()


def _hide_location(response: requests.Response, *args: object, **kwargs: object) -> None:
    if response.status_code in REDIRECTS and "Location" in response.headers:
        response.headers[HIDDEN_LOCATION] = response.headers.pop("Location")


class _UnfollowedHttp(HTTPRequestsConnectionClass):
    """PyGithub's connection, answering redirects without a ``Location``."""

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.session.hooks["response"].append(_hide_location)


class _UnfollowedHttps(HTTPSRequestsConnectionClass):
    """PyGithub's connection, answering redirects without a ``Location``."""

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.session.hooks["response"].append(_hide_location)


def _origin(url: str) -> tuple[str, str, int | None]:
    parts = urlsplit(url)
    default = {"https": 443, "http": 80}.get(parts.scheme)
    return parts.scheme, (parts.hostname or "").casefold(), parts.port or default


def _same_origin(url: str, base_url: str) -> bool:
    """Whether ``url`` is on the configured API's scheme, host and port."""
    return _origin(url) == _origin(base_url)


def _int(value: str | None) -> int | None:
    if value is None:
        return None
    try:
        return int(float(value))
    except ValueError:
        return None


class GitHubHttp:
    """Sends requests as the configured identity, paced, counted, translated."""

    def __init__(
        self, options: GitHubOptions, clock: Clock, *, retry: RetrySettings | None = None
    ) -> None:
        self.options = options
        self.clock = clock
        self.retry = retry or RetrySettings()
        self.stats = RequestStats()
        self.throttle = BudgetThrottle(clock)
        floor = MIN_WRITE_INTERVAL if is_github_com(options.base_url) else 0.0
        self.pacer = WritePacer(options.writes_per_minute, clock, min_interval=floor)
        self._requesters: dict[str, Requester] = {}
        self._connections: dict[
            str, HTTPRequestsConnectionClass | HTTPSRequestsConnectionClass
        ] = {}
        self.enterprise_version: str | None = None  # X-GitHub-Enterprise-Version, once seen
        self.oauth_scopes: tuple[str, ...] | None = None  # a classic token's X-OAuth-Scopes
        self.granted: dict[str, str] = {}  # a GitHub App's installation token permissions
        self._tokens: InstallationTokens | None = None
        if options.token is None:
            self._tokens = InstallationTokens(
                clock,
                lookup=self._lookup_installation,
                mint=self._mint_token,
                installation_id=options.installation_id,
            )

    @property
    def is_app(self) -> bool:
        return self._tokens is not None

    # ---------------------------------------------------------------- requesters

    def _build(self, auth: SuppliedAuth) -> Requester:
        github = Github(
            auth=auth,
            base_url=self.options.base_url.rstrip("/"),
            timeout=math.ceil(self.options.timeout),
            user_agent=USER_AGENT,
            per_page=100,
            retry=None,
            seconds_between_requests=None,
            seconds_between_writes=None,
            api_version=API_VERSION,
        )
        return github.requester

    def _auth_for(self, owner: str | None) -> tuple[str, SuppliedAuth]:
        """(requester key, auth) acting for ``owner`` (``None``: the App itself)."""
        token = self.options.token
        if token is not None:
            return "", SuppliedAuth(_TOKEN_SCHEME, lambda: token)
        if owner is None:
            return "\0app", SuppliedAuth(_BEARER_SCHEME, self._jwt)
        tokens = self._tokens
        assert tokens is not None
        return owner.lower(), SuppliedAuth(_TOKEN_SCHEME, lambda: tokens.current(owner))

    def _requester(
        self, owner: str | None
    ) -> tuple[Requester, HTTPRequestsConnectionClass | HTTPSRequestsConnectionClass]:
        key, auth = self._auth_for(owner)
        if key not in self._requesters:
            self._requesters[key] = self._build(auth)
            self._connections[key] = self._connection()
        return self._requesters[key], self._connections[key]

    def _connection(self) -> HTTPRequestsConnectionClass | HTTPSRequestsConnectionClass:
        parts = urlsplit(self.options.base_url)
        kind = _UnfollowedHttps if parts.scheme == "https" else _UnfollowedHttp
        return kind(parts.hostname or "", parts.port, timeout=math.ceil(self.options.timeout))

    def _jwt(self) -> str:
        app_id, key = self.options.app_id, self.options.private_key
        assert app_id is not None
        assert key is not None
        return app_jwt(app_id, key, self.clock.now())

    def _lookup_installation(self, owner: str) -> int:
        for path in (f"/orgs/{owner}/installation", f"/users/{owner}/installation"):
            try:
                reply = self.call("GET", path, owner=None)
            except SkippableError as error:
                if error.status == 404:
                    continue
                raise
            return int(reply.data["id"])
        raise SkippableError(
            f"the GitHub App is not installed for {owner}", source=self.options.name, status=404
        )

    def _mint_token(self, installation_id: int) -> InstallationToken:
        path = f"/app/installations/{installation_id}/access_tokens"
        reply = self.call("POST", path, owner=None)
        expires = datetime.fromisoformat(str(reply.data["expires_at"]).replace("Z", "+00:00"))
        granted = reply.data.get("permissions")
        if isinstance(granted, dict):
            self.granted = {str(k): str(v) for k, v in granted.items()}
        return InstallationToken(token=str(reply.data["token"]), expires_at=expires)

    # ---------------------------------------------------------------- requests

    def call(
        self,
        verb: str,
        url: str,
        *,
        owner: str | None,
        params: Mapping[str, Any] | None = None,
        headers: Mapping[str, str] | None = None,
        body: Any = None,
        retry: bool = True,
    ) -> Reply:
        """One logical request, retried per the policy unless ``retry`` is off.

        ``owner`` picks the installation for a GitHub App (``None``: as the
        App itself); with a token it makes no difference.
        """

        def attempt() -> Reply:
            return self.send(verb, url, owner=owner, params=params, headers=headers, body=body)

        if not retry:
            return attempt()
        return call_with_retry(attempt, clock=self.clock, settings=self.retry)

    def send(
        self,
        verb: str,
        url: str,
        *,
        owner: str | None,
        params: Mapping[str, Any] | None = None,
        headers: Mapping[str, str] | None = None,
        body: Any = None,
    ) -> Reply:
        """One request (and the redirects it is followed through); a failure
        raises a goldthread error.

        Mutating requests on repositories are paced; the App's own requests
        (minting installation tokens) are not tracker writes and are not.
        """
        target, query = url, dict(params or {})
        visited: set[str] = set()
        followed: list[str] = []
        while True:
            status, answer_headers, text = self._once(
                verb, target, owner=owner, params=query, headers=headers, body=body
            )
            if status not in REDIRECTS:
                return self._reply(status, answer_headers, text, tuple(followed))
            requested = self._absolute(target, query)
            visited.add(requested)
            try:
                target = next_hop(
                    verb, requested, status, answer_headers.get(HIDDEN_LOCATION.lower()), visited
                )
            except RedirectRefused as why:
                where = urlsplit(requested).path
                raise SkippableError(
                    f"{verb} {where}: {why}; not followed", source=self.options.name, status=status
                ) from None
            query = {}
            followed.append(target)

    def _absolute(self, url: str, params: Mapping[str, Any]) -> str:
        absolute = url if "://" in url else self.options.base_url.rstrip("/") + url
        if not params:
            return absolute
        return absolute + ("&" if "?" in absolute else "?") + urlencode(params)

    def _once(
        self,
        verb: str,
        url: str,
        *,
        owner: str | None,
        params: Mapping[str, Any],
        headers: Mapping[str, str] | None,
        body: Any,
    ) -> tuple[int, dict[str, Any], str]:
        if "://" in url and not _same_origin(url, self.options.base_url):
            # A page link GitHub sent naming another host: never sent there
            # with goldthread's credentials.
            where = urlsplit(url)
            raise SkippableError(
                f"{verb} {where.path}: GitHub pointed to another host ({where.hostname}); "
                "not followed",
                source=self.options.name,
            )
        if owner is not None and self._tokens is not None:
            self._tokens.ensure(owner)
        requester, connection = self._requester(owner)
        mutating = verb != "GET" and (owner is not None or not self.is_app)
        if mutating:
            self.pacer.wait()
        self.throttle.wait()
        try:
            status, answer_headers, text = requester.requestJson(
                verb,
                url,
                parameters=dict(params),
                headers=dict(headers or {}),
                input=body,
                cnx=connection,
            )
        except _TRANSPORT_ERRORS as error:
            self._count(mutating, None)
            raise translate(error, source=self.options.name, now=self.clock.now()) from error
        self._count(mutating, status)
        self._observe(answer_headers)
        return status, answer_headers, text

    def _reply(
        self, status: int, headers: dict[str, Any], text: str, followed: tuple[str, ...] = ()
    ) -> Reply:
        try:
            data = json.loads(text) if text else None
        except json.JSONDecodeError as error:
            if status < 400:
                raise translate(error, source=self.options.name) from error
            data = {"message": text[:200]}
        if status >= 400:
            output = data if isinstance(data, dict) else {}
            exc: GithubException = Requester.createException(status, headers, output)
            raise translate(exc, source=self.options.name, now=self.clock.now()) from exc
        return Reply(status, {k.lower(): str(v) for k, v in headers.items()}, data, followed)

    def _count(self, mutating: bool, status: int | None) -> None:
        self.stats.requests += 1
        if mutating:
            self.stats.writes += 1
        if status is not None:
            self.stats.by_status[status] = self.stats.by_status.get(status, 0) + 1
            if status == 304:
                self.stats.not_modified += 1

    def _observe(self, headers: Mapping[str, Any]) -> None:
        scopes = headers.get("x-oauth-scopes")
        if isinstance(scopes, str):
            self.oauth_scopes = tuple(part.strip() for part in scopes.split(",") if part.strip())
        version = headers.get("x-github-enterprise-version")
        if isinstance(version, str) and version.strip():
            self.enterprise_version = version.strip()
        remaining = _int(headers.get("x-ratelimit-remaining"))
        limit = _int(headers.get("x-ratelimit-limit"))
        reset = _int(headers.get("x-ratelimit-reset"))
        reset_at = datetime.fromtimestamp(reset, UTC) if reset is not None else None
        self.throttle.observe(remaining, limit, reset_at)

    def budget(self) -> RateBudget | None:
        throttle = self.throttle
        if throttle.remaining is None and throttle.limit is None:
            return None
        return RateBudget(throttle.remaining, throttle.limit, throttle.reset_at)

    def close(self) -> None:
        for requester in self._requesters.values():
            requester.close()
        for connection in self._connections.values():
            connection.close()
