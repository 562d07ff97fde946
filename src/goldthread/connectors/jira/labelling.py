"""Where Jira lets goldthread write its label: the edit screens.

A label edit is refused with ``400`` (``errors.labels``) when the labels
field is not on the edit screen of the issue's project and type, and the
whole request is lost with it. A refusal is remembered per (project, issue
type) for the life of the process, and noted on the issue itself (in
goldthread's issue property, written separately). An issue read with that
note makes the writer ask ``GET /issue/{key}/editmeta`` — a read — before
its next label write there, so a later run sends no edit that is sure to be
refused, and resumes labelling once an administrator puts the field back.
Everywhere else no request is spent on screens: flagging an issue still
costs two requests. Where labels cannot be written,
:class:`~goldthread.errors.LabelRefusedError` tells the applier to go on
with the comment alone and warn, naming the project.
"""

from __future__ import annotations

from collections.abc import Iterator, Mapping
from contextlib import contextmanager

from goldthread.connectors.jira.client import JiraClient
from goldthread.connectors.jira.errors import FieldRefusedError
from goldthread.core.model import WorkItem
from goldthread.errors import LabelRefusedError, SkippableError


def project_of(key: str) -> str:
    return key.rpartition("-")[0].upper()


def _where(item: WorkItem) -> tuple[str, str]:
    """Edit screens are chosen per project and issue type."""
    return project_of(item.key), (item.type or "").casefold()


class LabelScreens:
    """Per (project, issue type): can goldthread's label be edited there?"""

    def __init__(self, client: JiraClient) -> None:
        self._client = client
        self._editable: dict[tuple[str, str], bool] = {}
        self._suspect: set[tuple[str, str]] = set()  # read with goldthread's refusal note
        self.refused: set[str] = set()  # projects where a label could not be written

    def editable(self, key: str) -> bool | None:
        """Whether issue ``key``'s edit screen has the labels field (``None``: cannot tell)."""
        try:
            meta = self._client.get_json(f"read the edit screen of {key}", f"issue/{key}/editmeta")
        except SkippableError:
            return None
        fields = meta.get("fields") if isinstance(meta, Mapping) else None
        return None if not isinstance(fields, Mapping) else "labels" in fields

    def suspect(self, item: WorkItem) -> None:
        """``item`` was read with goldthread's note that its label was refused."""
        self._suspect.add(_where(item))

    def require(self, item: WorkItem) -> None:
        """Raise :class:`LabelRefusedError` when labels are known not to be editable."""
        where = _where(item)
        known = self._editable.get(where)
        if known is None and where in self._suspect:
            known = self.editable(item.key) is not False
            self._editable[where] = known
        if known is False:
            raise self._refusal(item)

    @contextmanager
    def watch(self, item: WorkItem) -> Iterator[None]:
        """Turn a refused label edit into :class:`LabelRefusedError`, remembered."""
        try:
            yield
        except FieldRefusedError as error:
            if "labels" not in error.fields:
                raise
            self._editable[_where(item)] = False
            raise self._refusal(item) from error

    def _refusal(self, item: WorkItem) -> LabelRefusedError:
        project = project_of(item.key)
        self.refused.add(project)
        return LabelRefusedError(
            f"labels cannot be edited in project {project} (not on its edit screen): "
            "goldthread comments there without its label",
            source=self._client.options.name,
            scope=project,
        )
