"""The sandbox's control API: drive a sandbox running in another process.

Tests and benchmarks that start ``python -m goldthread.sandbox`` as a
subprocess change the trackers through this small JSON API, as a person
would in the web UI; every change fires the tracker's signed webhook::

    POST /control/github/{op}     set_labels set_parent set_body set_state set_type create_issue
                                  transfer_issue rename_repo delete_issue bad_redirect
    POST /control/jira/{op}       set_labels set_parent set_description set_status add_link
                                  remove_link create_issue delete_issue move_issue
    POST /control/faults          {"github": {FaultPlan fields} | null, "jira": ...}
    POST /control/webhooks        {"github_url", "github_secret", "jira_url", "jira_secret"}
    POST /control/flush           wait for queued webhook deliveries
    GET  /control/requests        the request log (?tracker=&method=&path_contains=)
    POST /control/requests/clear
    GET  /control/items/github/{owner}/{repo}/{n}, /control/items/jira/{key}
    GET  /control/expected        the organisation's expected verdicts
    GET  /control                 URLs and modes

The JSON body of a mutation holds the keyword arguments of the stand-in's
method of the same name. The API has no authentication: it listens on
loopback, like the stand-ins.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Callable
from datetime import UTC, datetime
from typing import TYPE_CHECKING, Any

from goldthread.sandbox.faults import FaultPlan
from goldthread.sandbox.github_store import StoreError
from goldthread.sandbox.http import LoggedRequest, Request, Response, StandIn
from goldthread.sandbox.seeds import CommentSeed, GitHubIssueSeed, JiraIssueSeed

if TYPE_CHECKING:
    from goldthread.sandbox.control import Sandbox

GITHUB_OPS = (
    "set_labels",
    "set_parent",
    "set_body",
    "set_state",
    "set_type",
    "create_issue",
    "transfer_issue",
    "rename_repo",
    "delete_issue",
    "bad_redirect",
)
JIRA_OPS = (
    "set_labels",
    "set_parent",
    "set_description",
    "set_status",
    "add_link",
    "remove_link",
    "create_issue",
    "delete_issue",
    "move_issue",
)
_FAULT_FIELDS = {f.name for f in dataclasses.fields(FaultPlan) if not f.name.startswith("_")}


class ControlApi(StandIn):
    server_name = "sandbox-control"

    def __init__(self, sandbox: Sandbox) -> None:
        super().__init__()
        self.sandbox = sandbox
        self.route("GET", "/control/?", self._info)
        self.route("POST", "/control/github/(?P<op>[a-z_]+)", self._github_op)
        self.route("POST", "/control/jira/(?P<op>[a-z_]+)", self._jira_op)
        self.route("POST", "/control/faults", self._faults)
        self.route("POST", "/control/webhooks", self._webhooks)
        self.route("POST", "/control/flush", self._flush)
        self.route("GET", "/control/requests", self._requests)
        self.route("POST", "/control/requests/clear", self._clear_requests)
        self.route("GET", r"/control/items/github/(?P<repo>[^/]+/[^/]+)/(?P<n>\d+)", self._gh_item)
        self.route("GET", "/control/items/jira/(?P<key>[^/]+)", self._jira_item)
        self.route("GET", "/control/expected", self._expected)
        self.route("POST", "/control/chat/(?P<token>.+)", self._chat_post)
        self.route("GET", "/control/chat", self._chat_list)
        self.chat: list[Any] = []
        """Messages posted to the chat receiver (a Slack-style incoming webhook)."""

    def dispatch(self, request: Request) -> Response:
        """Bad arguments are the caller's 400; an unknown issue is a 404."""
        try:
            return super().dispatch(request)
        except StoreError as exc:
            return Response(exc.status, {"message": exc.message})
        except KeyError as exc:
            return Response(404, {"message": f"not found: {exc}"})
        except (TypeError, ValueError) as exc:
            return Response(400, {"message": f"bad request: {exc}"})

    # ------------------------------------------------------------ mutations

    def _github_op(self, request: Request) -> Response:
        op = request.params["op"]
        if op not in GITHUB_OPS:
            return _unknown(op, GITHUB_OPS)
        kwargs = _kwargs(request)
        github = self.sandbox.github
        if op == "create_issue":
            return Response(201, github.create_issue(github_seed(self.sandbox, kwargs)))
        if op == "set_parent" and kwargs.get("parent") is not None:
            repo, number = kwargs["parent"]
            kwargs["parent"] = (str(repo), int(number))
        method: Callable[..., object] = getattr(github, op)
        result = method(**kwargs)
        if op == "transfer_issue":
            return Response(200, {"number": result})
        return Response(200, {"ok": True})

    def _jira_op(self, request: Request) -> Response:
        op = request.params["op"]
        if op not in JIRA_OPS:
            return _unknown(op, JIRA_OPS)
        kwargs = _kwargs(request)
        jira = self.sandbox.jira
        if op == "create_issue":
            return Response(201, {"key": jira.create_issue(jira_seed(self.sandbox, kwargs))})
        method: Callable[..., object] = getattr(jira, op)
        result = method(**kwargs)
        if op == "add_link":
            return Response(201, {"id": result})
        if op == "move_issue":
            return Response(200, {"key": result})
        return Response(200, {"ok": True})

    # ------------------------------------------------------------ behaviour

    def _faults(self, request: Request) -> Response:
        """Keys left out keep their plan; ``null`` clears it."""
        body = _kwargs(request)
        github, jira = self.sandbox.github.faults, self.sandbox.jira.faults
        if "github" in body:
            github = fault_plan(body["github"])
        if "jira" in body:
            jira = fault_plan(body["jira"])
        self.sandbox.set_faults(github=github, jira=jira)
        return Response(200, {"ok": True})

    def _webhooks(self, request: Request) -> Response:
        self.sandbox.set_webhooks(**_kwargs(request))
        return Response(200, {"ok": True})

    def _flush(self, request: Request) -> Response:
        timeout = float(_kwargs(request).get("timeout", 5.0))
        return Response(200, self.sandbox.flush_webhooks(timeout))

    def _chat_post(self, request: Request) -> Response:
        if request.params["token"] != self.sandbox.chat_token:
            return Response(404, {"message": "no_service"})
        body = request.json()
        if not isinstance(body, dict) or not isinstance(body.get("text"), str):
            return Response(400, {"message": "invalid_payload"})
        self.chat.append(body)
        return Response(200, {"ok": True})

    # ------------------------------------------------------------ observation

    def _chat_list(self, request: Request) -> Response:
        return Response(200, {"messages": self.chat})

    def _info(self, request: Request) -> Response:
        info = self.sandbox.ready_info()
        info.pop("env")
        return Response(200, info)

    def _requests(self, request: Request) -> Response:
        tracker = request.arg("tracker")
        method = request.arg("method")
        contains = request.arg("path_contains") or ""
        log = self.sandbox.request_log()
        return Response(
            200,
            {
                name: [_logged(r) for r in entries if _matches(r, method, contains)]
                for name, entries in log.items()
                if tracker in (None, name)
            },
        )

    def _clear_requests(self, request: Request) -> Response:
        self.sandbox.clear_request_log()
        return Response(200, {"ok": True})

    def _gh_item(self, request: Request) -> Response:
        github = self.sandbox.github
        repo, number = request.params["repo"], int(request.params["n"])
        issue = github.issue(repo, number)
        return Response(
            200,
            {
                "ref": f"{_github_source(self.sandbox)}:{repo}#{number}",
                "state": issue["state"],
                "labels": github.labels(repo, number),
                "comments": github.comments(repo, number),
            },
        )

    def _jira_item(self, request: Request) -> Response:
        jira = self.sandbox.jira
        key = request.params["key"].upper()
        fields = jira.issue(key)["fields"]
        return Response(
            200,
            {
                "ref": f"{_jira_source(self.sandbox)}:{key}",
                "status": fields["status"]["name"],
                "labels": jira.labels(key),
                "comments": jira.comments(key),
            },
        )

    def _expected(self, request: Request) -> Response:
        return Response(
            200,
            {
                ref: {"verdict": verdict, "reason": reason}
                for ref, (verdict, reason) in sorted(self.sandbox.expected().items())
            },
        )


