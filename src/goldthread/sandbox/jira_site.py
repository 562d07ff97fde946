"""What the Jira stand-in says about the site itself: projects, issue types, the
caller's permissions.

Shaped as the v3 description has them (``Project``, ``PageBeanProject``,
``IssueTypeDetails``, ``Permissions``). Cloud lists projects page by page at
``/project/search`` and gives every issue type its ``hierarchyLevel`` (this
site is a Premium one: Initiative sits above Epic); Data Center lists them
all at ``/project`` and knows no hierarchy levels. ``mypermissions`` on
Cloud refuses a request that names no ``permissions``, as Cloud does.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from goldthread.sandbox.http import Request, Response
from goldthread.sandbox.jira_routes import API, JiraApiError, version
from goldthread.sandbox.jira_state import ISSUE_TYPES

if TYPE_CHECKING:
    from goldthread.sandbox.jira import JiraStandIn

PERMISSIONS = {
    "BROWSE_PROJECTS": "Browse Projects",
    "EDIT_ISSUES": "Edit Issues",
    "ADD_COMMENTS": "Add Comments",
    "EDIT_OWN_COMMENTS": "Edit Own Comments",
    "DELETE_OWN_COMMENTS": "Delete Own Comments",
}


class SiteRoutes:
    def __init__(self, site: JiraStandIn) -> None:
        self.site = site

    def install(self) -> None:
        site = self.site
        site.route("GET", f"{API}/project", self.projects)
        site.route("GET", f"{API}/project/search", self.project_search)
        site.route("GET", f"{API}/issuetype", self.issue_types)
        site.route("GET", f"{API}/mypermissions", self.my_permissions)

    def _project(self, key: str, v: str) -> dict[str, Any]:
        project_id = str(10000 + sum(map(ord, key)) % 9000)
        return {
            "self": f"{self.site.renderer.api(v)}/project/{project_id}",
            "id": project_id,
            "key": key,
            "name": key.title(),
            "projectTypeKey": "software",
            "simplified": False,
            "style": "classic",
            "isPrivate": False,
        }

    def _keys(self) -> list[str]:
        with self.site.lock:
            return sorted(self.site.state.projects)

    def projects(self, request: Request) -> Response:
        v = version(self.site, request)
        return Response(200, [self._project(key, v) for key in self._keys()])

    def project_search(self, request: Request) -> Response:
        v = version(self.site, request)
        if not self.site.cloud:  # Data Center has no paged project search
            raise JiraApiError(404, "null for uri: " + request.path)
        keys = self._keys()
        start = max(0, int(request.arg("startAt") or 0))
        size = max(1, min(int(request.arg("maxResults") or 50), 100))
        page = keys[start : start + size]
        return Response(
            200,
            {
                "self": f"{self.site.renderer.api(v)}/project/search?startAt={start}",
                "startAt": start,
                "maxResults": size,
                "total": len(keys),
                "isLast": start + size >= len(keys),
                "values": [self._project(key, v) for key in page],
            },
        )

    def issue_types(self, request: Request) -> Response:
        v = version(self.site, request)
        listed = []
        for kind in ISSUE_TYPES.values():
            entry: dict[str, Any] = {
                "self": f"{self.site.renderer.api(v)}/issuetype/{kind.id}",
                "id": kind.id,
                "description": "",
                "iconUrl": f"{self.site.base_url}/images/icons/issuetypes/{kind.id}.svg",
                "name": kind.name,
                "subtask": kind.subtask,
                "avatarId": 10300 + int(kind.id) % 100,
            }
            if self.site.cloud:
                entry["hierarchyLevel"] = kind.level
            listed.append(entry)
        return Response(200, listed)

    def my_permissions(self, request: Request) -> Response:
        version(self.site, request)
        asked = [
            key.strip()
            for value in request.query.get("permissions", [])
            for key in value.split(",")
            if key.strip()
        ]
        if self.site.cloud and not asked:
            raise JiraApiError(400, "The 'permissions' query parameter is required.")
        project = (request.arg("projectKey") or "").upper()
        if project and not self.site.state.has_project(project):
            raise JiraApiError(404, f"No project could be found with key '{project}'.")
        denied = self.site.denied.get(project, set()) if project else set()
        permissions = {
            key: {
                "id": str(index + 10),
                "key": key,
                "name": PERMISSIONS.get(key, key.title()),
                "type": "PROJECT",
                "description": "",
                "havePermission": key in PERMISSIONS and key not in denied,
            }
            for index, key in enumerate(asked or list(PERMISSIONS))
        }
        return Response(200, {"permissions": permissions})
