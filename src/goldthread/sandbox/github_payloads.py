"""JSON shapes of the GitHub stand-in, modelled on GitHub's real payloads.

Pure functions from the stand-in's records to the dicts GitHub would send,
so the REST answers and the webhook deliveries share one definition. Every
``url`` points back at the stand-in (``Urls.api``) so a client that follows
links keeps talking to it; ``html_url`` uses the configured web host.
"""

from __future__ import annotations

import base64
import time
import zlib
from dataclasses import dataclass, field
from typing import Any
from urllib.parse import quote

from goldthread.sandbox.github_records import CommentRecord, IssueRecord, LabelDef

TYPE_COLORS = {"Epic": "purple", "Initiative": "pink", "Feature": "blue", "Bug": "red"}


@dataclass(frozen=True, slots=True)
class Urls:
    """Where the API lives (``api``, with any ``/api/v3`` prefix) and the web host."""

    api: str
    web: str


def iso(epoch: float | None) -> str | None:
    """GitHub's timestamp form: UTC, whole seconds, ``Z``."""
    if epoch is None:
        return None
    return time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime(epoch))


def stable_id(text: str) -> int:
    """A positive id that stays the same for the same name across runs."""
    return zlib.crc32(text.encode()) or 1


def node_id(kind: str, number: int) -> str:
    return base64.b64encode(f"0{len(kind)}:{kind}{number}".encode()).decode()


def user(urls: Urls, login: str, kind: str = "User") -> dict[str, Any]:
    api = f"{urls.api}/users/{login}"
    return {
        "login": login,
        "id": stable_id(login),
        "node_id": node_id(kind, stable_id(login)),
        "avatar_url": f"{urls.web}/avatars/{login}",
        "gravatar_id": "",
        "url": api,
        "html_url": f"{urls.web}/{login}",
        "followers_url": f"{api}/followers",
        "following_url": f"{api}/following{{/other_user}}",
        "gists_url": f"{api}/gists{{/gist_id}}",
        "starred_url": f"{api}/starred{{/owner}}{{/repo}}",
        "subscriptions_url": f"{api}/subscriptions",
        "organizations_url": f"{api}/orgs",
        "repos_url": f"{api}/repos",
        "events_url": f"{api}/events{{/privacy}}",
        "received_events_url": f"{api}/received_events",
        "type": kind,
        "user_view_type": "public",
        "site_admin": False,
    }


def private_user(urls: Urls, login: str) -> dict[str, Any]:
    """``GET /user``: the authenticated account, with its private profile fields."""
    return {
        **user(urls, login),
        "user_view_type": "private",
        "name": login,
        "company": None,
        "blog": "",
        "location": None,
        "email": None,
        "hireable": None,
        "bio": None,
        "public_repos": 0,
        "public_gists": 0,
        "followers": 0,
        "following": 0,
        "created_at": "2020-01-01T00:00:00Z",
        "updated_at": "2020-01-01T00:00:00Z",
        "private_gists": 0,
        "total_private_repos": 0,
        "owned_private_repos": 0,
        "disk_usage": 0,
        "collaborators": 0,
        "two_factor_authentication": True,
    }


def label(urls: Urls, repo: str, definition: LabelDef) -> dict[str, Any]:
    return {
        "id": definition.id,
        "node_id": node_id("Label", definition.id),
        "url": f"{urls.api}/repos/{repo}/labels/{quote(definition.name, safe='')}",
        "name": definition.name,
        "color": definition.color,
        "default": definition.default,
        "description": definition.description,
    }


def issue_type(name: str) -> dict[str, Any]:
    type_id = stable_id(f"type:{name}")
    return {
        "id": type_id,
        "node_id": node_id("IssueType", type_id),
        "name": name,
        "description": f"{name} issues",
        "color": TYPE_COLORS.get(name, "gray"),
        "created_at": "2024-01-01T00:00:00Z",
        "updated_at": "2024-01-01T00:00:00Z",
        "is_enabled": True,
    }


