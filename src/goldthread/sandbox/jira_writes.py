"""The write side of the Jira stand-in's REST API: issue edits, comments, links.

Every write is validated completely before anything changes, so a refused
request leaves no trace (Jira's edits are atomic too), and it fires the
webhooks Jira would fire, goldthread's own writes included.
"""

from __future__ import annotations

import json
from typing import TYPE_CHECKING, Any

from goldthread.sandbox.http import Request, Response
from goldthread.sandbox.jira_render import adf_to_text, is_adf
from goldthread.sandbox.jira_routes import API, JiraApiError, body, find_issue, version
from goldthread.sandbox.jira_state import Change, CommentRecord, IssueRecord, link_type
from goldthread.sandbox.seeds import JiraLinkSeed

if TYPE_CHECKING:
    from goldthread.sandbox.jira import JiraStandIn

_UNSET = object()
MAX_PROPERTY_BYTES = 32768


def _field_error(field: str, message: str) -> JiraApiError:
    return JiraApiError(400, errors={field: message})


def read_properties(entries: Any) -> dict[str, object]:
    """Entity properties as sent (``[{key, value}]``), checked like Jira does."""
    if not isinstance(entries, list):
        raise JiraApiError(400, "The properties must be a list of {key, value}.")
    found: dict[str, object] = {}
    for entry in entries:
        if not isinstance(entry, dict) or not isinstance(entry.get("key"), str):
            raise JiraApiError(400, "Each property needs a key and a value.")
        if not entry["key"] or len(entry["key"]) > 255:
            raise JiraApiError(400, "The property key must be 1 to 255 characters.")
        if len(json.dumps(entry.get("value"))) > MAX_PROPERTY_BYTES:
            raise JiraApiError(400, "The property value is too long.")
        found[entry["key"]] = entry.get("value")
    return found


def text_of(field: str, value: Any, api_version: str) -> tuple[str, dict[str, Any] | None]:
    """Wiki text (and the ADF as sent) of a description or comment body."""
    if api_version == "3":
        if not is_adf(value):
            raise _field_error(
                field,
                "Operation value must be an Atlassian Document (see the Atlassian Document Format)",
            )
        return adf_to_text(value), value
    if not isinstance(value, str):
        raise _field_error(field, "Operation value must be a string")
    return value, None


