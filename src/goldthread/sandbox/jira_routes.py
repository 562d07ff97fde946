"""The read side of the Jira stand-in's REST API: site facts, fields, search, issues.

Cloud serves ``/rest/api/{2,3}``, answers the retired ``/search`` with 410
and pages ``/search/jql`` by ``nextPageToken`` without a total; Data Center
serves ``/rest/api/2`` only, with ``startAt``/``maxResults``/``total``.
"""

from __future__ import annotations

import base64
import hashlib
import json
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from goldthread.sandbox.http import Request, Response
from goldthread.sandbox.jira_render import FieldSelection
from goldthread.sandbox.jira_state import IssueRecord
from goldthread.sandbox.jql import JqlError, compile_query, parse

if TYPE_CHECKING:
    from goldthread.sandbox.jira import JiraStandIn

API = r"/rest/api/(?P<v>[23])"
SEARCH_GONE = (
    "The requested API has been removed. Please migrate to the /rest/api/3/search/jql API. "
    "A full migration guideline is available at https://developer.atlassian.com/changelog/#CHANGE-2046"
)
UNBOUNDED = (
    "Unbounded JQL queries are not allowed here. Please add a search restriction to your query."
)
NO_ISSUE = "Issue does not exist or you do not have permission to see it."


class JiraApiError(Exception):
    """An answer in Jira's error shape: ``{"errorMessages": [...], "errors": {...}}``."""

    def __init__(self, status: int, *messages: str, errors: dict[str, str] | None = None) -> None:
        super().__init__(status, messages)
        self.status = status
        self.messages = list(messages)
        self.errors = errors or {}

    def response(self) -> Response:
        return Response(self.status, {"errorMessages": self.messages, "errors": self.errors})


def version(site: JiraStandIn, request: Request) -> str:
    """The API version of the path; Data Center has no v3."""
    found = request.params["v"]
    if found == "3" and not site.cloud:
        raise JiraApiError(404, "null for uri: " + request.path)
    return found


def body(request: Request) -> Any:
    try:
        return request.json()
    except ValueError as exc:
        raise JiraApiError(400, f"Unexpected character in the request body: {exc}") from exc


def find_issue(site: JiraStandIn, key_or_id: str) -> IssueRecord:
    found = site.state.find(key_or_id)
    if found is None:
        raise JiraApiError(404, NO_ISSUE)
    return found


@dataclass(frozen=True, slots=True)
class SearchArgs:
    jql: str
    fields: list[str]
    start_at: int
    max_results: int | None
    token: str | None
    validate: bool
    properties: tuple[str, ...] = ()
    reconcile: frozenset[int] = frozenset()

    @classmethod
    def of(cls, request: Request) -> SearchArgs:
        if request.method == "POST":
            data = body(request) or {}
            fields = data.get("fields") or []
            return cls(
                jql=str(data.get("jql") or ""),
                fields=[fields] if isinstance(fields, str) else [str(f) for f in fields],
                start_at=int(data.get("startAt") or 0),
                max_results=None if data.get("maxResults") is None else int(data["maxResults"]),
                token=data.get("nextPageToken"),
                validate=str(data.get("validateQuery", "strict")).lower() not in _LENIENT,
                properties=property_keys(data.get("properties") or []),
                reconcile=reconcile_ids(data.get("reconcileIssues") or []),
            )
        max_results = request.arg("maxResults")
        return cls(
            jql=request.arg("jql") or "",
            fields=request.query.get("fields", []),
            start_at=int(request.arg("startAt") or 0),
            max_results=None if max_results in (None, "") else int(max_results),
            token=request.arg("nextPageToken"),
            validate=(request.arg("validateQuery") or "strict").lower() not in _LENIENT,
            properties=property_keys(request.query.get("properties", [])),
            reconcile=reconcile_ids(request.query.get("reconcileIssues", [])),
        )


def reconcile_ids(values: list[Any]) -> frozenset[int]:
    """``reconcileIssues``: issue ids (at most 50) to serve consistently."""
    ids = frozenset(int(v) for v in values)
    if len(ids) > 50:
        raise JiraApiError(400, "reconcileIssues accepts at most 50 issue ids.")
    return ids


def property_keys(values: str | list[str]) -> tuple[str, ...]:
    """The ``properties`` parameter: keys, repeated or comma-separated; at most 5."""
    listed = [values] if isinstance(values, str) else [str(v) for v in values]
    keys = tuple(k.strip() for v in listed for k in v.split(",") if k.strip())
    if len(keys) > MAX_PROPERTY_KEYS:
        raise JiraApiError(400, f"At most {MAX_PROPERTY_KEYS} issue properties can be requested.")
    return keys


MAX_PROPERTY_KEYS = 5
_LENIENT = frozenset({"false", "warn", "none"})


