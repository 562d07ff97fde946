"""Translation of ``jira`` and ``requests`` failures into goldthread's error tree.

Everything that crosses the Jira connector's boundary is one of
:mod:`goldthread.errors`; the retry policy decides on those types alone.
Messages carry the method, the path and Jira's own error text, never the
library's ``str(error)`` (which dumps request and response headers).

=========================  ==============================================
Jira says                  goldthread raises
=========================  ==============================================
429                        RateLimitedError, ``retry_after`` exact
503, other 5xx, 408, 409   RetriableError (``retry_after`` when given)
connection error, timeout  RetriableError
a cut-off JSON body        RetriableError
401                        FatalSourceError
400 naming fields          FieldRefusedError (a SkippableError), ``fields``
400, 403, 404, 410, other  SkippableError (this project, item or comment)
=========================  ==============================================
"""

from __future__ import annotations

from collections.abc import Mapping
from datetime import datetime
from email.utils import parsedate_to_datetime

import requests
from jira.exceptions import JIRAError

from goldthread.errors import (
    FatalSourceError,
    RateLimitedError,
    RetriableError,
    SkippableError,
    SourceError,
)

_RETRIABLE_STATUSES = frozenset({408, 409, 425})


class FieldRefusedError(SkippableError):
    """A ``400`` whose ``errors`` object names the fields Jira refused to set
    (``{"errors": {"labels": "Field 'labels' cannot be set. ..."}}``)."""

    def __init__(self, message: str, *, source: str, fields: frozenset[str]) -> None:
        self.fields = fields
        super().__init__(message, source=source, status=400)


def refused_fields(response: requests.Response | None) -> frozenset[str]:
    """The field names of a Jira error body's ``errors`` object (none if unreadable)."""
    if response is None:
        return frozenset()
    try:
        data = response.json()
    except ValueError:
        return frozenset()
    errors = data.get("errors") if isinstance(data, Mapping) else None
    return frozenset(str(name) for name in errors) if isinstance(errors, Mapping) else frozenset()


def retry_after_seconds(headers: Mapping[str, str] | None, now: datetime) -> float | None:
    """Seconds from ``Retry-After`` (delta-seconds or an HTTP date), or ``None``.

    Fractions are kept as sent: the wait must never be shorter than asked.
    """
    if not headers:
        return None
    value = headers.get("Retry-After")
    if value is None:
        return None
    text = value.strip()
    try:
        return max(float(text), 0.0)
    except ValueError:
        pass
    try:
        when = parsedate_to_datetime(text)
    except (TypeError, ValueError):
        return None
    return max((when - now).total_seconds(), 0.0)


def from_status(
    status: int,
    message: str,
    *,
    source: str,
    headers: Mapping[str, str] | None,
    now: datetime,
) -> SourceError:
    """The goldthread error for an HTTP status Jira answered with."""
    retry_after = retry_after_seconds(headers, now)
    if status == 429:
        return RateLimitedError(message, source=source, status=status, retry_after=retry_after)
    if status >= 500 or status in _RETRIABLE_STATUSES:
        return RetriableError(message, source=source, status=status, retry_after=retry_after)
    if status == 401:
        return FatalSourceError(message, source=source, status=status)
    return SkippableError(message, source=source, status=status)


def translate(error: Exception, *, source: str, what: str, now: datetime) -> SourceError:
    """``error`` (raised by ``jira`` or ``requests`` while doing ``what``) as ours."""
    if isinstance(error, SourceError):
        return error
    if isinstance(error, JIRAError):
        status = error.status_code
        text = (error.text or "").strip()
        message = f"{what}: HTTP {status}" + (f": {text}" if text else "")
        if status is None:
            return RetriableError(f"{what}: {text or 'no response'}", source=source)
        headers = error.response.headers if error.response is not None else None
        fields = refused_fields(error.response) if status == 400 else frozenset()
        if fields:
            return FieldRefusedError(message, source=source, fields=fields)
        return from_status(status, message, source=source, headers=headers, now=now)
    if isinstance(error, requests.HTTPError) and error.response is not None:
        response = error.response
        return from_status(
            response.status_code,
            f"{what}: HTTP {response.status_code}",
            source=source,
            headers=response.headers,
            now=now,
        )
    if isinstance(error, requests.exceptions.InvalidURL | requests.exceptions.MissingSchema):
        return FatalSourceError(f"{what}: bad URL ({type(error).__name__})", source=source)
    if isinstance(error, requests.RequestException):
        return RetriableError(f"{what}: {type(error).__name__}", source=source)
    if isinstance(error, ValueError):  # a cut-off or non-JSON body
        return RetriableError(f"{what}: unreadable response", source=source)
    raise TypeError(f"not a tracker error: {type(error).__name__}") from error