def reactions(url: str) -> dict[str, Any]:
    counts = dict.fromkeys(
        ("+1", "-1", "laugh", "hooray", "confused", "heart", "rocket", "eyes"), 0
    )
    return {"url": f"{url}/reactions", "total_count": 0, **counts}


@dataclass(slots=True)
class IssueContext:
    """What an issue payload needs beyond the record itself."""

    labels: list[dict[str, Any]]
    parent_url: str | None
    children_total: int = 0
    children_closed: int = 0
    extra: dict[str, Any] = field(default_factory=dict)


def issue(urls: Urls, record: IssueRecord, context: IssueContext) -> dict[str, Any]:
    """The REST issue object (also the ``issue`` of webhook deliveries)."""
    api = f"{urls.api}/repos/{record.repo}/issues/{record.number}"
    owner = record.repo.split("/", 1)[0]
    total, done = context.children_total, context.children_closed
    payload: dict[str, Any] = {
        "url": api,
        "repository_url": f"{urls.api}/repos/{record.repo}",
        "labels_url": f"{api}/labels{{/name}}",
        "comments_url": f"{api}/comments",
        "events_url": f"{api}/events",
        "html_url": f"{urls.web}/{record.repo}/{'pull' if record.is_pull_request else 'issues'}/{record.number}",
        "id": record.id,
        "node_id": node_id("Issue", record.id),
        "number": record.number,
        "title": record.title,
        "user": user(urls, record.author),
        "labels": context.labels,
        "state": record.state,
        "locked": False,
        "assignee": None,
        "assignees": [],
        "milestone": None,
        "comments": len(record.comment_ids),
        "created_at": iso(record.created_at),
        "updated_at": iso(record.updated_at),
        "closed_at": iso(record.closed_at),
        "author_association": "OWNER" if record.author == owner else "MEMBER",
        "type": issue_type(record.type) if record.type else None,
        "active_lock_reason": None,
        "sub_issues_summary": {
            "total": total,
            "completed": done,
            "percent_completed": (done * 100) // total if total else 0,
        },
        "body": record.body,
        "reactions": reactions(api),
        "timeline_url": f"{api}/timeline",
        "performed_via_github_app": None,
        "state_reason": record.state_reason,
    }
    if context.parent_url is not None:
        payload["parent_issue_url"] = context.parent_url
    if record.is_pull_request:
        pulls = f"{urls.api}/repos/{record.repo}/pulls/{record.number}"
        html = f"{urls.web}/{record.repo}/pull/{record.number}"
        payload["draft"] = False
        payload["pull_request"] = {
            "url": pulls,
            "html_url": html,
            "diff_url": f"{html}.diff",
            "patch_url": f"{html}.patch",
            "merged_at": None,
        }
    payload.update(context.extra)
    return payload


def comment(urls: Urls, record: CommentRecord, owner: str) -> dict[str, Any]:
    api = f"{urls.api}/repos/{record.repo}/issues/comments/{record.id}"
    return {
        "url": api,
        "html_url": f"{urls.web}/{record.repo}/issues/{record.number}#issuecomment-{record.id}",
        "issue_url": f"{urls.api}/repos/{record.repo}/issues/{record.number}",
        "id": record.id,
        "node_id": node_id("IssueComment", record.id),
        "user": user(urls, record.author, "Bot" if record.author.endswith("[bot]") else "User"),
        "created_at": iso(record.created_at),
        "updated_at": iso(record.updated_at),
        "author_association": "OWNER" if record.author == owner else "MEMBER",
        "body": record.body,
        "reactions": reactions(api),
        "performed_via_github_app": None,
    }


