"""A JSON body POSTed to a webhook URL (Slack incoming webhook, Teams workflow).

The standard library's ``urllib`` serves: one request, a timeout, the
``HTTPS_PROXY`` of the environment. Redirects are not followed (a webhook
that moved is to be configured anew, and a POST must not turn into a GET),
and plain ``http`` is only accepted for loopback addresses. The URL is a
secret: no message here ever contains it.
"""

from __future__ import annotations

import json
import urllib.error
import urllib.request
from collections.abc import Mapping
from email.message import Message
from typing import Any
from urllib.parse import urlsplit

from goldthread import __version__
from goldthread.errors import NotifyError

_LOOPBACK = frozenset({"127.0.0.1", "localhost", "::1"})
_RETRY_STATUSES = frozenset({408, 425, 429, 500, 502, 503, 504})


class _NoRedirects(urllib.request.HTTPRedirectHandler):
    def redirect_request(self, *_args: Any, **_kwargs: Any) -> None:
        return None  # urllib then raises the 3xx as an HTTPError


_OPENER = urllib.request.build_opener(_NoRedirects)


def post_json(
    url: str,
    body: Mapping[str, Any],
    *,
    timeout: float = 30.0,
    accepted: tuple[int, ...] = (200, 201, 202, 204),
) -> int:
    """POST ``body`` as JSON to ``url``; the status it was taken with.

    Raises :class:`NotifyError`: retriable for timeouts, dropped connections,
    408/425/429/5xx (with ``retry_after`` from ``Retry-After``), otherwise not.
    """
    _check(url)
    request = urllib.request.Request(
        url,
        data=json.dumps(body, ensure_ascii=False).encode("utf-8"),
        method="POST",
        headers={
            "Content-Type": "application/json; charset=utf-8",
            "User-Agent": f"goldthread/{__version__}",
        },
    )
    try:
        with _OPENER.open(request, timeout=timeout) as response:
            status = int(response.status)
            response.read(65536)
    except urllib.error.HTTPError as exc:
        raise _refused(exc.code, exc.headers, exc.read(200)) from None
    except (urllib.error.URLError, TimeoutError, OSError) as exc:
        reason = getattr(exc, "reason", exc)
        raise NotifyError(f"the webhook did not answer: {reason}", retriable=True) from None
    if status not in accepted:
        raise NotifyError(f"the webhook answered {status}", retriable=status >= 500)
    return status


def _check(url: str) -> None:
    parts = urlsplit(url)
    if parts.scheme == "https" or (parts.scheme == "http" and parts.hostname in _LOOPBACK):
        return
    raise NotifyError(
        "the webhook URL must be https:// (http:// only on loopback)", retriable=False
    )


def _refused(status: int, headers: Message, body: bytes) -> NotifyError:
    said = body.decode("utf-8", "replace").strip().splitlines()[:1]
    detail = f": {said[0][:120]}" if said else ""
    retry_after = _seconds(headers.get("Retry-After"))
    return NotifyError(
        f"the webhook answered {status}{detail}",
        retriable=status in _RETRY_STATUSES,
        retry_after=retry_after,
    )


def _seconds(value: str | None) -> float | None:
    try:
        return max(0.0, float(value)) if value else None
    except ValueError:
        return None
