"""What the Jira connector needs from the config, as one plain frozen value.

The sync engine maps a ``[[sources]]`` entry of type ``jira`` to this; the
connector never reads settings or the environment itself.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import timedelta
from typing import Literal

from goldthread.core.references import SourceIndex, TextPattern


@dataclass(frozen=True, slots=True)
class JiraOptions:
    """One Jira source.

    ``auth`` is ``basic`` (Cloud: ``email`` + API token) or ``bearer`` (Data
    Center personal access token). ``parent_link_types`` are matched against
    a link type's name or its outward phrase, case-insensitive. ``overlap``
    is how far each poll reaches back behind the previous one.
    """

    name: str
    url: str
    token: str = field(repr=False)
    auth: Literal["basic", "bearer"] = "basic"
    email: str | None = None
    projects: tuple[str, ...] = ()
    jql: str = ""
    parent_link_types: tuple[str, ...] = ("implements",)
    reference_patterns: tuple[TextPattern, ...] = ()
    index: SourceIndex = field(default_factory=SourceIndex)
    writes_per_minute: int = 60
    timeout: float = 30.0
    overlap: timedelta = timedelta(minutes=2)
    page_size: int = 100

    @property
    def base_url(self) -> str:
        return self.url.rstrip("/")
