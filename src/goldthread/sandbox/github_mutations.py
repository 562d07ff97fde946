"""Changes to the GitHub stand-in's state, each returning the webhooks it fires.

Every function takes the store and the acting login (the ``sender`` of the
deliveries), changes the records as GitHub would (bumping ``updated_at``,
the comment count, the parent's ``sub_issues_summary``) and returns the
:class:`Event` list GitHub would deliver for that change.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from goldthread.sandbox import github_payloads as payloads
from goldthread.sandbox.github_records import CommentRecord, IssueKey, IssueRecord
from goldthread.sandbox.github_store import GitHubStore, StoreError, not_found
from goldthread.sandbox.seeds import GitHubIssueSeed


@dataclass(frozen=True, slots=True)
class Event:
    """One webhook delivery: ``X-GitHub-Event`` and its JSON body."""

    name: str
    payload: dict[str, Any]


def _issues_event(
    store: GitHubStore, action: str, record: IssueRecord, actor: str, **extra: Any
) -> Event:
    body: dict[str, Any] = {"action": action, "issue": store.issue_json(record)}
    body.update(extra)
    body["repository"] = store.repository_json(record.repo)
    body["sender"] = payloads.user(store.urls, actor)
    return Event("issues", body)


def add(store: GitHubStore, seed: GitHubIssueSeed, author: str) -> IssueRecord:
    """Insert a seeded issue as it is, firing nothing (the past is not news)."""
    repo = store.repo(seed.repo, create=True)
    if (seed.repo, seed.number) in store.issues:
        raise StoreError(422, f"issue {seed.repo}#{seed.number} already exists")
    issue_id = seed.id or store.next_issue_id
    store.next_issue_id = max(store.next_issue_id, issue_id) + 1
    record = IssueRecord(
        repo=seed.repo,
        number=seed.number,
        id=issue_id,
        title=seed.title,
        body=seed.body,
        labels=[],
        created_at=seed.created_at.timestamp(),
        updated_at=seed.updated_at.timestamp(),
        author=author,
        state=seed.state,
        state_reason=seed.state_reason,
        closed_at=seed.updated_at.timestamp() if seed.state == "closed" else None,
        type=seed.type,
        is_pull_request=seed.is_pull_request,
    )
    for name in seed.labels:
        if name.lower() not in {have.lower() for have in record.labels}:
            record.labels.append(store.label_def(seed.repo, name).name)
    store.issues[record.key] = record
    store.by_id[record.id] = record
    repo.issues.append(record)
    for comment in seed.comments:
        _new_comment(store, record, comment.author, comment.body, comment.created_at.timestamp())
    repo.changed()
    return record


def link_parent(store: GitHubStore, child: IssueRecord, parent_key: IssueKey) -> None:
    """Attach a seeded parent link without events or time bumps."""
    parent = store.get(*parent_key)
    child.parent = parent.key
    parent.children.append(child.key)
    store.changed(child, bump=False)


def create(store: GitHubStore, seed: GitHubIssueSeed, actor: str) -> list[Event]:
    record = add(store, seed, actor)
    return [_issues_event(store, "opened", record, actor)]


def add_labels(
    store: GitHubStore, record: IssueRecord, names: list[str], actor: str
) -> list[Event]:
    events = []
    for name in names:
        if name.lower() in {have.lower() for have in record.labels}:
            continue
        definition = store.label_def(record.repo, name)
        record.labels.append(definition.name)
        store.changed(record)
        label = store.label_json(record.repo, definition.name)
        events.append(_issues_event(store, "labeled", record, actor, label=label))
    return events


def remove_label(store: GitHubStore, record: IssueRecord, name: str, actor: str) -> list[Event]:
    present = [have for have in record.labels if have.lower() == name.lower()]
    if not present:
        raise StoreError(404, "Label does not exist")
    label = store.label_json(record.repo, present[0])
    record.labels.remove(present[0])
    store.changed(record)
    return [_issues_event(store, "unlabeled", record, actor, label=label)]


def replace_labels(
    store: GitHubStore, record: IssueRecord, names: list[str], actor: str
) -> list[Event]:
    wanted = {name.lower() for name in names}
    events: list[Event] = []
    for have in list(record.labels):
        if have.lower() not in wanted:
            events += remove_label(store, record, have, actor)
    return events + add_labels(store, record, names, actor)


def set_body(store: GitHubStore, record: IssueRecord, body: str, actor: str) -> list[Event]:
    before, record.body = record.body, body
    store.changed(record)
    changes = {"body": {"from": before}}
    return [_issues_event(store, "edited", record, actor, changes=changes)]


def set_title(store: GitHubStore, record: IssueRecord, title: str, actor: str) -> list[Event]:
    before, record.title = record.title, title
    store.changed(record)
    changes = {"title": {"from": before}}
    return [_issues_event(store, "edited", record, actor, changes=changes)]


def set_state(
    store: GitHubStore, record: IssueRecord, state: str, reason: str | None, actor: str
) -> list[Event]:
    if state not in ("open", "closed"):
        raise StoreError(422, "Validation Failed")
    if state == record.state:
        if reason is not None and reason != record.state_reason:
            record.state_reason = reason
            store.changed(record)
        return []
    record.state = state
    if state == "closed":
        record.closed_at = store.now()
        record.state_reason = reason or "completed"
    else:
        record.closed_at = None
        record.state_reason = reason or "reopened"
    store.changed(record)
    return [_issues_event(store, "closed" if state == "closed" else "reopened", record, actor)]


def set_type(store: GitHubStore, record: IssueRecord, name: str | None, actor: str) -> list[Event]:
    before, record.type = record.type, name
    if before == name:
        return []
    store.changed(record)
    events = []
    if before is not None:
        untyped = payloads.issue_type(before)
        events.append(_issues_event(store, "untyped", record, actor, type=untyped))
    if name is not None:
        typed = payloads.issue_type(name)
        events.append(_issues_event(store, "typed", record, actor, type=typed))
    return events


def set_parent(
    store: GitHubStore, child: IssueRecord, parent_key: IssueKey | None, actor: str
) -> list[Event]:
    """Move ``child`` under ``parent_key`` (or detach it), as sub-issue edits do."""
    if child.parent == parent_key:
        return []
    parent = store.get(*parent_key) if parent_key is not None else None
    if parent is not None and (parent.key == child.key or _is_ancestor(store, child.key, parent)):
        raise StoreError(422, "Validation Failed: sub-issue would create a cycle")
    events: list[Event] = []
    if child.parent is not None:
        old = store.get(*child.parent)
        store.changed(child)
        old.children.remove(child.key)
        child.parent = None
        store.changed(old)
        events += _sub_issue_events(store, old, child, "removed", actor)
    if parent is not None:
        child.parent = parent.key
        parent.children.append(child.key)
        store.changed(child)
        store.changed(parent)
        events += _sub_issue_events(store, parent, child, "added", actor)
    return events


def _is_ancestor(store: GitHubStore, key: IssueKey, record: IssueRecord) -> bool:
    seen: set[IssueKey] = set()
    while record.parent is not None and record.parent not in seen:
        if record.parent == key:
            return True
        seen.add(record.parent)
        record = store.get(*record.parent)
    return False


def _sub_issue_events(
    store: GitHubStore, parent: IssueRecord, child: IssueRecord, verb: str, actor: str
) -> list[Event]:
    parent_json, child_json = store.issue_json(parent), store.issue_json(child)
    sender = payloads.user(store.urls, actor)
    as_child = {
        "action": f"parent_issue_{verb}",
        "parent_issue_id": parent.id,
        "parent_issue": parent_json,
        "parent_issue_repo": store.repository_json(parent.repo),
        "sub_issue_id": child.id,
        "sub_issue": child_json,
        "repository": store.repository_json(child.repo),
        "sender": sender,
    }
    as_parent = {
        "action": f"sub_issue_{verb}",
        "sub_issue_id": child.id,
        "sub_issue": child_json,
        "sub_issue_repo": store.repository_json(child.repo),
        "parent_issue_id": parent.id,
        "parent_issue": parent_json,
        "repository": store.repository_json(parent.repo),
        "sender": sender,
    }
    return [Event("sub_issues", as_child), Event("sub_issues", as_parent)]


def _new_comment(
    store: GitHubStore, record: IssueRecord, author: str, body: str, at: float
) -> CommentRecord:
    comment = CommentRecord(store.next_comment_id, record.repo, record.number, author, body, at, at)
    store.next_comment_id += 1
    store.comments[comment.id] = comment
    record.comment_ids.append(comment.id)
    return comment


def add_comment(
    store: GitHubStore, record: IssueRecord, body: str, actor: str
) -> tuple[CommentRecord, list[Event]]:
    comment = _new_comment(store, record, actor, body, store.now())
    store.changed(record)
    event = _comment_event(store, "created", record, store.comment_json(comment), actor)
    return comment, [event]


def edit_comment(store: GitHubStore, comment: CommentRecord, body: str, actor: str) -> list[Event]:
    before, comment.body = comment.body, body
    comment.updated_at = store.now()
    record = store.get(comment.repo, comment.number)
    store.changed(record)
    changes = {"body": {"from": before}}
    return [
        _comment_event(store, "edited", record, store.comment_json(comment), actor, changes=changes)
    ]


def delete_comment(store: GitHubStore, comment: CommentRecord, actor: str) -> list[Event]:
    if comment.id not in store.comments:
        raise not_found()
    record = store.get(comment.repo, comment.number)
    comment_json = store.comment_json(comment)
    del store.comments[comment.id]
    record.comment_ids.remove(comment.id)
    store.changed(record)
    return [_comment_event(store, "deleted", record, comment_json, actor)]


def _comment_event(
    store: GitHubStore,
    action: str,
    record: IssueRecord,
    comment_json: dict[str, Any],
    actor: str,
    **extra: Any,
) -> Event:
    body: dict[str, Any] = {"action": action}
    body.update(extra)
    body["issue"] = store.issue_json(record)
    body["comment"] = comment_json
    body["repository"] = store.repository_json(record.repo)
    body["sender"] = payloads.user(store.urls, actor)
    return Event("issue_comment", body)
