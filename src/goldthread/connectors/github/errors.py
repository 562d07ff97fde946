"""PyGithub and transport failures translated into goldthread's error tree.

This is the boundary: everything above the GitHub connector decides on
:mod:`goldthread.errors` types alone. Rate limits are recognised from the
status and the ``x-ratelimit-*`` / ``retry-after`` headers (and PyGithub's
own classification), never by matching message text here.

==========================================  =====================================
GitHub answer                               goldthread error
==========================================  =====================================
429; 403 with retry-after, remaining 0 or   :class:`RateLimitedError`, ``retry_after``
PyGithub's rate-limit exception             from retry-after, else the reset time
401                                         :class:`FatalSourceError`
5xx, timeout, dropped connection, cut body  :class:`RetriableError`
other 4xx (403, 404, 410, 422 …)            :class:`SkippableError`
==========================================  =====================================
"""

from __future__ import annotations

import json
from collections.abc import Mapping
from datetime import UTC, datetime
from typing import Any

import requests
from github import GithubException, RateLimitExceededException

from goldthread.errors import (
    FatalSourceError,
    RateLimitedError,
    RetriableError,
    SkippableError,
    SourceError,
)


def _header(headers: Mapping[str, Any], name: str) -> str | None:
    value = headers.get(name)
    if value is None:
        value = headers.get(name.lower())
    return None if value is None else str(value)


def _number(text: str | None) -> float | None:
    if text is None:
        return None
    try:
        return float(text)
    except ValueError:
        return None


def rate_limit_wait(headers: Mapping[str, Any], now: datetime) -> float | None:
    """Seconds GitHub told us to wait: retry-after, else until the reset when
    the budget is spent, else ``None`` (the retry policy then backs off from a
    minute)."""
    retry_after = _number(_header(headers, "retry-after"))
    if retry_after is not None:
        return max(retry_after, 0.0)
    remaining = _number(_header(headers, "x-ratelimit-remaining"))
    reset = _number(_header(headers, "x-ratelimit-reset"))
    if remaining == 0 and reset is not None:
        return max(reset - now.timestamp(), 0.0)
    return None


def _is_rate_limited(error: GithubException, headers: Mapping[str, Any]) -> bool:
    if error.status == 429:
        return True
    if error.status != 403:
        return False
    if isinstance(error, RateLimitExceededException):
        return True
    return (
        _header(headers, "retry-after") is not None
        or _number(_header(headers, "x-ratelimit-remaining")) == 0
    )


def translate_status(error: GithubException, *, source: str, now: datetime) -> SourceError:
    """A GitHub error answer as a goldthread error."""
    headers: Mapping[str, Any] = error.headers or {}
    status = error.status
    message = f"GitHub answered {status}: {_message(error)}"
    if _is_rate_limited(error, headers):
        wait = rate_limit_wait(headers, now)
        return RateLimitedError(message, source=source, status=status, retry_after=wait)
    if status == 401:
        return FatalSourceError(message, source=source, status=status)
    if status >= 500:
        return RetriableError(message, source=source, status=status)
    return SkippableError(message, source=source, status=status)


def _message(error: GithubException) -> str:
    data = error.data
    if isinstance(data, dict) and isinstance(data.get("message"), str):
        return str(data["message"])
    return "no message"


def translate(error: BaseException, *, source: str, now: datetime | None = None) -> SourceError:
    """Any failure of a GitHub call as a goldthread error."""
    moment = now or datetime.now(UTC)
    if isinstance(error, SourceError):
        return error
    if isinstance(error, GithubException):
        return translate_status(error, source=source, now=moment)
    if isinstance(error, requests.exceptions.InvalidURL | requests.exceptions.MissingSchema):
        return FatalSourceError(f"bad GitHub URL: {error}", source=source)
    if isinstance(error, requests.exceptions.RequestException | ConnectionError | TimeoutError):
        return RetriableError(f"GitHub unreachable: {type(error).__name__}", source=source)
    if isinstance(error, json.JSONDecodeError):
        return RetriableError("GitHub sent an unreadable answer", source=source)
    return FatalSourceError(f"GitHub call failed: {type(error).__name__}", source=source)
