"""Logging, configured once at the entry point.

Everything goes through one stdlib handler (stderr, so ``report --format
json`` on stdout stays clean): goldthread's structlog events and the stdlib
records of requests, urllib3, PyGithub and jira alike. JSON when the stream is
not a terminal, console output when it is.

Secrets are redacted twice: a processor walks the event (message, keyword
values, nested containers, exception text) replacing every known secret
value and every value under a key named like a credential; and the rendered
line is scrubbed again, so a secret inside some object's ``repr`` cannot
slip through either.
"""

from __future__ import annotations

import logging
import re
import sys
from collections.abc import Iterable, Mapping, Sequence
from typing import Any, Literal, TextIO

import structlog
from structlog.typing import EventDict, Processor, WrappedLogger

REDACTED = "[redacted]"
LogFormat = Literal["json", "console"]
LEVELS = ("debug", "info", "warning", "error", "critical")

_SENSITIVE_KEY = re.compile(
    r"token|secret|passw|authorization|private_key|api_key|apikey|cookie|credential",
    re.IGNORECASE,
)
_NAME_KEY = re.compile(r"_(env|file)$", re.IGNORECASE)  # names where a secret is, not secrets
_HANDLER_MARK = "_goldthread_handler"
_INLINE_CREDENTIAL = re.compile(
    r"(?i)(authorization[\"']?\s*[:=]\s*[\"']?(?:bearer|basic|token)\s+)[^\s\"',}]+"
)


class _Secrets:
    """The secret values known so far; longest first, so overlaps redact whole."""

    def __init__(self) -> None:
        self._values: list[str] = []

    def add(self, values: Iterable[str]) -> None:
        merged = set(self._values) | {value for value in values if value}
        self._values = sorted(merged, key=len, reverse=True)

    def scrub(self, text: str) -> str:
        for value in self._values:
            if value in text:
                text = text.replace(value, REDACTED)
        return _INLINE_CREDENTIAL.sub(rf"\1{REDACTED}", text)


_SECRETS = _Secrets()


def add_secret(value: str) -> None:
    """Redact ``value`` from every log line from now on (a secret read later)."""
    _SECRETS.add([value])


def redact(value: Any) -> Any:
    """``value`` with known secrets replaced, walking containers."""
    if isinstance(value, str):
        return _SECRETS.scrub(value)
    if isinstance(value, Mapping):
        return {
            key: REDACTED if _sensitive(key, item) else redact(item) for key, item in value.items()
        }
    if isinstance(value, list | tuple | set | frozenset):
        return [redact(item) for item in value]
    if isinstance(value, BaseException):
        return _SECRETS.scrub(repr(value))
    return value


def _sensitive(key: object, value: object) -> bool:
    if not isinstance(key, str) or value is None or isinstance(value, bool):
        return False
    return bool(_SENSITIVE_KEY.search(key)) and not _NAME_KEY.search(key)


def redact_event(_logger: WrappedLogger, _method: str, event_dict: EventDict) -> EventDict:
    """Processor: redact every value of the event (after exceptions are text)."""
    return {
        key: item
        if key.startswith("_")
        else redact(item)
        if not _sensitive(key, item)
        else REDACTED
        for key, item in event_dict.items()
    }


def _redact_rendered(_logger: WrappedLogger, _method: str, rendered: Any) -> Any:
    """Last processor: scrub the rendered line itself."""
    return _SECRETS.scrub(rendered) if isinstance(rendered, str) else rendered


def configure_logging(
    fmt: LogFormat | None,
    level: str,
    secrets: Sequence[str] = (),
    *,
    stream: TextIO | None = None,
) -> None:
    """Configure structlog and stdlib logging; call once per process entry.

    ``fmt=None`` picks console on a terminal and JSON otherwise. Calling it
    again replaces goldthread's handler (tests, or a CLI invoked twice).
    """
    out = stream if stream is not None else sys.stderr
    _SECRETS.add(secrets)
    numeric = logging.getLevelNamesMapping()[level.upper()]
    chosen: LogFormat = fmt or ("console" if _is_tty(out) else "json")
    shared: list[Processor] = [
        structlog.contextvars.merge_contextvars,
        structlog.stdlib.add_log_level,
        structlog.stdlib.add_logger_name,
        structlog.processors.TimeStamper(fmt="iso", utc=True),
        structlog.processors.StackInfoRenderer(),
        structlog.processors.format_exc_info,
        redact_event,
    ]
    structlog.configure(
        processors=[
            structlog.stdlib.filter_by_level,
            *shared,
            structlog.stdlib.ProcessorFormatter.wrap_for_formatter,
        ],
        logger_factory=structlog.stdlib.LoggerFactory(),
        wrapper_class=structlog.stdlib.BoundLogger,
        cache_logger_on_first_use=False,
    )
    handler = _Handler(stream)
    handler.setFormatter(
        structlog.stdlib.ProcessorFormatter(
            foreign_pre_chain=shared,
            processors=[
                structlog.stdlib.ProcessorFormatter.remove_processors_meta,
                _renderer(chosen, colors=_is_tty(out)),
                _redact_rendered,
            ],
        )
    )
    setattr(handler, _HANDLER_MARK, True)
    _install(handler, numeric)


class _Handler(logging.StreamHandler):  # type: ignore[type-arg]
    """Writes to the given stream, or to whatever ``sys.stderr`` is at the time
    of each record (so a swapped or closed stderr never breaks logging)."""

    def __init__(self, stream: TextIO | None) -> None:
        super().__init__()
        self._fixed = stream

    @property
    def stream(self) -> TextIO:
        return self._fixed if self._fixed is not None else sys.stderr

    @stream.setter
    def stream(self, _value: TextIO) -> None:
        """``StreamHandler.__init__`` assigns one; the property decides instead."""


def _renderer(fmt: LogFormat, *, colors: bool) -> Processor:
    if fmt == "json":
        return structlog.processors.JSONRenderer(default=str)
    return structlog.dev.ConsoleRenderer(colors=colors)


def _install(handler: logging.Handler, level: int) -> None:
    """Put ``handler`` on the root logger, replacing only goldthread's own."""
    root = logging.getLogger()
    for old in [h for h in root.handlers if getattr(h, _HANDLER_MARK, False)]:
        root.removeHandler(old)
    root.addHandler(handler)
    root.setLevel(level)
    # The PostgreSQL pool warns at every failed reconnection (about one a
    # second while the store is away); the service's loops report an outage
    # themselves, once and then at 2, 4, 8 … failed rounds.
    logging.getLogger("psycopg.pool").setLevel(max(level, logging.ERROR))


def _is_tty(stream: TextIO) -> bool:
    isatty = getattr(stream, "isatty", None)
    return bool(isatty and isatty())


def get_logger(name: str = "goldthread") -> structlog.stdlib.BoundLogger:
    """A logger for goldthread's modules. Lines logged during a cycle carry
    ``cycle`` (the run's id), and while a write is applied ``source`` and
    ``ref``: they are bound as context variables, not on the logger."""
    logger: structlog.stdlib.BoundLogger = structlog.stdlib.get_logger(name)
    return logger
