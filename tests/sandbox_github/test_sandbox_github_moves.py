"""Renames, transfers and deletions answer as GitHub documents them: a ``301``
(reads) or ``307`` (writes) with ``Location`` and the body
``{"message", "url", "documentation_url"}``, ``410`` for a deleted issue, and
the ``issues.transferred`` webhook with ``changes.new_issue`` and
``changes.new_repository``."""

from __future__ import annotations

import json

import httpx
from sandbox_github_helpers import TOKEN, seed

AUTH = {"Authorization": f"token {TOKEN}"}


def _get(stand_in, path: str, method: str = "GET", **kwargs) -> httpx.Response:
    with httpx.Client(base_url=stand_in.api_url, headers=AUTH) as client:
        return client.request(method, path, follow_redirects=False, **kwargs)


def test_a_renamed_repository_redirects_reads_with_301_and_writes_with_307(stand_in):
    stand_in.load([seed(1)])
    repo_id = stand_in.store.repos["acme/web"].id
    stand_in.rename_repo("acme/web", "acme/shop")
    read = _get(stand_in, "/repos/acme/web/issues?state=all&per_page=5")
    where = f"{stand_in.api_url}/repositories/{repo_id}/issues?state=all&per_page=5"
    assert (read.status_code, read.headers["location"]) == (301, where)
    assert set(read.json()) == {"message", "url", "documentation_url"}
    assert read.json()["url"] == where
    write = _get(stand_in, "/repos/acme/web/issues/1/comments", "POST", json={"body": "hi"})
    assert write.status_code == 307
    assert write.headers["location"].endswith(f"/repositories/{repo_id}/issues/1/comments")
    followed = _get(stand_in, f"/repositories/{repo_id}/issues/1")
    assert followed.json()["repository_url"].endswith("/repos/acme/shop")


def test_a_transferred_issue_answers_301_to_where_it_went_and_fires_transferred(stand_in, receiver):
    stand_in.load([seed(5), seed(1, repo="acme/api")])
    stand_in.set_webhook(receiver.url, "s3cret")
    number = stand_in.transfer_issue("acme/web", 5, "acme/api")
    moved = _get(stand_in, "/repos/acme/web/issues/5")
    api_id = stand_in.store.repos["acme/api"].id
    assert moved.status_code == 301
    assert moved.headers["location"] == f"{stand_in.api_url}/repositories/{api_id}/issues/{number}"
    assert _get(stand_in, "/repos/acme/api/issues/2").json()["id"] == moved_id(stand_in, number)
    stand_in.flush_webhooks()
    transferred = [json.loads(r.body) for r in receiver.received if b'"transferred"' in r.body]
    [payload] = transferred
    assert {"action", "changes", "issue", "repository", "sender"} <= set(payload)
    assert payload["issue"]["number"] == 5
    assert payload["changes"]["new_issue"]["number"] == number
    assert payload["changes"]["new_repository"]["full_name"] == "acme/api"


def moved_id(stand_in, number: int) -> int:
    return stand_in.store.get("acme/api", number).id


def test_a_deleted_issue_answers_410_gone(stand_in):
    stand_in.load([seed(1)])
    stand_in.delete_issue("acme/web", 1)
    assert _get(stand_in, "/repos/acme/web/issues/1").status_code == 410
    assert _get(stand_in, "/repos/acme/web/issues/1/comments").status_code == 410


def test_the_user_and_installation_listings_include_every_readable_repository(stand_in):
    for name in ("acme/web", "acme/api", "other/x"):
        stand_in.add_repo(name)
    user = _get(stand_in, "/user/repos?affiliation=owner,collaborator,organization_member")
    assert sorted(r["full_name"] for r in user.json()) == ["acme/api", "acme/web", "other/x"]