def matching(
    site: JiraStandIn,
    jql: str,
    *,
    validate: bool,
    bounded: bool,
    warnings: list[str] | None = None,
    records: list[IssueRecord] | None = None,
) -> list[IssueRecord]:
    try:
        query = parse(jql)
        if bounded and query.where is None:
            raise JiraApiError(400, UNBOUNDED)
        predicate, sort = compile_query(
            query, site.state, site.zone, site.state.now(), validate=validate, warnings=warnings
        )
    except JqlError as exc:
        raise JiraApiError(400, str(exc)) from exc
    pool = site.state.issues.values() if records is None else records
    hits = [issue for issue in pool if predicate(issue)]
    return [issue for issue in sort(hits) if isinstance(issue, IssueRecord)]


def _token(offset: int, jql: str) -> str:
    raw = json.dumps({"o": offset, "q": hashlib.sha256(jql.encode()).hexdigest()[:12]})
    return base64.urlsafe_b64encode(raw.encode()).decode().rstrip("=")


def _offset(token: str | None, jql: str) -> int:
    if not token:
        return 0
    invalid = JiraApiError(400, "The provided next page token is invalid or expired.")
    try:
        data = json.loads(base64.urlsafe_b64decode(token + "=" * (-len(token) % 4)))
        offset, digest = int(data["o"]), data["q"]
    except (ValueError, KeyError, TypeError) as exc:
        raise invalid from exc
    if digest != hashlib.sha256(jql.encode()).hexdigest()[:12]:
        raise invalid
    return offset


class ReadRoutes:
    def __init__(self, site: JiraStandIn) -> None:
        self.site = site

    def install(self) -> None:
        site = self.site
        site.route("GET", f"{API}/serverInfo", self.server_info)
        site.route("GET", f"{API}/myself", self.myself)
        site.route("GET", f"{API}/field", self.fields)
        site.route("GET", f"{API}/issueLinkType", self.link_types)
        for method in ("GET", "POST"):
            site.route(method, f"{API}/search/jql", self.search_jql)
            site.route(method, f"{API}/search", self.search)
        site.route("GET", f"{API}/issue/(?P<issue>[^/]+)", self.get_issue)

    def server_info(self, request: Request) -> Response:
        version(self.site, request)
        return Response(200, self.site.server_info())

    def myself(self, request: Request) -> Response:
        v = version(self.site, request)
        user = self.site.renderer.user(self.site.bot, v)
        return Response(200, {**user, "locale": "en_US"})

    def fields(self, request: Request) -> Response:
        version(self.site, request)
        return Response(200, self.site.field_list())

    def link_types(self, request: Request) -> Response:
        v = version(self.site, request)
        return Response(200, self.site.renderer.link_types(v))

    def search_jql(self, request: Request) -> Response:
        v = version(self.site, request)
        if not self.site.cloud:
            raise JiraApiError(404, "null for uri: " + request.path)
        args = SearchArgs.of(request)
        selection = FieldSelection.parse(args.fields, default="id")
        cap = 100 if selection.any_field else 5000
        size = max(1, min(args.max_results or 50, cap))
        with self.site.lock:
            view = self.site.search_view(set(args.reconcile))
            hits = matching(self.site, args.jql, validate=True, bounded=True, records=view)
            offset = _offset(args.token, args.jql)
            page = hits[offset : offset + size]
            issues = [
                self.site.renderer.issue(issue, v, selection, args.properties) for issue in page
            ]
        answer: dict[str, Any] = {"issues": issues, "isLast": offset + size >= len(hits)}
        if not answer["isLast"]:
            answer["nextPageToken"] = _token(offset + size, args.jql)
        return Response(200, answer)

    def search(self, request: Request) -> Response:
        v = version(self.site, request)
        if self.site.cloud:
            raise JiraApiError(410, SEARCH_GONE)
        args = SearchArgs.of(request)
        selection = FieldSelection.parse(args.fields, default="*navigable")
        size = max(
            0, min(50 if args.max_results is None else args.max_results, self.site.dc_max_results)
        )
        warnings: list[str] = []
        with self.site.lock:
            hits = matching(
                self.site, args.jql, validate=args.validate, bounded=False, warnings=warnings
            )
            page = hits[args.start_at : args.start_at + size]
            issues = [
                self.site.renderer.issue(issue, v, selection, args.properties) for issue in page
            ]
        answer: dict[str, Any] = {
            "expand": "schema,names",
            "startAt": args.start_at,
            "maxResults": size,
            "total": len(hits),
            "issues": issues,
        }
        if warnings:
            answer["warningMessages"] = warnings
        return Response(200, answer)

    def get_issue(self, request: Request) -> Response:
        v = version(self.site, request)
        selection = FieldSelection.parse(request.query.get("fields", []), default="*all")
        properties = property_keys(request.query.get("properties", []))
        with self.site.lock:
            issue = find_issue(self.site, request.params["issue"])
            return Response(200, self.site.renderer.issue(issue, v, selection, properties))
