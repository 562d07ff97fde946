"""An issue the list says has no comments cannot hold goldthread's comment: no lookup needed."""

from __future__ import annotations

from gh_contract_support import REPO, index_for, issue_payload

from goldthread.connectors.github.parsing import ParseContext, parse_issue
from goldthread.core.model import MarkerState, WorkItem


def _parse(comments: int) -> WorkItem:
    ctx = ParseContext(
        source="gh", repo=REPO, patterns=(), index=index_for(), own_index=index_for()
    )
    return parse_issue(issue_payload(comments=comments), ctx)


def test_an_issue_without_comments_proves_there_is_no_goldthread_comment() -> None:
    item = _parse(0)
    assert item.marker.state is MarkerState.NONE
    assert item.proves_no_marker


def test_an_issue_with_comments_leaves_the_question_to_a_lookup() -> None:
    item = _parse(3)
    assert item.marker.state is MarkerState.UNKNOWN
    assert not item.proves_no_marker
