"""The one ``jira.JIRA`` client of a source: auth, deployment, timeouts, retries.

Connecting is lazy (constructing a connector touches nothing) and costs two
requests for the life of the connector: ``serverInfo`` to learn whether this
is Cloud or Data Center, and ``field`` to find the Epic Link and Parent Link
custom fields by their schema type. On Cloud the client then speaks REST v3
(Atlassian Document Format bodies); on Data Center, v2 (wiki markup).

The library's own retry loop is turned off (``max_retries=0``: its
``ResilientSession`` would otherwise retry 429/503 after a jittered delay
that can be shorter than ``Retry-After``); every call goes through
:func:`~goldthread.connectors.retrying.call_with_retry` instead, with library
errors translated at this boundary.
"""

from __future__ import annotations

import json
from collections.abc import Callable, Mapping
from datetime import datetime
from typing import Any, TypeVar

import requests
from jira import JIRA
from jira.exceptions import JIRAError

from goldthread.clock import Clock
from goldthread.connectors.jira.errors import translate
from goldthread.connectors.jira.options import JiraOptions
from goldthread.connectors.retrying import RetrySettings, call_with_retry
from goldthread.core.model import RateBudget, RequestStats
from goldthread.errors import FatalSourceError

T = TypeVar("T")

EPIC_LINK_SCHEMA = "com.pyxis.greenhopper.jira:gh-epic-link"
PARENT_LINK_SCHEMA = "com.atlassian.jpo:jpo-custom-field-parent"
_LIBRARY_ERRORS = (JIRAError, requests.RequestException, ValueError)
_CONNECT_TIMEOUT = 10.0


