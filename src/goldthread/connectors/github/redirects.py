"""Which GitHub redirects goldthread follows, and where to. Pure.

GitHub redirects a renamed repository's old name to ``/repositories/{id}``:
``301`` for reads, ``307`` for writes, and answers ``301`` for an issue
transferred to another repository. PyGithub would follow a ``301`` without
its query string (a list read then silently gets GitHub's defaults: open
issues only, 30 a page) and reads a ``307`` as the answer, so the client
hides the redirect from it and asks :func:`next_hop` instead:

* the same request again — method, body and query — at the ``Location``;
  a ``Location`` that drops the query or the path below the repository
  (``/repositories/{id}`` for ``/repos/o/r/issues``) gets them back;
* ``301``/``302``/``303`` only for reads: a write is never repeated at a
  permanently moved issue (that is a transfer; the item is read again and
  judged where it is now); ``307``/``308`` for writes only when the path
  below the repository stays the same (a rename, the same issue);
* never to another host or scheme, never without a ``Location``, never
  round a loop, at most :data:`MAX_HOPS` times. Each refusal is a
  :class:`RedirectRefused` naming why.
"""

from __future__ import annotations

import re
from urllib.parse import urljoin, urlsplit, urlunsplit

MAX_HOPS = 5
REDIRECTS = frozenset({301, 302, 303, 307, 308})
_KEEPS_METHOD = frozenset({307, 308})
_REPO_PATH = re.compile(r"^(?P<prefix>.*?)/repos/[^/]+/[^/]+(?P<suffix>/.*)?$")
_ID_PATH = re.compile(r"^(?P<prefix>.*?)/repositories/(?P<id>[0-9]+)(?P<suffix>/.*)?$")


class RedirectRefused(Exception):  # noqa: N818 - a reason, turned into a SkippableError by the client
    """A redirect goldthread does not follow; the message says why."""


def next_hop(
    verb: str, requested: str, status: int, location: str | None, visited: set[str]
) -> str:
    """The absolute URL to send ``verb`` to next, or :class:`RedirectRefused`."""
    if not location or not location.strip():
        raise RedirectRefused(f"GitHub answered {status} without a Location")
    target = urljoin(requested, location.strip())
    here, there = urlsplit(requested), urlsplit(target)
    if (here.scheme, here.netloc.lower()) != (there.scheme, there.netloc.lower()):
        raise RedirectRefused(f"GitHub redirected to another host ({there.netloc or target})")
    if verb != "GET" and status not in _KEEPS_METHOD:
        raise RedirectRefused(f"GitHub answered {status} (moved) to a {verb}; not repeated there")
    target = _completed(here.path, here.query, target)
    if verb != "GET" and _suffix(here.path) != _suffix(urlsplit(target).path):
        raise RedirectRefused(f"GitHub redirected a {verb} to another item; not repeated there")
    if target in visited or len(visited) > MAX_HOPS:
        raise RedirectRefused("GitHub's redirects go round in a loop")
    return target


def _completed(path: str, query: str, target: str) -> str:
    """The Location with the request's path below the repository and query kept."""
    parts = urlsplit(target)
    new_path = parts.path
    moved = _ID_PATH.match(new_path)
    suffix = _suffix(path)
    if moved is not None and not moved["suffix"] and suffix:
        new_path += suffix
    return urlunsplit(parts._replace(path=new_path, query=parts.query or query))


def _suffix(path: str) -> str | None:
    """The path below ``/repos/o/r`` or ``/repositories/{id}`` (``None``: neither)."""
    for pattern in (_REPO_PATH, _ID_PATH):
        match = pattern.match(path)
        if match is not None:
            return match["suffix"] or ""
    return None


def repository_id(url: str) -> int | None:
    """The id in a ``/repositories/{id}...`` URL, if it is one."""
    match = _ID_PATH.match(urlsplit(url).path)
    return int(match["id"]) if match is not None else None