class IssueEdit:
    """One PUT /issue body, checked in full before it is applied.

    ``properties`` set issue entity properties in the same request, as
    Jira's edit allows; like Jira, that changes neither ``updated`` nor the
    changelog.
    """

    def __init__(self, site: JiraStandIn, issue: IssueRecord, api_version: str) -> None:
        self.site, self.issue, self.version = site, issue, api_version
        self.labels: list[str] | None = None
        self.summary: str | None = None
        self.description: tuple[str, dict[str, Any] | None] | None = None
        self.parent: object = _UNSET
        self.properties: dict[str, object] = {}

    def read(self, data: dict[str, Any]) -> None:
        if "properties" in data:
            self.properties = read_properties(data["properties"])
        for name, value in (data.get("fields") or {}).items():
            self._set(name, value)
        for name, operations in (data.get("update") or {}).items():
            for operation in operations:
                self._operate(name, operation)

    def _editable(self, name: str) -> None:
        """Refuse a field that is not on the issue's edit screen (the whole edit fails)."""
        if name == "labels" and self.issue.project in self.site.label_locked:
            raise _field_error(
                name,
                f"Field '{name}' cannot be set. It is not on the appropriate screen, or unknown.",
            )

    def _set(self, name: str, value: Any) -> None:
        if name == "labels":
            self._editable(name)
            self.labels = self._labels(value or [])
        elif name == "summary":
            if not isinstance(value, str) or not value.strip():
                raise _field_error(name, "You must specify a summary of the issue.")
            self.summary = value
        elif name == "description":
            self.description = ("", None) if value is None else text_of(name, value, self.version)
        elif name in self._parent_fields():
            self.parent = self._parent_key(name, value)
        else:
            raise _field_error(
                name,
                f"Field '{name}' cannot be set. It is not on the appropriate screen, or unknown.",
            )

    def _operate(self, name: str, operation: dict[str, Any]) -> None:
        if name == "labels":
            self._editable("labels")
        if name != "labels":
            if "set" in operation:
                self._set(name, operation["set"])
                return
            raise _field_error(
                name,
                f"Field '{name}' cannot be set. It is not on the appropriate screen, or unknown.",
            )
        current = list(self.issue.labels if self.labels is None else self.labels)
        for verb, value in operation.items():
            if verb == "add":
                current += self._labels([value])
            elif verb == "remove":
                current = [label for label in current if label != value]
            elif verb == "set":
                current = self._labels(value or [])
            else:
                raise _field_error("labels", f"Operation '{verb}' is not supported for labels.")
        self.labels = current

    def _labels(self, values: list[Any]) -> list[str]:
        for value in values:
            if not isinstance(value, str) or not value or " " in value:
                raise _field_error(
                    "labels", f"The label '{value}' contains spaces which is invalid."
                )
            if len(value) > 255:
                raise _field_error("labels", "The label must not exceed 255 characters.")
        return list(values)

    def _parent_fields(self) -> set[str]:
        if self.site.cloud:
            return {"parent"}
        fields = {self.site.epic_link_field, self.site.parent_link_field}
        return fields | ({"parent"} if self.issue.kind.subtask else set())

    def _parent_key(self, name: str, value: Any) -> str | None:
        if isinstance(value, dict):
            value = value.get("key") or value.get("id")
        if value in (None, ""):
            return None
        parent = self.site.state.find(str(value))
        if parent is None or parent.key == self.issue.key:
            raise _field_error(name, "Could not find issue by id or key.")
        return parent.key

    def apply(self, actor: str) -> list[Change]:
        state, issue = self.site.state, self.issue
        changes: list[Change] = []
        issue.properties.update(self.properties)
        if self.summary is not None:
            changes += state.set_summary(issue, self.summary, actor)
        if self.description is not None:
            changes += state.set_description(issue, *self.description, actor)
        if self.labels is not None:
            changes += state.set_labels(issue, self.labels, actor)
        if self.parent is not _UNSET:
            assert self.parent is None or isinstance(self.parent, str)
            changes += state.set_parent(issue, self.parent, actor)
        return merge_updates(changes)


def merge_updates(changes: list[Change]) -> list[Change]:
    """One ``jira:issue_updated`` per request, carrying every changelog item."""
    if len(changes) < 2:
        return changes
    items = tuple(item for change in changes for item in change.items)
    first = changes[0]
    return [Change(first.event, first.actor, "issue_updated", first.issue, items)]


