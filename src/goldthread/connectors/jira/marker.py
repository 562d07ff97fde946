"""goldthread's issue property: proof, read with the search, of whether it commented.

goldthread sets the issue property ``goldthread.marker`` =
``{"v": 1, "state": "pending"}`` on an issue *before* it ever creates its
marker comment there: inside the label request it sends anyway, or on its
own when no label is added. So an issue read without the property carries
no goldthread comment, and flagging it needs no comment lookup. A property
present says a comment may exist; the comment listing then finds it (see
``docs/design/jira-comment-marker.md``).

The search only returns the property when asked (``properties=`` on
``/search/jql``, ``/search`` and ``GET issue``); an answer without a
``properties`` object proves nothing.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from goldthread.core.model import MARKER_NONE, MARKER_PENDING, MARKER_UNKNOWN, MarkerHint

MARKER_KEY = "goldthread.marker"
MARKER_VERSION = 1
PENDING = "pending"


LABELS_REFUSED = "refused"


def intent_property(*, labels_refused: bool = False) -> dict[str, Any]:
    """The ``properties`` entry of an edit: goldthread may comment here.

    ``labels_refused`` also records that Jira refused goldthread's label on
    this issue (not on its edit screen), so a later read knows to check the
    edit screen before trying again.
    """
    value: dict[str, Any] = {"v": MARKER_VERSION, "state": PENDING}
    if labels_refused:
        value["labels"] = LABELS_REFUSED
    return {"key": MARKER_KEY, "value": value}


def labels_refused(raw: Mapping[str, Any]) -> bool:
    """Whether an issue as read carries goldthread's note that its label was refused."""
    properties = raw.get("properties")
    value = properties.get(MARKER_KEY) if isinstance(properties, Mapping) else None
    return isinstance(value, Mapping) and value.get("labels") == LABELS_REFUSED


def marker_hint(raw: Mapping[str, Any]) -> MarkerHint:
    """What an issue of a search or GET says about goldthread's comment."""
    properties = raw.get("properties")
    if not isinstance(properties, Mapping):
        return MARKER_UNKNOWN  # not asked for, or not answered: no proof either way
    if MARKER_KEY not in properties:
        return MARKER_NONE
    return MARKER_PENDING
