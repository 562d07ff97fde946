"""Read-after-write on Jira Cloud: the issues goldthread just wrote, reconciled.

Cloud's ``/search/jql`` is eventually consistent: for a moment after a write
it may still serve the issue as it was before — without goldthread's label,
without the issue property that proves a comment may exist. Read then, an
issue goldthread just flagged would look unflagged and, with the store lost,
could get a second comment. The search's documented remedy is
``reconcileIssues``: up to 50 issue ids that must come back as written.

goldthread names there the issues of the project it wrote to within
:data:`WINDOW`: those its own process wrote, and those the store's ledger
says were written lately (told by the cycle through
:meth:`~goldthread.connectors.jira.JiraConnector.written_lately`), newest
first. Data Center's search is consistent and takes no such parameter.
"""

from __future__ import annotations

from datetime import datetime, timedelta

from goldthread.core.model import WorkItem

WINDOW = timedelta(minutes=10)  # Cloud catches up within seconds; a wide margin
MAX_IDS = 50  # the documented limit of reconcileIssues


def _project(key: str) -> str:
    return key.rpartition("-")[0].upper()


class WrittenLately:
    """Issue ids per key, with when goldthread last wrote to them."""

    def __init__(self) -> None:
        self._when: dict[str, tuple[int, datetime]] = {}

    def note(self, item: WorkItem, when: datetime) -> None:
        if item.external_id.isdigit():
            known = self._when.get(item.key)
            if known is None or known[1] < when:
                self._when[item.key] = (int(item.external_id), when)

    def ids(
        self, now: datetime, *, project: str | None = None, keys: set[str] | None = None
    ) -> list[int]:
        """The newest ids written within the window, of ``project`` or of ``keys``."""
        horizon = now - WINDOW
        for key in [k for k, (_, when) in self._when.items() if when < horizon]:
            del self._when[key]
        chosen = [
            (when, issue_id)
            for key, (issue_id, when) in self._when.items()
            if (project is None or _project(key) == project.upper())
            and (keys is None or key in keys)
        ]
        return [issue_id for _, issue_id in sorted(chosen, reverse=True)[:MAX_IDS]]
