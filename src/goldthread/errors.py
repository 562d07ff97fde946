"""goldthread's one error tree.

Library errors (PyGithub, jira, sqlite3, psycopg, OSError) are translated into
these at the boundary with ``raise ... from``, so everything above the
connectors and the store decides on type alone, never on message text::

    GoldthreadError
    ├── ConfigError              bad config; exit 2 before any tracker is touched
    ├── StoreError               the store cannot be opened, migrated or written
    │   └── StoreLockedError     another goldthread process holds the store
    ├── SourceError              a tracker call failed
    │   ├── RetriableError       try again later (5xx, timeouts, dropped connections)
    │   │   ├── RateLimitedError  429 / secondary-limit 403; ``retry_after`` is exact
    │   │   └── LeaseLostError    another replica took over the work; stop writing
    │   ├── SkippableError       this one thing cannot be read (404, 403 on one repo)
    │   │   └── LabelRefusedError the tracker will not let goldthread's label be written there
    │   └── FatalSourceError     the whole source is unusable (401, bad URL)
    ├── WebhookError             a delivery that must be refused (4xx, 503)
    │   ├── SignatureError       401
    │   ├── PayloadError         400
    │   ├── PayloadTooLargeError 413
    │   ├── PayloadTooSlowError  408: the body did not arrive within the deadline
    │   └── IntakeBusyError      503: every intake slot stayed taken until the deadline
    └── NotifyError              a digest could not be sent to a target
                                 (``retriable``, with ``retry_after`` when the target said)
"""

from __future__ import annotations


class GoldthreadError(Exception):
    """Base class of every error goldthread raises on purpose."""


class ConfigError(GoldthreadError):
    """One or more configuration problems; each names its key."""

    def __init__(self, problems: list[str], *, hint: str = "") -> None:
        self.problems = list(problems)
        self.hint = hint
        """What to do about it, when there is one thing to do (printed after the problems)."""
        super().__init__("\n".join(self.problems))


class StoreError(GoldthreadError):
    """The store cannot be opened, migrated or written."""


class StoreLockedError(StoreError):
    """Another goldthread process already holds this store."""


class SourceError(GoldthreadError):
    """A call to a tracker failed."""

    def __init__(self, message: str, *, source: str = "", status: int | None = None) -> None:
        self.source = source
        self.status = status
        super().__init__(message)


class RetriableError(SourceError):
    """A transient failure; the same call may succeed later."""

    def __init__(
        self,
        message: str,
        *,
        source: str = "",
        status: int | None = None,
        retry_after: float | None = None,
    ) -> None:
        self.retry_after = retry_after
        super().__init__(message, source=source, status=status)


class RateLimitedError(RetriableError):
    """The tracker said to slow down; ``retry_after`` seconds must pass first."""


class LeaseLostError(RetriableError):
    """This replica no longer holds the lease its work runs under (it stalled
    past the lease's expiry and another replica took over): it stops writing
    and leaves the work to the new holder."""


class SkippableError(SourceError):
    """One resource (a repository, a project, an item) cannot be read; skip it."""


class LabelRefusedError(SkippableError):
    """The tracker refuses label edits in this place (a Jira project whose edit
    screen lacks the labels field): goldthread comments there without its label
    and warns, naming ``scope``."""

    def __init__(self, message: str, *, source: str = "", scope: str = "") -> None:
        self.scope = scope
        super().__init__(message, source=source, status=400)


class FatalSourceError(SourceError):
    """The source as a whole is unusable (bad credentials, bad URL)."""


class WebhookError(GoldthreadError):
    """A webhook delivery that is refused; ``status`` is the HTTP answer."""

    status = 400


class SignatureError(WebhookError):
    status = 401


class PayloadError(WebhookError):
    status = 400


class PayloadTooLargeError(WebhookError):
    status = 413


class PayloadTooSlowError(WebhookError):
    status = 408


class IntakeBusyError(WebhookError):
    status = 503


class NotifyError(GoldthreadError):
    """A digest message a target did not take. ``retriable``: the same message
    may be taken later (a timeout, a 5xx, a 429, an SMTP 4xx); otherwise the
    target refuses it for good (a revoked webhook, an unknown mailbox)."""

    def __init__(self, message: str, *, retriable: bool, retry_after: float | None = None) -> None:
        self.retriable = retriable
        self.retry_after = retry_after
        super().__init__(message)