# ---------------------------------------------------------------- helpers


def _unknown(op: str, known: tuple[str, ...]) -> Response:
    return Response(404, {"message": f"unknown operation {op!r}; one of {', '.join(known)}"})


def _kwargs(request: Request) -> dict[str, Any]:
    body = request.json()
    if body is None:
        return {}
    if not isinstance(body, dict):
        raise TypeError("the body must be a JSON object of keyword arguments")
    return body


def _logged(entry: LoggedRequest) -> dict[str, Any]:
    """A request as JSON; headers are left out, they carry credentials."""
    return {
        "method": entry.method,
        "path": entry.path,
        "query": entry.query,
        "status": entry.status,
        "at": entry.at,
    }


def _matches(entry: LoggedRequest, method: str | None, contains: str) -> bool:
    return (method is None or entry.method == method.upper()) and contains in entry.path


def fault_plan(fields: dict[str, Any] | None) -> FaultPlan | None:
    """A :class:`FaultPlan` from JSON; unknown fields are an error."""
    if fields is None:
        return None
    unknown = set(fields) - _FAULT_FIELDS
    if unknown:
        raise ValueError(f"unknown fault fields: {', '.join(sorted(unknown))}")
    values = dict(fields)
    if "methods" in values:
        values["methods"] = frozenset(m.upper() for m in values["methods"])
    return FaultPlan(**values)


