"""A local stand-in for Jira Cloud or Data Center, good enough for the unmodified ``jira`` client.

It serves what goldthread reads and writes: server info, the field list (on
Data Center with Epic Link and Parent Link custom fields whose ids differ per
``seed``, so clients must look them up), issue search (Cloud ``/search/jql``
by page token without a total, the old ``/search`` answering 410; DC
``/search`` with totals), a JQL subset read in the account's time zone,
issues, atomic label edits, comments with properties, issue links, and
signed webhooks for every change, goldthread's own writes included.

Like the real sites it is strict where they are: comment properties come
only from ``POST /comment/list?expand=properties`` (Cloud) or the
comment-property API, never from an ``expand`` the comment GETs do not
document; a project can refuse label edits (the labels field missing from
its edit screen, :meth:`JiraStandIn.lock_labels`); and Cloud's search can
serve issues as they were before a write for ``search_lag`` seconds unless
the request names them in ``reconcileIssues``, as Cloud's eventually
consistent search does.

Authentication is Cloud basic (``email:token``) or DC bearer (``token``).
Control methods are the seam for tests and the sandbox facade; they act as a
person editing the tracker in the web UI (``sandbox-admin``).

Link direction follows Jira: in ``POST /issueLink`` the ``inwardIssue`` is the
issue the outward phrase applies to ("A implements B": A); on A's
``issuelinks`` the entry names B as ``outwardIssue``, on B's, A as
``inwardIssue``.
"""

from __future__ import annotations

import base64
import copy
import random
from collections.abc import Callable, Iterable
from datetime import UTC, datetime, timedelta
from typing import Any
from zoneinfo import ZoneInfo

from goldthread.sandbox.faults import Fault
from goldthread.sandbox.http import Request, Response, StandIn
from goldthread.sandbox.jira_fields import field_list
from goldthread.sandbox.jira_render import FieldSelection, Renderer
from goldthread.sandbox.jira_routes import JiraApiError, ReadRoutes
from goldthread.sandbox.jira_site import SiteRoutes
from goldthread.sandbox.jira_state import BOT, SANDBOX_ADMIN, Change, IssueRecord, JiraState
from goldthread.sandbox.jira_webhooks import Delivery, WebhookSender, payload
from goldthread.sandbox.jira_writes import WriteRoutes
from goldthread.sandbox.jql import epoch_ms
from goldthread.sandbox.seeds import JiraIssueSeed, JiraLinkSeed

_UNAUTHORISED = "You are not authenticated. Authentication required to perform this operation."


