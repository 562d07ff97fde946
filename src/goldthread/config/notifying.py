"""``[[owners]]``, ``[[notify]]`` and ``[digest]`` (docs/behaviour.md#owners-and-digests): who owns what, and
where each owner hears about it.

Owner rules are the core's plain data once loaded (:meth:`OwnerSettings.rule`);
a notify target names where its secret is (a webhook URL is a secret: whoever
has it can post to the channel), never the secret itself. The digest's
schedule is checked here: a time of day, a time zone the system knows.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from datetime import time, timedelta
from pathlib import Path
from typing import Annotated, Any, Literal
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from pydantic import (
    AfterValidator,
    BaseModel,
    ConfigDict,
    Field,
    PositiveInt,
    WithJsonSchema,
    model_validator,
)
from pydantic_core import PydanticCustomError

from goldthread.config.durations import PositiveDuration
from goldthread.config.fields import EnvName
from goldthread.config.sources import raise_problems
from goldthread.core.owners import OwnerRule
from goldthread.core.schedule import WEEKDAYS, Schedule

_NAME = re.compile(r"[a-z0-9_-]+")
_TIME = re.compile(r"(?P<h>[01][0-9]|2[0-3]):(?P<m>[0-5][0-9])")
_ADDRESS = re.compile(r"[^@\s<>]+@[^@\s<>]+")


class _Group(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)


def _target_name(value: str) -> str:
    if not _NAME.fullmatch(value):
        raise PydanticCustomError(
            "notify_name", f"{value!r} is not a target name (use lowercase a-z, 0-9, _ and -)"
        )
    return value


def _team(value: str) -> str:
    if not value.strip() or any(not ch.isprintable() for ch in value):
        raise PydanticCustomError("team", "must be a printable, non-empty name")
    return value.strip()


TargetName = Annotated[
    str,
    AfterValidator(_target_name),
    WithJsonSchema({"type": "string", "pattern": "^[a-z0-9_-]+$"}),
]
TeamName = Annotated[str, AfterValidator(_team)]


class OwnerSettings(_Group):
    """One ``[[owners]]`` entry: every given condition must match; first match wins."""

    team: TeamName
    sources: list[str] = Field(default_factory=list)
    repos: list[str] = Field(default_factory=list)
    projects: list[str] = Field(default_factory=list)
    components: list[str] = Field(default_factory=list)
    labels: list[str] = Field(default_factory=list)
    notify: list[TargetName] = Field(default_factory=list)

    def rule(self, index: int) -> OwnerRule:
        """This entry as the core's plain data."""
        return OwnerRule(
            team=self.team,
            sources=tuple(self.sources),
            repos=tuple(self.repos),
            projects=tuple(self.projects),
            components=tuple(self.components),
            labels=tuple(self.labels),
            index=index,
        )


class _Target(_Group):
    name: TargetName


class WebhookTarget(_Target):
    """A Slack incoming webhook or a Microsoft Teams workflow: the URL is the secret."""

    type: Literal["slack", "teams"]
    url_env: EnvName | None = None
    url_file: Path | None = None

    @model_validator(mode="after")
    def _one_url(self) -> WebhookTarget:
        problems: list[tuple[str, str]] = []
        if self.url_env is not None and self.url_file is not None:
            problems.append(("url_file", "give url_env or url_file, not both"))
        elif self.url_env is None and self.url_file is None:
            problems.append(("url_env", "required: url_env or url_file (the webhook URL)"))
        raise_problems(self, problems)
        return self


def _address(value: str) -> str:
    if not _ADDRESS.fullmatch(value.strip()):
        raise PydanticCustomError("address", f"{value!r} is not an email address")
    return value.strip()


Address = Annotated[str, AfterValidator(_address)]