def _moment(value: Any) -> datetime:
    if value is None:
        return datetime.now(UTC)
    moment = datetime.fromisoformat(str(value))
    return moment if moment.tzinfo else moment.replace(tzinfo=UTC)


def _comments(values: list[dict[str, Any]] | None) -> list[CommentSeed]:
    return [
        CommentSeed(
            author=str(c.get("author", "sandbox-user")),
            body=str(c["body"]),
            created_at=_moment(c.get("created_at")),
        )
        for c in values or []
    ]


def _github_source(sandbox: Sandbox) -> str:
    return sandbox.org.github_source if sandbox.org is not None else "gh"


def _jira_source(sandbox: Sandbox) -> str:
    return sandbox.org.jira_source if sandbox.org is not None else "jira"


def github_seed(sandbox: Sandbox, fields: dict[str, Any]) -> GitHubIssueSeed:
    """A new issue from JSON; ``number`` defaults to the repository's next one."""
    repo = str(fields["repo"])
    number = int(fields.get("number") or 0)
    if not number:
        with sandbox.github.lock:
            taken = [n for (r, n) in sandbox.github.store.issues if r == repo]
        number = max(taken, default=0) + 1
    created = _moment(fields.get("created_at"))
    parent = fields.get("parent")
    return GitHubIssueSeed(
        repo=repo,
        number=number,
        title=str(fields.get("title", f"Issue {number}")),
        body=str(fields.get("body", "")),
        labels=[str(label) for label in fields.get("labels", [])],
        created_at=created,
        updated_at=_moment(fields.get("updated_at", created.isoformat())),
        type=fields.get("type"),
        state=str(fields.get("state", "open")),
        state_reason=fields.get("state_reason"),
        parent=(str(parent[0]), int(parent[1])) if parent else None,
        is_pull_request=bool(fields.get("is_pull_request", False)),
        comments=_comments(fields.get("comments")),
    )


def jira_seed(sandbox: Sandbox, fields: dict[str, Any]) -> JiraIssueSeed:
    """A new issue from JSON; ``key`` defaults to the project's next one."""
    key = str(fields.get("key") or "").upper()
    if not key:
        project = str(fields["project"]).upper()
        with sandbox.jira.lock:
            taken = [
                int(k.rpartition("-")[2])
                for k in sandbox.jira.state.issues
                if k.rpartition("-")[0] == project
            ]
        key = f"{project}-{max(taken, default=0) + 1}"
    created = _moment(fields.get("created_at"))
    return JiraIssueSeed(
        key=key,
        type=str(fields.get("type", "Task")),
        summary=str(fields.get("summary", key)),
        description=str(fields.get("description", "")),
        labels=[str(label) for label in fields.get("labels", [])],
        created_at=created,
        updated_at=_moment(fields.get("updated_at", created.isoformat())),
        status=str(fields.get("status", "To Do")),
        status_category=str(fields.get("status_category", "new")),
        parent_key=fields.get("parent_key"),
        epic_link=fields.get("epic_link"),
        parent_link=fields.get("parent_link"),
        comments=_comments(fields.get("comments")),
    )