class JiraStandIn(StandIn):
    server_name = "jira"

    def __init__(
        self,
        mode: str = "cloud",
        email: str = "goldthread-bot@acme.example",
        token: str = "sandbox-token",  # noqa: S107 - the sandbox's well-known token
        time_zone: str = "Europe/Berlin",
        *,
        clock: Callable[[], datetime] | None = None,
        seed: int = 0,
        dc_max_results: int = 100,
        search_lag: float = 0.0,
    ) -> None:
        super().__init__()
        if mode not in ("cloud", "dc"):
            raise ValueError(f"mode must be 'cloud' or 'dc', not {mode!r}")
        self.mode = mode
        self.email = email
        self.token = token
        self.time_zone = time_zone
        self.zone = ZoneInfo(time_zone)
        self.clock: Callable[[], datetime] = clock or (lambda: datetime.now(UTC))
        self.dc_max_results = dc_max_results
        self.search_lag = search_lag
        self.label_locked: set[str] = set()
        self.denied: dict[str, set[str]] = {}  # project -> permissions the bot lacks there
        self._stale: dict[int, tuple[datetime, IssueRecord]] = {}
        self.bot = BOT
        self.human = SANDBOX_ADMIN
        first, second = random.Random(seed).sample(range(10100, 12999, 3), 2)
        self.epic_link_field = f"customfield_{first}"
        self.parent_link_field = f"customfield_{second}"
        self.state = JiraState(
            self.now,
            cloud=self.cloud,
            epic_field=self.epic_link_field,
            parent_field=self.parent_link_field,
        )
        self.renderer = Renderer(
            self.state,
            lambda: self.base_url,
            self.cloud,
            self.zone,
            email,
            self.epic_link_field,
            self.parent_link_field,
        )
        self.webhooks = WebhookSender()
        ReadRoutes(self).install()
        SiteRoutes(self).install()
        WriteRoutes(self).install()

    def now(self) -> datetime:
        """The site's clock; ``clock`` may be swapped for a fake at any time."""
        return self.clock()

    @property
    def cloud(self) -> bool:
        return self.mode == "cloud"

    # ------------------------------------------------------------ HTTP hooks

    def before(self, request: Request) -> Response | None:
        if request.path.endswith("/serverInfo"):
            return None
        given = request.headers.get("authorization", "")
        if self.cloud:
            expected = "Basic " + base64.b64encode(f"{self.email}:{self.token}".encode()).decode()
        else:
            expected = f"Bearer {self.token}"
        if given != expected:
            return Response(
                401,
                {"errorMessages": [_UNAUTHORISED], "errors": {}},
                {"WWW-Authenticate": 'OAuth realm="sandbox"'},
            )
        return None

    def dispatch(self, request: Request) -> Response:
        try:
            return super().dispatch(request)
        except JiraApiError as problem:
            return problem.response()
        except (ValueError, KeyError) as exc:
            return JiraApiError(400, f"Bad request: {exc}").response()

    def not_found(self, request: Request) -> Response:
        return JiraApiError(404, f"null for uri: {request.path}").response()

    def fault_response(self, fault: Fault) -> Response:
        headers: dict[str, str] = {}
        retry_after = fault.retry_after
        if retry_after is None and fault.status == 503 and self.faults is not None:
            retry_after = self.faults.retry_after
        if retry_after is not None:
            headers["Retry-After"] = str(int(retry_after))
        if fault.status == 429:
            reset = self.clock() + timedelta(seconds=retry_after or 1)
            headers |= {
                "X-RateLimit-Limit": "100",
                "X-RateLimit-Remaining": "0",
                "X-RateLimit-Reset": reset.strftime("%Y-%m-%dT%H:%MZ"),
                "RateLimit-Reason": "jira-burst-based",
            }
        message = (
            "Rate limit exceeded." if fault.status == 429 else f"injected fault {fault.status}"
        )
        return Response(fault.status, {"errorMessages": [message], "errors": {}}, headers)

    # ------------------------------------------------------------ site facts

    def server_info(self) -> dict[str, Any]:
        numbers = [1001, 0, 0] if self.cloud else [9, 12, 15]
        return {
            "baseUrl": self.base_url,
            "version": ".".join(map(str, numbers)) + ("-SNAPSHOT" if self.cloud else ""),
            "versionNumbers": numbers,
            "deploymentType": "Cloud" if self.cloud else "Server",
            "buildNumber": 100000 if self.cloud else 9120015,
            "buildDate": "2026-01-01T00:00:00.000+0000",
            "serverTime": self.renderer.time(self.clock()),
            "scmInfo": "sandbox",
            "serverTitle": "Jira",
        }

    def field_list(self) -> list[dict[str, Any]]:
        return field_list(self.cloud, self.epic_link_field, self.parent_link_field)

    # ------------------------------------------------------------ edit screens and search lag

    def lock_labels(self, project: str, locked: bool = True) -> None:
        """Take the labels field off (or put it back on) ``project``'s edit screen."""
        with self.lock:
            (self.label_locked.add if locked else self.label_locked.discard)(project.upper())

    def deny(self, project: str, permission: str, denied: bool = True) -> None:
        """Take a project permission (``EDIT_ISSUES``...) from goldthread's account, or give it back.

        Only what ``mypermissions`` answers changes: the doctor reads it."""
        with self.lock:
            held = self.denied.setdefault(project.upper(), set())
            (held.add if denied else held.discard)(permission)

    def edit_screen(self, issue: IssueRecord) -> dict[str, Any]:
        """The fields ``GET /issue/{key}/editmeta`` lists for ``issue``."""
        fields = {"summary": ("Summary", "string"), "description": ("Description", "string")}
        if issue.project not in self.label_locked:
            fields["labels"] = ("Labels", "array")
        fields["parent"] = ("Parent", "issuelink")
        return {
            key: {
                "required": key == "summary",
                "schema": {"type": kind, "system": key},
                "name": name,
                "key": key,
                "operations": ["add", "set", "remove"] if key == "labels" else ["set"],
                "hasDefaultValue": False,
            }
            for key, (name, kind) in fields.items()
        }

    def before_write(self, issue: IssueRecord) -> None:
        """With a ``search_lag``, searches keep serving ``issue`` as it is now for a while."""
        if self.search_lag > 0 and issue.id not in self._stale:
            until = self.now() + timedelta(seconds=self.search_lag)
            self._stale[issue.id] = (until, copy.deepcopy(issue))

    def search_view(self, reconcile: set[int]) -> list[IssueRecord]:
        """The issues a search sees: lagging copies, except those named in ``reconcile``."""
        now = self.now()
        for issue_id, (until, _) in list(self._stale.items()):
            if until <= now or issue_id not in self.state.by_id:
                del self._stale[issue_id]
        return [
            issue
            if issue.id in reconcile or issue.id not in self._stale
            else self._stale[issue.id][1]
            for issue in self.state.issues.values()
        ]

    # ------------------------------------------------------------ webhooks

    def set_webhook(self, url: str | None, secret: str | None = None) -> None:
        """Deliver every later change to ``url``, signed with ``secret`` when given."""
        self.webhooks.configure(url, secret)

    def flush_webhooks(self, timeout: float = 5.0) -> bool:
        return self.webhooks.flush(timeout)

    @property
    def deliveries(self) -> list[Delivery]:
        return list(self.webhooks.deliveries)

    def publish(self, changes: list[Change]) -> None:
        """Queue the webhooks for ``changes``; called with the lock held."""
        for change in changes:
            body = payload(
                change, self.renderer, epoch_ms(self.clock()), next(self.state.changelog_ids)
            )
            self.webhooks.enqueue(change.event, body)

    # ------------------------------------------------------------ control methods

    def load(self, issues: Iterable[JiraIssueSeed], links: Iterable[JiraLinkSeed] = ()) -> None:
        """Add seeded issues and links as they are, without webhooks."""
        with self.lock:
            self.state.load(issues, links)

    def _issue(self, key: str) -> IssueRecord:
        found = self.state.find(key)
        if found is None:
            raise KeyError(f"no issue {key}")
        return found

    def issue(self, key: str) -> dict[str, Any]:
        """The issue as ``GET /rest/api/2/issue/{key}`` shows it (wiki description)."""
        with self.lock:
            everything = FieldSelection(everything=True)
            return self.renderer.issue(self._issue(key), "2", everything, ("*all",))

    def labels(self, key: str) -> list[str]:
        with self.lock:
            return list(self._issue(key).labels)

    def comments(self, key: str) -> list[dict[str, Any]]:
        """Comments in the v2 shape, each with its ``properties``."""
        with self.lock:
            return [
                self.renderer.comment(c, "2", properties=True) for c in self._issue(key).comments
            ]

    def comment_as_person(
        self, key: str, text: str, properties: dict[str, object] | None = None
    ) -> str:
        """A person's comment on ``key`` (``properties`` set with it); returns its id."""
        with self.lock:
            comment, changes = self.state.add_comment(
                self._issue(key), text, None, self.human, dict(properties or {})
            )
            self.publish(changes)
            return str(comment.id)

    def create_issue(self, seed: JiraIssueSeed) -> str:
        with self.lock:
            record, changes = self.state.create(seed, self.human)
            self.publish(changes)
            return record.key

    def set_labels(self, key: str, labels: Iterable[str]) -> None:
        with self.lock:
            self.publish(self.state.set_labels(self._issue(key), list(labels), self.human))

    def set_parent(self, key: str, parent_key: str | None) -> None:
        """Cloud: ``parent``; DC: Epic Link, Parent Link or sub-task parent by level."""
        with self.lock:
            if parent_key is not None:
                self._issue(parent_key)
            self.publish(self.state.set_parent(self._issue(key), parent_key, self.human))

    def set_description(self, key: str, text: str) -> None:
        with self.lock:
            self.publish(self.state.set_description(self._issue(key), text, None, self.human))

    def set_status(self, key: str, name: str, category: str) -> None:
        with self.lock:
            self.publish(self.state.set_status(self._issue(key), name, category, self.human))

    def add_link(self, type_name: str, outward_key: str, inward_key: str) -> int:
        """``outward_key`` <outward phrase> ``inward_key``; returns the link id."""
        with self.lock:
            self._issue(outward_key)
            self._issue(inward_key)
            link, changes = self.state.link(
                JiraLinkSeed(type_name, outward_key, inward_key), self.human
            )
            self.publish(changes)
            return link.id

    def remove_link(self, link_id: int) -> None:
        with self.lock:
            self.publish(self.state.unlink(link_id, self.human))

    def move_issue(self, key: str, project: str) -> str:
        """Move an issue to ``project``; returns its new key (the old one still resolves)."""
        with self.lock:
            issue = self._issue(key)
            self.publish(self.state.move(issue, project, self.human))
            return issue.key

    def delete_issue(self, key: str) -> None:
        with self.lock:
            self.publish(self.state.delete(self._issue(key), self.human))
