"""REST handlers of the GitHub stand-in: issues, comments, labels, sub-issues.

Each handler runs under the stand-in's lock, reads or changes the store, and
queues the webhooks the change fires (API writes fire them too, as on GitHub).
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any
from urllib.parse import unquote, urlencode

from goldthread.sandbox import github_mutations as mutate
from goldthread.sandbox import github_payloads as payloads
from goldthread.sandbox.github_records import IssueRecord
from goldthread.sandbox.github_store import IssueQuery, StoreError, parse_since
from goldthread.sandbox.http import Request, Response
from goldthread.sandbox.seeds import GitHubIssueSeed

if TYPE_CHECKING:
    from goldthread.sandbox.github import GitHubStandIn

JSON = {"Content-Type": "application/json; charset=utf-8"}
REPO = r"/repos/(?P<owner>[^/]+)/(?P<repo>[^/]+)"
ISSUE = REPO + r"/issues/(?P<number>\d+)"


def register(gh: GitHubStandIn) -> None:
    """Add every REST route of the stand-in under its path prefix."""
    table: list[tuple[str, str, Any]] = [
        ("GET", REPO, repository),
        ("GET", REPO + "/issues", list_issues),
        ("POST", REPO + "/issues", create_issue),
        ("GET", ISSUE, get_issue),
        ("PATCH", ISSUE, edit_issue),
        ("GET", ISSUE + "/parent", get_parent),
        ("GET", ISSUE + "/sub_issues", list_sub_issues),
        ("POST", ISSUE + "/sub_issues", add_sub_issue),
        ("DELETE", ISSUE + "/sub_issue", remove_sub_issue),
        ("GET", ISSUE + "/comments", list_comments),
        ("POST", ISSUE + "/comments", create_comment),
        ("GET", REPO + r"/issues/comments/(?P<id>\d+)", get_comment),
        ("PATCH", REPO + r"/issues/comments/(?P<id>\d+)", edit_comment),
        ("DELETE", REPO + r"/issues/comments/(?P<id>\d+)", delete_comment),
        ("GET", ISSUE + "/labels", issue_labels),
        ("POST", ISSUE + "/labels", add_labels),
        ("PUT", ISSUE + "/labels", set_labels),
        ("DELETE", ISSUE + "/labels", clear_labels),
        ("DELETE", ISSUE + "/labels/(?P<name>[^/]+)", remove_label),
        ("GET", REPO + "/labels", repo_labels),
        ("POST", REPO + "/labels", create_repo_label),
        ("GET", REPO + "/labels/(?P<name>[^/]+)", repo_label),
    ]
    sub_issues = (get_parent, list_sub_issues, add_sub_issue, remove_sub_issue)
    for method, pattern, handler in table:
        if handler in sub_issues and not gh.features.sub_issue_api:
            continue  # not in this server version's description: 404
        gh.route(method, gh.prefix + pattern, _bind(gh, handler))
    if not gh.enterprise:  # no Enterprise Server description has the endpoint
        gh.route("GET", r"/orgs/(?P<org>[^/]+)/issue-types", _bind(gh, org_issue_types))


def _bind(gh: GitHubStandIn, handler: Any) -> Any:
    def run(request: Request) -> Response:
        with gh.lock:
            try:
                response: Response = handler(gh, request)
            except StoreError as exc:
                return error(exc.status, exc.message)
        return response

    return run


def error(status: int, message: str) -> Response:
    docs = "https://docs.github.com/rest"
    return Response(status, {"message": message, "documentation_url": docs, "status": str(status)})


# ---------------------------------------------------------------- helpers


def _repo_name(request: Request) -> str:
    return f"{request.params['owner']}/{request.params['repo']}"


def _issue(gh: GitHubStandIn, request: Request) -> IssueRecord:
    return gh.store.get(_repo_name(request), int(request.params["number"]))


def page_of(gh: GitHubStandIn, request: Request, total: int) -> tuple[slice, dict[str, str]]:
    """The slice of ``total`` items this request asks for, and its ``Link`` header."""
    per_page = max(1, min(int(request.arg("per_page") or 30), 100))
    page = max(1, int(request.arg("page") or 1))
    last = max(1, -(-total // per_page))
    window = slice((page - 1) * per_page, page * per_page)
    if last == 1:
        return window, {}
    rels = []
    if page > 1:
        rels += [("prev", page - 1)]
    if page < last:
        rels += [("next", page + 1), ("last", last)]
    if page > 1:
        rels += [("first", 1)]
    links = ", ".join(f'<{_page_url(gh, request, n)}>; rel="{rel}"' for rel, n in rels)
    return window, {"Link": links}


def _page_url(gh: GitHubStandIn, request: Request, page: int) -> str:
    query = [(k, v) for k, values in request.query.items() if k != "page" for v in values]
    query.append(("page", str(page)))
    return f"{gh.base_url}{request.path}?{urlencode(query)}"


def _json_list(items: list[bytes], headers: dict[str, str], status: int = 200) -> Response:
    return Response(status, raw=b"[" + b",".join(items) + b"]", headers={**JSON, **headers})


def _issue_answer(gh: GitHubStandIn, record: IssueRecord, status: int = 200) -> Response:
    return Response(status, raw=gh.store.issue_bytes(record), headers=dict(JSON))


def _labels_answer(gh: GitHubStandIn, record: IssueRecord) -> Response:
    return Response(200, [gh.store.label_json(record.repo, name) for name in record.labels])


def _label_names(body: Any) -> list[str]:
    """PyGithub posts a bare array; the documented form is ``{"labels": [...]}``."""
    if isinstance(body, dict):
        body = body.get("labels", [])
    if not isinstance(body, list):
        raise StoreError(422, "Validation Failed")
    return [item["name"] if isinstance(item, dict) else str(item) for item in body]


# ---------------------------------------------------------------- repositories and issues


def repository(gh: GitHubStandIn, request: Request) -> Response:
    return Response(200, gh.store.repository_json(_repo_name(request)))


def list_issues(gh: GitHubStandIn, request: Request) -> Response:
    since = request.arg("since")
    labels = request.arg("labels")
    query = IssueQuery(
        state=request.arg("state") or "open",
        since=parse_since(since) if since else None,
        sort=request.arg("sort") or "created",
        direction=request.arg("direction") or "desc",
        labels=tuple(n.strip() for n in labels.split(",") if n.strip()) if labels else (),
        type=request.arg("type") if gh.features.issue_types else None,  # else undocumented
    )
    if query.state not in ("open", "closed", "all"):
        raise StoreError(422, "Validation Failed")
    found = gh.store.query(_repo_name(request), query)
    window, headers = page_of(gh, request, len(found))
    return _json_list([gh.store.issue_bytes(record) for record in found[window]], headers)


def create_issue(gh: GitHubStandIn, request: Request) -> Response:
    body = request.json()
    repo = gh.store.repo(_repo_name(request))
    number = max((record.number for record in repo.issues), default=0) + 1
    now = gh.clock_datetime()
    seed = GitHubIssueSeed(
        repo=repo.name,
        number=number,
        title=str(body["title"]),
        body=str(body.get("body") or ""),
        labels=_label_names(body.get("labels", [])),
        created_at=now,
        updated_at=now,
        type=body.get("type"),
    )
    gh.emit(mutate.create(gh.store, seed, gh.actor))
    return _issue_answer(gh, gh.store.get(repo.name, number), 201)


def get_issue(gh: GitHubStandIn, request: Request) -> Response:
    return _issue_answer(gh, _issue(gh, request))


def edit_issue(gh: GitHubStandIn, request: Request) -> Response:
    record, body, actor = _issue(gh, request), request.json(), gh.actor
    if "title" in body:
        gh.emit(mutate.set_title(gh.store, record, str(body["title"]), actor))
    if "body" in body:
        gh.emit(mutate.set_body(gh.store, record, str(body["body"] or ""), actor))
    if "state" in body:
        reason = body.get("state_reason")
        gh.emit(mutate.set_state(gh.store, record, str(body["state"]), reason, actor))
    if "labels" in body:
        names = _label_names(body["labels"])
        gh.emit(mutate.replace_labels(gh.store, record, names, actor))
    if "type" in body:
        gh.emit(mutate.set_type(gh.store, record, body["type"] or None, actor))
    return _issue_answer(gh, record)


def org_issue_types(gh: GitHubStandIn, request: Request) -> Response:
    """An organisation's issue types: GitHub's defaults and every type its issues use."""
    org = request.params["org"]
    repos = [state for name, state in gh.store.repos.items() if name.split("/")[0] == org]
    if not repos:
        raise StoreError(404, "Not Found")
    used = {record.type for state in repos for record in state.issues if record.type}
    names = sorted({"Task", "Bug", "Feature"} | used)
    return Response(200, [payloads.issue_type(name) for name in names])


# ---------------------------------------------------------------- sub-issues


def get_parent(gh: GitHubStandIn, request: Request) -> Response:
    record = _issue(gh, request)
    if record.parent is None:
        raise StoreError(404, "Not Found")
    return _issue_answer(gh, gh.store.get(*record.parent))


def list_sub_issues(gh: GitHubStandIn, request: Request) -> Response:
    children = [gh.store.get(*key) for key in _issue(gh, request).children]
    window, headers = page_of(gh, request, len(children))
    return _json_list([gh.store.issue_bytes(child) for child in children[window]], headers)


def _sub_issue(gh: GitHubStandIn, request: Request) -> tuple[IssueRecord, IssueRecord, Any]:
    parent, body = _issue(gh, request), request.json()
    child = gh.store.by_id.get(int(body["sub_issue_id"]))
    if child is None:
        raise StoreError(422, "Validation Failed: sub_issue_id not found")
    return parent, child, body


def add_sub_issue(gh: GitHubStandIn, request: Request) -> Response:
    parent, child, body = _sub_issue(gh, request)
    if child.repo.split("/")[0] != parent.repo.split("/")[0]:
        raise StoreError(422, "Validation Failed: sub-issue must belong to the same owner")
    if child.parent is not None and child.parent != parent.key and not body.get("replace_parent"):
        raise StoreError(422, "Validation Failed: issue already has a parent")
    gh.emit(mutate.set_parent(gh.store, child, parent.key, gh.actor))
    return _issue_answer(gh, parent, 201)


def remove_sub_issue(gh: GitHubStandIn, request: Request) -> Response:
    parent, child, _ = _sub_issue(gh, request)
    if child.parent != parent.key:
        raise StoreError(404, "Not Found")
    gh.emit(mutate.set_parent(gh.store, child, None, gh.actor))
    return _issue_answer(gh, parent)


# ---------------------------------------------------------------- comments


def list_comments(gh: GitHubStandIn, request: Request) -> Response:
    comments = gh.store.comments_of(_issue(gh, request))
    since = request.arg("since")
    if since:
        moment = parse_since(since)
        comments = [c for c in comments if c.updated_at >= moment]
    window, headers = page_of(gh, request, len(comments))
    return Response(200, [gh.store.comment_json(c) for c in comments[window]], headers)


def create_comment(gh: GitHubStandIn, request: Request) -> Response:
    record, body = _issue(gh, request), request.json()
    if not isinstance(body, dict) or not isinstance(body.get("body"), str):
        raise StoreError(422, "Validation Failed")
    comment, events = mutate.add_comment(gh.store, record, body["body"], gh.actor)
    gh.emit(events)
    return Response(201, gh.store.comment_json(comment))


def get_comment(gh: GitHubStandIn, request: Request) -> Response:
    comment = gh.store.comment(_repo_name(request), int(request.params["id"]))
    return Response(200, gh.store.comment_json(comment))


def edit_comment(gh: GitHubStandIn, request: Request) -> Response:
    comment = gh.store.comment(_repo_name(request), int(request.params["id"]))
    body = request.json()
    if not isinstance(body, dict) or not isinstance(body.get("body"), str):
        raise StoreError(422, "Validation Failed")
    gh.emit(mutate.edit_comment(gh.store, comment, body["body"], gh.actor))
    return Response(200, gh.store.comment_json(comment))


def delete_comment(gh: GitHubStandIn, request: Request) -> Response:
    comment = gh.store.comment(_repo_name(request), int(request.params["id"]))
    gh.emit(mutate.delete_comment(gh.store, comment, gh.actor))
    return Response(204)


# ---------------------------------------------------------------- labels


def issue_labels(gh: GitHubStandIn, request: Request) -> Response:
    return _labels_answer(gh, _issue(gh, request))


def add_labels(gh: GitHubStandIn, request: Request) -> Response:
    record, names = _issue(gh, request), _label_names(request.json())
    if names:
        gh.emit(mutate.add_labels(gh.store, record, names, gh.actor))
    else:
        gh.emit(mutate.replace_labels(gh.store, record, [], gh.actor))
    return _labels_answer(gh, record)


def set_labels(gh: GitHubStandIn, request: Request) -> Response:
    record = _issue(gh, request)
    gh.emit(mutate.replace_labels(gh.store, record, _label_names(request.json()), gh.actor))
    return _labels_answer(gh, record)


def clear_labels(gh: GitHubStandIn, request: Request) -> Response:
    gh.emit(mutate.replace_labels(gh.store, _issue(gh, request), [], gh.actor))
    return Response(204)


def remove_label(gh: GitHubStandIn, request: Request) -> Response:
    record = _issue(gh, request)
    gh.emit(mutate.remove_label(gh.store, record, unquote(request.params["name"]), gh.actor))
    return _labels_answer(gh, record)


def repo_labels(gh: GitHubStandIn, request: Request) -> Response:
    state = gh.store.repo(_repo_name(request))
    labels = sorted(state.labels.values(), key=lambda d: d.name.lower())
    window, headers = page_of(gh, request, len(labels))
    return Response(200, [gh.store.label_json(state.name, d.name) for d in labels[window]], headers)


def create_repo_label(gh: GitHubStandIn, request: Request) -> Response:
    state, body = gh.store.repo(_repo_name(request)), request.json()
    name = str(body["name"])
    if name.lower() in state.labels:
        raise StoreError(422, "Validation Failed: already_exists")
    definition = gh.store.label_def(state.name, name)
    definition.color = str(body.get("color") or definition.color).lstrip("#")
    definition.description = body.get("description")
    gh.store.drop_caches()
    return Response(201, gh.store.label_json(state.name, name))


def repo_label(gh: GitHubStandIn, request: Request) -> Response:
    repo, name = _repo_name(request), unquote(request.params["name"])
    gh.store.label_def(repo, name, create=False)
    return Response(200, gh.store.label_json(repo, name))
