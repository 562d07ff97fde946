"""GitHub's primary rate limit: a budget per hour, counted down per request.

The window starts at construction and resets an hour later, read from the
stand-in's clock so tests can move time instead of waiting.
"""

from __future__ import annotations

import threading
from collections.abc import Callable
from typing import Any

WINDOW = 3600.0


class RateBudget:
    def __init__(self, limit: int, now: Callable[[], float]) -> None:
        self.limit = limit
        self.now = now
        self.used = 0
        self.reset_at = now() + WINDOW
        self._lock = threading.Lock()

    def _roll(self) -> None:
        current = self.now()
        if current >= self.reset_at:
            self.used = 0
            self.reset_at = current + WINDOW

    def take(self) -> bool:
        """Spend one point; False (and nothing spent) when the budget is gone."""
        with self._lock:
            self._roll()
            if self.used >= self.limit:
                return False
            self.used += 1
            return True

    def refund(self) -> None:
        """Give a point back (a 304 is free)."""
        with self._lock:
            self.used = max(0, self.used - 1)

    @property
    def remaining(self) -> int:
        with self._lock:
            self._roll()
            return self.limit - self.used

    def headers(self) -> dict[str, str]:
        with self._lock:
            self._roll()
            return {
                "x-ratelimit-limit": str(self.limit),
                "x-ratelimit-remaining": str(self.limit - self.used),
                "x-ratelimit-used": str(self.used),
                "x-ratelimit-reset": str(int(self.reset_at)),
                "x-ratelimit-resource": "core",
            }

    def overview(self) -> dict[str, Any]:
        """The body of ``GET /rate_limit``."""
        with self._lock:
            self._roll()
            core = {
                "limit": self.limit,
                "used": self.used,
                "remaining": self.limit - self.used,
                "reset": int(self.reset_at),
            }
        idle = {"limit": 30, "used": 0, "remaining": 30, "reset": core["reset"]}
        graphql = {"limit": 5000, "used": 0, "remaining": 5000, "reset": core["reset"]}
        return {
            "resources": {"core": core, "search": idle, "graphql": graphql},
            "rate": core,
        }


class ContentLimit:
    """GitHub's secondary limit on content creation: ``per_minute`` and
    ``per_hour`` content-creating requests (comments, issues) per account,
    in sliding windows. Off until :meth:`GitHubStandIn.limit_content` turns it
    on. Over the limit GitHub answers ``403`` with a secondary-limit message,
    with ``Retry-After`` or (``retry_after`` False) without it.
    """

    def __init__(
        self,
        now: Callable[[], float],
        *,
        per_minute: int = 80,
        per_hour: int = 500,
        retry_after: bool = True,
    ) -> None:
        self.now = now
        self.per_minute = per_minute
        self.per_hour = per_hour
        self.retry_after = retry_after
        self.created: list[float] = []
        self.refused = 0
        self._lock = threading.Lock()

    def take(self) -> float | None:
        """Count one content-creating request; ``None`` if allowed, else the seconds
        until it would be."""
        with self._lock:
            current = self.now()
            self.created = [t for t in self.created if t > current - WINDOW]
            last_minute = [t for t in self.created if t > current - 60.0]
            waits = []
            if len(last_minute) >= self.per_minute:
                waits.append(last_minute[-self.per_minute] + 60.0 - current)
            if len(self.created) >= self.per_hour:
                waits.append(self.created[-self.per_hour] + WINDOW - current)
            if waits:
                self.refused += 1
                return max(*waits, 1.0)
            self.created.append(current)
            return None