def repository(urls: Urls, full_name: str, repo_id: int | None = None) -> dict[str, Any]:
    owner, name = full_name.split("/", 1)
    api = f"{urls.api}/repos/{full_name}"
    repo_id = repo_id or stable_id(f"repo:{full_name}")
    return {
        "id": repo_id,
        "node_id": node_id("Repository", repo_id),
        "name": name,
        "full_name": full_name,
        "private": False,
        "owner": user(urls, owner, "Organization"),
        "html_url": f"{urls.web}/{full_name}",
        "description": None,
        "fork": False,
        "url": api,
        "issues_url": f"{api}/issues{{/number}}",
        "labels_url": f"{api}/labels{{/name}}",
        "issue_comment_url": f"{api}/issues/comments{{/number}}",
        "hooks_url": f"{api}/hooks",
        "created_at": "2020-01-01T00:00:00Z",
        "updated_at": "2020-01-01T00:00:00Z",
        "pushed_at": "2020-01-01T00:00:00Z",
        "has_issues": True,
        "archived": False,
        "disabled": False,
        "visibility": "public",
        "default_branch": "main",
        "open_issues_count": 0,
        **_repository_links(api, urls.web, full_name),
        "permissions": {
            "admin": False,
            "maintain": False,
            "push": True,
            "triage": True,
            "pull": True,
        },
    }


_REPO_TEMPLATES = {
    "archive_url": "/{archive_format}{/ref}",
    "assignees_url": "/assignees{/user}",
    "blobs_url": "/git/blobs{/sha}",
    "branches_url": "/branches{/branch}",
    "collaborators_url": "/collaborators{/collaborator}",
    "comments_url": "/comments{/number}",
    "commits_url": "/commits{/sha}",
    "compare_url": "/compare/{base}...{head}",
    "contents_url": "/contents/{+path}",
    "contributors_url": "/contributors",
    "deployments_url": "/deployments",
    "downloads_url": "/downloads",
    "events_url": "/events",
    "forks_url": "/forks",
    "git_commits_url": "/git/commits{/sha}",
    "git_refs_url": "/git/refs{/sha}",
    "git_tags_url": "/git/tags{/sha}",
    "issue_events_url": "/issues/events{/number}",
    "keys_url": "/keys{/key_id}",
    "languages_url": "/languages",
    "merges_url": "/merges",
    "milestones_url": "/milestones{/number}",
    "notifications_url": "/notifications{?since,all,participating}",
    "pulls_url": "/pulls{/number}",
    "releases_url": "/releases{/id}",
    "stargazers_url": "/stargazers",
    "statuses_url": "/statuses/{sha}",
    "subscribers_url": "/subscribers",
    "subscription_url": "/subscription",
    "tags_url": "/tags",
    "teams_url": "/teams",
    "trees_url": "/git/trees{/sha}",
}


def _repository_links(api: str, web: str, full_name: str) -> dict[str, Any]:
    """The URL templates and counters every repository object carries."""
    host = web.split("://", 1)[-1]
    return {
        **{name: api + suffix for name, suffix in _REPO_TEMPLATES.items()},
        "clone_url": f"{web}/{full_name}.git",
        "git_url": f"git://{host}/{full_name}.git",
        "ssh_url": f"git@{host}:{full_name}.git",
        "svn_url": f"{web}/{full_name}",
        "mirror_url": None,
        "homepage": None,
        "language": None,
        "license": None,
        "size": 0,
        "forks": 0,
        "forks_count": 0,
        "open_issues": 0,
        "stargazers_count": 0,
        "watchers": 0,
        "watchers_count": 0,
        "has_downloads": True,
        "has_projects": False,
        "has_wiki": False,
        "has_pages": False,
        "has_discussions": False,
        "network_count": 0,
        "subscribers_count": 0,
    }


def organisation(urls: Urls, login: str) -> dict[str, Any]:
    org_id = stable_id(login)
    api = f"{urls.api}/orgs/{login}"
    return {
        "login": login,
        "id": org_id,
        "node_id": node_id("Organization", org_id),
        "url": api,
        "repos_url": f"{api}/repos",
        "hooks_url": f"{api}/hooks",
        "issues_url": f"{api}/issues",
        "members_url": f"{api}/members{{/member}}",
        "avatar_url": f"{urls.web}/avatars/{login}",
        "description": None,
        "html_url": f"{urls.web}/{login}",
        "type": "Organization",
    }
