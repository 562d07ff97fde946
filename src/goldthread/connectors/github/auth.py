"""Credentials for GitHub: a personal access token, or a GitHub App.

A GitHub App signs a short-lived JWT with its private key to ask for an
installation token per repository owner; the installation token lasts an
hour and is minted again a few minutes before it expires. Times come from
the injected :class:`~goldthread.clock.Clock`, so expiry is testable.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime, timedelta

import jwt
from github.Auth import Auth

from goldthread.clock import Clock

REFRESH_MARGIN = timedelta(minutes=5)
JWT_LIFETIME = timedelta(minutes=9)  # GitHub accepts at most ten
JWT_BACKDATE = timedelta(seconds=60)  # tolerate clock drift against GitHub


class SuppliedAuth(Auth):
    """A PyGithub auth whose token is read from a callable at each request."""

    def __init__(self, token_type: str, supply: Callable[[], str]) -> None:
        self._token_type = token_type
        self._supply = supply

    @property
    def token_type(self) -> str:
        return self._token_type

    @property
    def token(self) -> str:
        return self._supply()

    @property
    def _masked_token(self) -> str:
        return f"{self._token_type} (hidden)"


def app_jwt(app_id: int, private_key: str, now: datetime) -> str:
    """The JWT that authenticates goldthread as the GitHub App itself."""
    payload = {
        "iat": int((now - JWT_BACKDATE).timestamp()),
        "exp": int((now + JWT_LIFETIME).timestamp()),
        "iss": str(app_id),
    }
    return jwt.encode(payload, private_key, algorithm="RS256")


@dataclass(slots=True)
class InstallationToken:
    token: str
    expires_at: datetime

    def fresh(self, now: datetime) -> bool:
        return now < self.expires_at - REFRESH_MARGIN


class InstallationTokens:
    """Installation tokens per owner, minted on first use and before expiry.

    ``lookup(owner)`` finds the installation id; ``mint(installation_id)``
    returns a new token. Both are requests the client sends as the App.
    """

    def __init__(
        self,
        clock: Clock,
        *,
        lookup: Callable[[str], int],
        mint: Callable[[int], InstallationToken],
        installation_id: int | None = None,
    ) -> None:
        self._clock = clock
        self._lookup = lookup
        self._mint = mint
        self._fixed_id = installation_id
        self._ids: dict[str, int] = {}
        self._tokens: dict[int, InstallationToken] = {}

    def installation_for(self, owner: str) -> int:
        if self._fixed_id is not None:
            return self._fixed_id
        key = owner.lower()
        if key not in self._ids:
            self._ids[key] = self._lookup(owner)
        return self._ids[key]

    def ensure(self, owner: str) -> str:
        """A valid token for ``owner``'s installation, minting one if needed."""
        installation = self.installation_for(owner)
        current = self._tokens.get(installation)
        if current is None or not current.fresh(self._clock.now()):
            current = self._mint(installation)
            self._tokens[installation] = current
        return current.token

    def current(self, owner: str) -> str:
        """The token last ensured for ``owner`` (no request)."""
        return self._tokens[self.installation_for(owner)].token