class EmailTarget(_Target):
    """Email over SMTP: STARTTLS by default, multipart plain text and HTML."""

    model_config = ConfigDict(extra="forbid", frozen=True, populate_by_name=True)

    type: Literal["email"]
    smtp_host: Annotated[str, Field(min_length=1)]
    smtp_port: Annotated[int, Field(ge=1, le=65535)] = 587
    starttls: bool = True
    username: str | None = None
    password_env: EnvName | None = None
    password_file: Path | None = None
    sender: Annotated[Address, Field(alias="from")]
    to: Annotated[list[Address], Field(min_length=1)]
    ca_file: Path | None = None
    timeout: PositiveDuration = timedelta(seconds=30)

    @model_validator(mode="after")
    def _credentials(self) -> EmailTarget:
        problems: list[tuple[str, str]] = []
        password = self.password_env is not None or self.password_file is not None
        if self.password_env is not None and self.password_file is not None:
            problems.append(("password_file", "give password_env or password_file, not both"))
        if password and not self.username:
            problems.append(("username", "required with a password"))
        if self.username and not password:
            problems.append(("password_env", "required with a username (or password_file)"))
        if self.username and not self.starttls:
            problems.append(
                ("starttls", "must be true with a username: the password would cross in clear")
            )
        raise_problems(self, problems)
        return self


Weekday = Literal["monday", "tuesday", "wednesday", "thursday", "friday", "saturday", "sunday"]

NotifyTarget = Annotated[WebhookTarget | EmailTarget, Field(discriminator="type")]


def _time_of_day(value: str) -> str:
    if not _TIME.fullmatch(value):
        raise PydanticCustomError("time", f"{value!r} is not a time of day (use HH:MM, 24-hour)")
    return value


def _zone(value: str) -> str:
    try:
        ZoneInfo(value)
    except (ZoneInfoNotFoundError, ValueError):
        raise PydanticCustomError(
            "timezone", f"{value!r} is not a time zone (use an IANA name like Europe/Berlin)"
        ) from None
    return value


class DigestSettings(_Group):
    """When the service sends digests (``goldthread digest`` sends one now)."""

    every: PositiveDuration = timedelta(days=7)
    at: Annotated[str, AfterValidator(_time_of_day)] = "09:00"
    timezone: Annotated[str, AfterValidator(_zone)] = "UTC"
    weekday: Weekday = "monday"
    oldest: PositiveInt = 5

    @model_validator(mode="after")
    def _whole_minutes(self) -> DigestSettings:
        if self.every.total_seconds() % 60:
            raise_problems(self, [("every", "must be whole minutes")])
        return self

    def schedule(self) -> Schedule:
        """The schedule as the core's plain data."""
        hours, minutes = (int(part) for part in self.at.split(":"))
        return Schedule(
            every=self.every,
            at=time(hours, minutes),
            zone=ZoneInfo(self.timezone),
            weekday=WEEKDAYS.index(self.weekday),
        )


def notify_problems(data: Mapping[str, Any]) -> list[tuple[tuple[str | int, ...], str]]:
    """Duplicate target names and owners naming unknown targets or sources, from raw input."""
    problems: list[tuple[tuple[str | int, ...], str]] = []
    raw_targets = data.get("notify")
    targets: dict[str, int] = {}
    for index, entry in enumerate(raw_targets if isinstance(raw_targets, list) else []):
        name = entry.get("name") if isinstance(entry, Mapping) else None
        if not isinstance(name, str):
            continue
        if name in targets:
            problems.append(
                (
                    ("notify", index, "name"),
                    f"duplicate target {name!r} (see notify[{targets[name]}])",
                )
            )
        targets.setdefault(name, index)
    raw_sources = data.get("sources")
    sources = {
        entry.get("name")
        for entry in (raw_sources if isinstance(raw_sources, list) else [])
        if isinstance(entry, Mapping) and isinstance(entry.get("name"), str)
    }
    raw_owners = data.get("owners")
    for index, owner in enumerate(raw_owners if isinstance(raw_owners, list) else []):
        if not isinstance(owner, Mapping):
            continue
        problems += _unknown(("owners", index, "notify"), owner.get("notify"), targets, "target")
        problems += _unknown(("owners", index, "sources"), owner.get("sources"), sources, "source")
    return problems


def _unknown(
    loc: tuple[str | int, ...], wanted: object, known: Any, what: str
) -> list[tuple[tuple[str | int, ...], str]]:
    names = sorted(name for name in known if isinstance(name, str))
    listed = ", ".join(names) or "none"
    return [
        (loc, f"unknown {what} {name!r} (configured: {listed})")
        for name in (wanted if isinstance(wanted, list) else [])
        if isinstance(name, str) and name not in known
    ]