class JiraClient:
    """A lazily connected ``JIRA`` with goldthread's retry policy around it."""

    def __init__(
        self, options: JiraOptions, clock: Clock, *, retry: RetrySettings | None = None
    ) -> None:
        self.options = options
        self.clock = clock
        self.retry = retry or RetrySettings()
        self.stats = RequestStats()
        self._cloud = False
        self.epic_link_field: str | None = None
        self.parent_link_field: str | None = None
        self._budget: RateBudget | None = None
        self._jira: JIRA | None = None

    # ---------------------------------------------------------------- connecting

    @property
    def jira(self) -> JIRA:
        """The connected client (connecting on first use)."""
        if self._jira is None:
            self._jira = self._connect()
        return self._jira

    def close(self) -> None:
        """Close the connection pool, if a connection was ever made."""
        if self._jira is not None:
            self._jira.close()  # type: ignore[no-untyped-call]
            self._jira = None

    @property
    def cloud(self) -> bool:
        """Whether the site said it is Jira Cloud (connecting on first use)."""
        _ = self.jira
        return self._cloud

    def _connect(self) -> JIRA:
        jira = self._build()
        info = self._call("read serverInfo", jira.server_info)
        if not isinstance(info, Mapping):
            raise FatalSourceError(
                f"{self.options.base_url} did not answer serverInfo; is it a Jira site?",
                source=self.options.name,
            )
        jira.deploymentType = info.get("deploymentType")
        jira._version = tuple(info.get("versionNumbers") or (0, 0, 0))
        self._cloud = jira._is_cloud
        if self._cloud:
            jira._options["rest_api_version"] = "3"
        fields = self._call("list fields", jira.fields)
        self._learn_fields(jira, fields)
        return jira

    def _build(self) -> JIRA:
        opts = self.options
        auth: dict[str, Any]
        if opts.auth == "bearer":
            auth = {"token_auth": opts.token}
        else:
            if not opts.email:
                raise FatalSourceError("basic auth needs the account's email", source=opts.name)
            auth = {"basic_auth": (opts.email, opts.token)}
        try:
            jira = JIRA(
                server=opts.base_url,
                options={"rest_api_version": "2", "check_update": False},
                get_server_info=False,
                max_retries=0,
                timeout=(min(_CONNECT_TIMEOUT, opts.timeout), opts.timeout),
                logging=False,  # its warnings can carry response dumps; goldthread logs
                **auth,
            )
        except _LIBRARY_ERRORS as error:
            raise translate(
                error, source=opts.name, what="connect", now=self.clock.now()
            ) from error
        jira._session.max_retries = 0
        jira._session.hooks["response"].append(self._observe)
        return jira

    def _learn_fields(self, jira: JIRA, fields: list[dict[str, Any]]) -> None:
        """Find Epic Link and Parent Link by schema type; prime the library's cache.

        The library translates JQL clause names in ``fields=`` through a cache
        it would otherwise fill with a second ``GET field``.
        """
        cache: dict[str, str] = {}
        for field in fields:
            custom = (field.get("schema") or {}).get("custom")
            if custom == EPIC_LINK_SCHEMA and self.epic_link_field is None:
                self.epic_link_field = str(field["id"])
            elif custom == PARENT_LINK_SCHEMA and self.parent_link_field is None:
                self.parent_link_field = str(field["id"])
            for name in field.get("clauseNames") or ():
                cache[name] = str(field["id"])
        jira._fields_cache_value = cache or {"summary": "summary"}

    # ---------------------------------------------------------------- calling

    def call(self, what: str, fn: Callable[[JIRA], T]) -> T:
        """``fn(jira)`` under the retry policy, errors translated."""
        jira = self.jira
        return self._call(what, lambda: fn(jira))

    def _call(self, what: str, fn: Callable[[], T]) -> T:
        def once() -> T:
            try:
                return fn()
            except _LIBRARY_ERRORS as error:
                raise translate(
                    error, source=self.options.name, what=what, now=self.clock.now()
                ) from error

        return self.retrying(once)

    def retrying(self, fn: Callable[[], T]) -> T:
        """``fn`` (built of translated calls such as :meth:`request_once`), retried.

        A call that creates something re-checks the tracker itself at the
        start of every attempt after the first (see the comment writer).
        """
        return call_with_retry(fn, clock=self.clock, settings=self.retry)

    def request_once(
        self,
        what: str,
        method: str,
        path: str,
        body: Any = None,
        *,
        params: Mapping[str, Any] | None = None,
    ) -> Any:
        """One raw request to ``/rest/api/{2|3}/<path>``, translated, not retried."""
        jira = self.jira
        try:
            url = jira._get_url(path)
            data = None if body is None else json.dumps(body)
            response = jira._session.request(method, url, data=data, params=dict(params or {}))
            return response.json() if response.content else None
        except _LIBRARY_ERRORS as error:
            raise translate(
                error, source=self.options.name, what=what, now=self.clock.now()
            ) from error

    def send(
        self,
        what: str,
        method: str,
        path: str,
        body: Any = None,
        *,
        params: Mapping[str, Any] | None = None,
    ) -> Any:
        """A raw request under the retry policy (non-2xx raises)."""
        return self.retrying(lambda: self.request_once(what, method, path, body, params=params))

    def get_json(self, what: str, path: str, params: Mapping[str, Any] | None = None) -> Any:
        """GET ``/rest/api/{2|3}/<path>`` as JSON, retried."""
        return self.send(what, "GET", path, params=params)

    # ---------------------------------------------------------------- bookkeeping

    def _observe(self, response: requests.Response, *args: object, **kwargs: object) -> None:
        """Count every request and remember the rate-limit headers."""
        stats = self.stats
        stats.requests += 1
        stats.by_status[response.status_code] = stats.by_status.get(response.status_code, 0) + 1
        request = response.request
        if request is not None and request.method != "GET" and not _is_read(request.url):
            stats.writes += 1
        headers = response.headers
        if "X-RateLimit-Remaining" in headers or "X-RateLimit-Limit" in headers:
            self._budget = RateBudget(
                remaining=_int(headers.get("X-RateLimit-Remaining")),
                limit=_int(headers.get("X-RateLimit-Limit")),
                reset_at=_when(headers.get("X-RateLimit-Reset")),
            )

    def budget(self) -> RateBudget | None:
        return self._budget


_READ_POSTS = ("/search", "/search/jql", "/comment/list")


def _is_read(url: str | None) -> bool:
    """A POST that only reads (a search, comments by id): not a write."""
    path = (url or "").split("?", 1)[0]
    return path.endswith(_READ_POSTS)


def _int(value: str | None) -> int | None:
    try:
        return int(value) if value is not None else None
    except ValueError:
        return None


def _when(value: str | None) -> datetime | None:
    """``X-RateLimit-Reset``: ISO 8601 (``2026-03-02T10:15Z``) on Cloud."""
    if not value:
        return None
    try:
        return datetime.fromisoformat(value)
    except ValueError:
        return None
