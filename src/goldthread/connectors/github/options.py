"""What the GitHub connector needs from the config, as plain frozen data."""

from __future__ import annotations

from dataclasses import dataclass

from goldthread.core.keys import GITHUB_COM_API
from goldthread.core.references import SourceIndex, TextPattern

API_VERSION = "2022-11-28"


@dataclass(frozen=True, slots=True, kw_only=True)
class GitHubOptions:
    """One ``[[sources]]`` entry of type ``github``, secrets resolved.

    Either ``token`` or ``app_id`` with ``private_key`` authenticates;
    ``installation_id`` is looked up per repository owner when absent.
    ``repos`` may contain ``owner/*``: every repository of that owner.
    """

    name: str
    index: SourceIndex
    base_url: str = GITHUB_COM_API
    token: str | None = None
    app_id: int | None = None
    private_key: str | None = None
    installation_id: int | None = None
    repos: tuple[str, ...] = ()
    include_pull_requests: bool = False
    reference_patterns: tuple[TextPattern, ...] = ()
    writes_per_minute: int = 60
    timeout: float = 30.0
    content_limited: bool | None = None  # GitHub.com's content limits; None: by host
    label_color: str = "d93f0b"
    label_description: str = "goldthread: this item does not trace back to a strategy and a vision"

    def __post_init__(self) -> None:
        if self.token is None and (self.app_id is None or self.private_key is None):
            raise ValueError(f"source {self.name!r}: give a token, or an app id and private key")

    def __repr__(self) -> str:
        """Never shows the token or the private key."""
        return (
            f"GitHubOptions(name={self.name!r}, base_url={self.base_url!r}, repos={self.repos!r})"
        )
