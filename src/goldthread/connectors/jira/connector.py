"""The Jira source: Cloud or Data Center, read per project, written sparingly.

Ties the pieces together behind :class:`~goldthread.connectors.base.Connector`:
:mod:`.client` (auth, deployment, retries), :mod:`.reading` (search,
pagination, cursors), :mod:`.parsing` (issues -> work items),
:mod:`.writing` (labels, marker comments).
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from datetime import datetime
from typing import Any

from goldthread.clock import Clock
from goldthread.connectors.base import LinkKinds
from goldthread.connectors.health import Health
from goldthread.connectors.jira.client import JiraClient
from goldthread.connectors.jira.consistency import WrittenLately
from goldthread.connectors.jira.marker import MARKER_KEY, labels_refused
from goldthread.connectors.jira.options import JiraOptions
from goldthread.connectors.jira.parsing import ParseContext, parse_issue, updated_millis
from goldthread.connectors.jira.reading import (
    PageFetcher,
    ProjectRead,
    cloud_fetcher,
    dc_fetcher,
    quote_jql,
)
from goldthread.connectors.jira.writing import JiraWriter
from goldthread.connectors.pacing import WritePacer
from goldthread.connectors.retrying import RetrySettings
from goldthread.core.model import (
    CommentDoc,
    LinkKind,
    OwnComment,
    RateBudget,
    RequestStats,
    WorkItem,
)
from goldthread.core.scope import SourceScope, split_in_scope
from goldthread.errors import SkippableError


class JiraConnector:
    """One configured Jira site (see :class:`JiraOptions`)."""

    def __init__(
        self, options: JiraOptions, clock: Clock, *, retry: RetrySettings | None = None
    ) -> None:
        self.options = options
        self._clock = clock
        self._client = JiraClient(options, clock, retry=retry)
        self._writer = JiraWriter(self._client, WritePacer(options.writes_per_minute, clock))
        self._context: ParseContext | None = None
        self._written = WrittenLately()
        self._locked: list[str] | None = None

    # ---------------------------------------------------------------- identity

    @property
    def name(self) -> str:
        return self.options.name

    @property
    def stats(self) -> RequestStats:
        return self._client.stats

    @property
    def cloud(self) -> bool:
        """Whether the site said it is Jira Cloud (connects on first use)."""
        return self._client.cloud

    def check(self) -> str:
        me = self._client.get_json("read the account", "myself")
        who = me.get("emailAddress") or me.get("name") or me.get("accountId") or "?"
        kind = "Jira Cloud" if self._client.cloud else "Jira Data Center"
        zone = me.get("timeZone") or "unknown time zone"
        line = f"{me.get('displayName') or who} ({who}) on {kind} {self.options.base_url}, {zone}"
        line += f"; {self.link_kinds().describe()}"
        locked = self.locked_projects()
        if locked:
            line += (
                f"; labels cannot be written in {', '.join(locked)} (the labels field is not"
                " on the edit screen): goldthread only comments there"
            )
        return line

    def link_kinds(self) -> LinkKinds:
        """Parent, Epic Link and Parent Link as this site has them, links, references."""
        client = self._client
        cloud = client.cloud
        available = [LinkKind.JIRA_PARENT]
        missing: dict[str, str] = {}
        for kind, field_id, name in (
            (LinkKind.EPIC_LINK, client.epic_link_field, "Epic Link"),
            (LinkKind.PARENT_LINK, client.parent_link_field, "Parent Link"),
        ):
            if field_id:
                available.append(kind)
            elif not cloud:
                missing[kind.value] = f"no {name} field on this site"
        if self.options.parent_link_types:
            available.append(LinkKind.ISSUE_LINK)
        if self.options.reference_patterns:
            available.append(LinkKind.BODY_REFERENCE)
        server = "Jira Cloud" if cloud else "Jira Data Center"
        return LinkKinds(server, tuple(available), missing=missing)

    def locked_projects(self) -> list[str]:
        """Configured projects whose edit screen has no labels field (asked once)."""
        if self._locked is None:
            self._locked = [p for p in self.options.projects if self._labels_locked(p)]
        return self._locked

    def examine(self, *, writes: bool) -> Health:
        """What this site lets goldthread read and write, per project (the doctor)."""
        from goldthread.connectors.jira.doctoring import examine

        return examine(self, writes=writes)

    def my_permissions(self, project: str, keys: Sequence[str]) -> dict[str, bool]:
        """Which of ``keys`` goldthread's account holds in ``project``."""
        params = {"projectKey": project, "permissions": ",".join(keys)}
        answer = self._client.get_json(f"read permissions in {project}", "mypermissions", params)
        held = answer.get("permissions") if isinstance(answer, Mapping) else None
        return {
            str(key): bool(value.get("havePermission"))
            for key, value in (held.items() if isinstance(held, Mapping) else [])
            if isinstance(value, Mapping)
        }

    def link_types(self) -> list[dict[str, Any]]:
        """The site's issue link types (name, inward and outward phrases)."""
        answer = self._client.get_json("list link types", "issueLinkType")
        kinds = answer.get("issueLinkTypes") if isinstance(answer, Mapping) else None
        return [dict(kind) for kind in kinds or [] if isinstance(kind, Mapping)]

    @property
    def client(self) -> JiraClient:
        return self._client

    def _labels_locked(self, project: str) -> bool:
        """Whether an issue of ``project`` shows no labels field on its edit screen."""
        fetch = self._fetcher(f"sample project {project}")
        try:
            issues, _ = fetch(f"project = {quote_jql(project)} ORDER BY key ASC", None)
        except SkippableError:
            return False  # a project that cannot be read is the reads' to report
        keys = [str(raw["key"]) for raw in issues[:1] if raw.get("key")]
        return bool(keys) and self._writer.screens.editable(keys[0]) is False

    @property
    def old_keys_resolve(self) -> bool:
        """Jira answers a moved issue's old key, in reads and writes alike."""
        return True

    def scopes(self) -> list[str]:
        return list(self.options.projects)

    def scope(self) -> SourceScope:
        return SourceScope(self.name, projects=self.options.projects)

    def budget(self) -> RateBudget | None:
        return self._client.budget()

    # ---------------------------------------------------------------- reading

    def _ctx(self) -> ParseContext:
        if self._context is None:
            client = self._client
            _ = client.jira  # learns the deployment and the custom field ids
            opts = self.options
            self._context = ParseContext(
                source=opts.name,
                base_url=opts.base_url,
                projects=opts.projects,
                epic_link_field=client.epic_link_field,
                parent_link_field=client.parent_link_field,
                parent_link_types=opts.parent_link_types,
                reference_patterns=opts.reference_patterns,
                index=opts.index,
            ).with_own_source()
        return self._context

    def _fetcher(
        self, what: str, *, lenient: bool = False, reconcile: Sequence[int] = ()
    ) -> PageFetcher:
        """Pages of the deployment's search; ``lenient``: unknown keys are no error (DC);
        ``reconcile``: issue ids Cloud must serve as last written."""
        ctx = self._ctx()
        size = self.options.page_size

        if self._client.cloud:
            reconciled = list(reconcile) or None

            def cloud_page(jql: str, token: str | None) -> Mapping[str, Any]:
                answer = self._client.call(
                    what,
                    lambda j: j.enhanced_search_issues(
                        jql,
                        nextPageToken=token,
                        maxResults=size,
                        fields=ctx.fields(),
                        properties=MARKER_KEY,
                        reconcileIssues=reconciled,
                        json_result=True,
                    ),
                )
                return answer if isinstance(answer, Mapping) else {}

            return cloud_fetcher(cloud_page)

        def dc_page(jql: str, start: int) -> Mapping[str, Any]:
            params = {
                "jql": jql,
                "startAt": start,
                "maxResults": size,
                "validateQuery": "false" if lenient else "true",
                "fields": ",".join(ctx.fields()),
                "properties": MARKER_KEY,
            }
            answer = self._client.get_json(what, "search", params)
            return answer if isinstance(answer, Mapping) else {}

        return dc_fetcher(dc_page)

    def read(self, scope: str, cursor: str | None) -> ProjectRead:
        self._ctx()
        return ProjectRead(
            project=scope,
            extra_jql=self.options.jql,
            cursor=cursor,
            fetch=self._fetcher(
                f"search project {scope}",
                reconcile=self._written.ids(self._clock.now(), project=scope),
            ),
            parse=self._parse,
            updated_ms=updated_millis,
            started=self._clock.now(),
            overlap=self.options.overlap,
        )

    def get(self, keys: Sequence[str]) -> list[WorkItem]:
        """Fresh copies of the items in scope, one search per 100 keys.

        Unknown keys are left out, and so are issues outside the scope: a
        project not configured (checked here) or not matching ``jql`` (which
        only Jira can decide: the search is ``key in (...) AND (<jql>)``). A
        moved issue's old key finds it under its new key, as Jira resolves it.
        """
        wanted = list(dict.fromkeys(k.strip().upper() for k in keys if k.strip()))
        items: list[WorkItem] = []
        size = self.options.page_size
        for start in range(0, len(wanted), size):
            chunk = wanted[start : start + size]
            try:
                found = self._search_keys(chunk)
            except SkippableError as error:
                if error.status != 400:  # 400: a key that does not exist
                    raise
                found = self._one_by_one(chunk)
            items.extend(split_in_scope(self.scope(), found)[0])
        return list({item.key: item for item in items}.values())

    def _one_by_one(self, keys: list[str]) -> list[WorkItem]:
        """Each key on its own (a search naming a missing key fails whole), then
        one search to keep those matching ``jql``."""
        found = [item for key in keys if (item := self._get_one(key)) is not None]
        found = split_in_scope(self.scope(), found)[0]
        if not found or not self.options.jql.strip():
            return found
        return self._search_keys([item.key for item in found])

    def _search_keys(self, keys: list[str]) -> list[WorkItem]:
        jql = "key in (" + ", ".join(quote_jql(k) for k in keys) + ")"
        if self.options.jql.strip():
            jql += f" AND ({self.options.jql.strip()})"
        recent = self._written.ids(self._clock.now(), keys=set(keys))
        fetch = self._fetcher("read issues by key", lenient=True, reconcile=recent)
        found: list[WorkItem] = []
        position: int | str | None = None
        while True:
            issues, position = fetch(jql, position)
            found.extend(self._parse(raw) for raw in issues)
            if position is None:
                return found

    def _get_one(self, key: str) -> WorkItem | None:
        ctx = self._ctx()
        params = {"fields": ",".join(ctx.fields()), "properties": MARKER_KEY}
        try:
            raw = self._client.get_json(f"read {key}", f"issue/{key}", params)
        except SkippableError as error:
            if error.status in (400, 403, 404):
                return None
            raise
        return self._parse(raw)

    def _parse(self, raw: Mapping[str, Any]) -> WorkItem:
        """An issue as a work item; the writer notes its marker property."""
        item = self._writer.observe(parse_issue(raw, self._ctx()))
        if labels_refused(raw):
            self._writer.screens.suspect(item)
        return item

    # ---------------------------------------------------------------- writing

    def written_lately(self, items: Sequence[WorkItem], when: Mapping[str, datetime]) -> None:
        """Items the store's ledger says goldthread wrote lately (``when``: by ref)."""
        for item in items:
            if item.ref in when:
                self._written.note(item, when[item.ref])

    def _wrote(self, item: WorkItem) -> None:
        self._written.note(item, self._clock.now())

    def add_label(self, item: WorkItem, label: str) -> None:
        self._wrote(item)
        self._writer.add_label(item, label)

    def remove_label(self, item: WorkItem, label: str) -> None:
        self._wrote(item)
        self._writer.remove_label(item, label)

    def find_own_comment(self, item: WorkItem, *, fresh: bool = False) -> OwnComment | None:
        return self._writer.find_own_comment(item, trust_hint=not fresh)

    def create_comment(self, item: WorkItem, doc: CommentDoc) -> OwnComment:
        self._wrote(item)
        return self._writer.create_comment(item, doc)

    def update_comment(self, item: WorkItem, comment_id: str, doc: CommentDoc) -> OwnComment:
        self._wrote(item)
        return self._writer.update_comment(item, comment_id, doc)

    def delete_comment(self, item: WorkItem, comment_id: str) -> None:
        self._wrote(item)
        self._writer.delete_comment(item, comment_id)