class WriteRoutes:
    def __init__(self, site: JiraStandIn) -> None:
        self.site = site

    def install(self) -> None:
        site = self.site
        issue = f"{API}/issue/(?P<issue>[^/]+)"
        site.route("PUT", issue, self.edit_issue)
        site.route("DELETE", issue, self.delete_issue)
        site.route("GET", f"{issue}/comment", self.list_comments)
        site.route("GET", f"{issue}/editmeta", self.edit_meta)
        site.route("POST", f"{API}/comment/list", self.comments_by_id)
        site.route("POST", f"{issue}/comment", self.add_comment)
        for method, handler in (
            ("GET", self.get_comment),
            ("PUT", self.edit_comment),
            ("DELETE", self.delete_comment),
        ):
            site.route(method, f"{issue}/comment/(?P<comment>\\d+)", handler)
        props = f"{API}/comment/(?P<comment>\\d+)/properties"
        site.route("GET", props, self.list_properties)
        for method, handler in (
            ("GET", self.get_property),
            ("PUT", self.put_property),
            ("DELETE", self.delete_property),
        ):
            site.route(method, f"{props}/(?P<key>[^/]+)", handler)
        site.route("POST", f"{API}/issueLink", self.add_link)
        site.route("GET", f"{API}/issueLink/(?P<link>\\d+)", self.get_link)
        site.route("DELETE", f"{API}/issueLink/(?P<link>\\d+)", self.delete_link)

    # ------------------------------------------------------------ issues

    def edit_issue(self, request: Request) -> Response:
        v = version(self.site, request)
        data = body(request) or {}
        with self.site.lock:
            edit = IssueEdit(self.site, find_issue(self.site, request.params["issue"]), v)
            edit.read(data)
            self.site.before_write(edit.issue)
            self.site.publish(edit.apply(self.site.bot))
        return Response(204)

    def delete_issue(self, request: Request) -> Response:
        version(self.site, request)
        with self.site.lock:
            issue = find_issue(self.site, request.params["issue"])
            children = [
                i
                for i in self.site.state.issues.values()
                if i.parent_key == issue.key and i.kind.subtask
            ]
            if children and (request.arg("deleteSubtasks") or "").lower() != "true":
                raise JiraApiError(400, "The issue has subtasks; pass deleteSubtasks=true.")
            for child in children:
                self.site.publish(self.site.state.delete(child, self.site.bot))
            self.site.publish(self.site.state.delete(issue, self.site.bot))
        return Response(204)

    # ------------------------------------------------------------ comments

    def _comment(self, request: Request) -> tuple[IssueRecord, CommentRecord]:
        issue = find_issue(self.site, request.params["issue"])
        for comment in issue.comments:
            if str(comment.id) == request.params["comment"]:
                return issue, comment
        raise JiraApiError(404, f"Can not find a comment for the id: {request.params['comment']}.")

    def list_comments(self, request: Request) -> Response:
        """Comments of an issue; ``expand`` documents only ``renderedBody`` here."""
        v = version(self.site, request)
        start = int(request.arg("startAt") or 0)
        size = max(0, min(int(request.arg("maxResults") or 5000), 5000))
        with self.site.lock:
            issue = find_issue(self.site, request.params["issue"])
            ordered = sorted(
                issue.comments,
                key=lambda c: (c.created, c.id),
                reverse=request.arg("orderBy") == "-created",
            )
            page = [self.site.renderer.comment(c, v) for c in ordered[start : start + size]]
        return Response(
            200, {"comments": page, "maxResults": size, "total": len(ordered), "startAt": start}
        )

    def add_comment(self, request: Request) -> Response:
        v = version(self.site, request)
        data = body(request) or {}
        text, adf = self._body(data, v)
        properties = self._properties(data.get("properties") or [])
        with self.site.lock:
            issue = find_issue(self.site, request.params["issue"])
            self.site.before_write(issue)
            comment, changes = self.site.state.add_comment(
                issue, text, adf, self.site.bot, properties
            )
            self.site.publish(changes)
            return Response(201, self.site.renderer.comment(comment, v))

    def get_comment(self, request: Request) -> Response:
        """One comment; like the listing, it never expands properties."""
        v = version(self.site, request)
        with self.site.lock:
            _, comment = self._comment(request)
            return Response(200, self.site.renderer.comment(comment, v))

    def comments_by_id(self, request: Request) -> Response:
        """Cloud's ``POST /comment/list``: comments by id, ``expand=properties`` honoured."""
        v = version(self.site, request)
        if not self.site.cloud:
            raise JiraApiError(404, "null for uri: " + request.path)
        data = body(request)
        ids = data.get("ids") if isinstance(data, dict) else None
        if not isinstance(ids, list) or not all(isinstance(i, int) for i in ids):
            raise JiraApiError(400, "The request body must list the comment ids in 'ids'.")
        if len(ids) > 1000:
            raise JiraApiError(400, "A maximum of 1000 comment IDs can be specified.")
        expand = {part.strip() for part in (request.arg("expand") or "").split(",")}
        with self.site.lock:
            found = [self.site.state.comment(str(i)) for i in sorted(set(ids))]
            values = [
                self.site.renderer.comment(hit[1], v, properties="properties" in expand)
                for hit in found
                if hit is not None
            ]
        return Response(
            200,
            {
                "isLast": True,
                "maxResults": 1000,
                "startAt": 0,
                "total": len(values),
                "values": values,
            },
        )

    def edit_meta(self, request: Request) -> Response:
        """``GET /issue/{key}/editmeta``: the fields on the issue's edit screen."""
        version(self.site, request)
        with self.site.lock:
            issue = find_issue(self.site, request.params["issue"])
            fields = self.site.edit_screen(issue)
        return Response(200, {"fields": fields})

    def edit_comment(self, request: Request) -> Response:
        v = version(self.site, request)
        data = body(request) or {}
        with self.site.lock:
            issue, comment = self._comment(request)
            self.site.before_write(issue)
            if "body" in data:
                text, adf = self._body(data, v)
                self.site.publish(
                    self.site.state.edit_comment(issue, comment, text, adf, self.site.bot)
                )
            comment.properties.update(self._properties(data.get("properties") or []))
            return Response(200, self.site.renderer.comment(comment, v))

    def delete_comment(self, request: Request) -> Response:
        version(self.site, request)
        with self.site.lock:
            issue, comment = self._comment(request)
            self.site.before_write(issue)
            self.site.publish(self.site.state.delete_comment(issue, comment, self.site.bot))
        return Response(204)

    @staticmethod
    def _body(data: dict[str, Any], api_version: str) -> tuple[str, dict[str, Any] | None]:
        text, adf = text_of("comment", data.get("body"), api_version)
        if not text.strip():
            raise _field_error("comment", "Comment body can not be empty!")
        return text, adf

    @staticmethod
    def _properties(entries: list[Any]) -> dict[str, object]:
        return read_properties(entries)

    # ------------------------------------------------------------ comment properties

    def _comment_by_id(self, request: Request) -> CommentRecord:
        found = self.site.state.comment(request.params["comment"])
        if found is None:
            raise JiraApiError(
                404, f"Can not find a comment for the id: {request.params['comment']}."
            )
        return found[1]

    def list_properties(self, request: Request) -> Response:
        v = version(self.site, request)
        with self.site.lock:
            comment = self._comment_by_id(request)
            base = f"{self.site.renderer.api(v)}/comment/{comment.id}/properties"
            keys = [{"self": f"{base}/{key}", "key": key} for key in comment.properties]
        return Response(200, {"keys": keys})

    def get_property(self, request: Request) -> Response:
        version(self.site, request)
        key = request.params["key"]
        with self.site.lock:
            comment = self._comment_by_id(request)
            if key not in comment.properties:
                raise JiraApiError(404, f"The property with key '{key}' does not exist.")
            return Response(200, {"key": key, "value": comment.properties[key]})

    def put_property(self, request: Request) -> Response:
        version(self.site, request)
        if len(request.body) > MAX_PROPERTY_BYTES:
            raise JiraApiError(400, "The property value is too long.")
        value = body(request)
        with self.site.lock:
            comment = self._comment_by_id(request)
            existed = request.params["key"] in comment.properties
            comment.properties[request.params["key"]] = value
        return Response(200 if existed else 201)

    def delete_property(self, request: Request) -> Response:
        version(self.site, request)
        key = request.params["key"]
        with self.site.lock:
            comment = self._comment_by_id(request)
            if comment.properties.pop(key, _UNSET) is _UNSET:
                raise JiraApiError(404, f"The property with key '{key}' does not exist.")
        return Response(204)

    # ------------------------------------------------------------ links

    def add_link(self, request: Request) -> Response:
        version(self.site, request)
        data = body(request) or {}
        wanted = data.get("type") or {}
        kind = link_type(str(wanted.get("name") or wanted.get("id") or ""))
        if kind is None:
            raise JiraApiError(404, f"No issue link type with name '{wanted.get('name')}' found.")
        with self.site.lock:
            source = self._linked(data.get("inwardIssue"))
            target = self._linked(data.get("outwardIssue"))
            _, changes = self.site.state.link(
                JiraLinkSeed(kind.name, source.key, target.key), self.site.bot
            )
            self.site.publish(changes)
        return Response(201)

    def _linked(self, ref: Any) -> IssueRecord:
        ref = ref if isinstance(ref, dict) else {}
        found = self.site.state.find(str(ref.get("key") or ref.get("id") or ""))
        if found is None:
            raise JiraApiError(404, "Issue Does Not Exist")
        return found

    def get_link(self, request: Request) -> Response:
        v = version(self.site, request)
        with self.site.lock:
            link = self.site.state.links.get(int(request.params["link"]))
            if link is None:
                raise JiraApiError(404, f"No issue link with id '{request.params['link']}' exists.")
            return Response(200, self.site.renderer.link(link, v))

    def delete_link(self, request: Request) -> Response:
        version(self.site, request)
        with self.site.lock:
            link_id = int(request.params["link"])
            if link_id not in self.site.state.links:
                raise JiraApiError(404, f"No issue link with id '{link_id}' exists.")
            self.site.publish(self.site.state.unlink(link_id, self.site.bot))
        return Response(204)
