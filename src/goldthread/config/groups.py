"""The small semantic groups of the settings root: one class per TOML table.

Every group forbids unknown keys, so a typo is an error rather than a
silently ignored setting. Defaults are SPEC §2's.
"""

from __future__ import annotations

from datetime import timedelta
from typing import Annotated, Literal

from pydantic import AfterValidator, BaseModel, ConfigDict, Field, PositiveInt
from pydantic_core import PydanticCustomError

from goldthread.config.durations import Duration, PositiveDuration
from goldthread.config.fields import EnvNames, SecretFiles
from goldthread.config.patterns import pattern_problem
from goldthread.config.storeurl import store_url_problem

LayerName = Literal["vision", "strategy", "execution"]


class _Group(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)


def _store_url(value: str) -> str:
    problem = store_url_problem(value)
    if problem:
        raise PydanticCustomError("store_url", problem)
    return value


class StoreSettings(_Group):
    url: Annotated[str, AfterValidator(_store_url)] = "sqlite:///goldthread.db"


def _pattern(value: str) -> str:
    """RE2 compiles it (so it matches in linear time) and it has a ``ref`` group."""
    problem = pattern_problem(value)
    if problem:
        raise PydanticCustomError("pattern", problem)
    return value


ReferencePattern = Annotated[str, AfterValidator(_pattern)]

DEFAULT_REFERENCE_PATTERN = r"(?im)^\s*(?:parent|part of|epic)\s*:?\s*(?P<ref>\S+)"


class RuleSettings(_Group):
    """One ``[[rules]]`` entry: every given condition must match; first match wins."""

    layer: LayerName
    labels: list[str] = Field(default_factory=list)
    types: list[str] = Field(default_factory=list)
    sources: list[str] = Field(default_factory=list)


DEFAULT_RULES = (
    RuleSettings(layer="vision", labels=["vision", "okr-*"]),
    RuleSettings(layer="strategy", labels=["strategy"]),
    RuleSettings(layer="strategy", types=["Epic", "Initiative"]),
)


class TraceSettings(_Group):
    default_layer: Literal["vision", "strategy", "execution", "none"] = "execution"
    allow_layer_skip: bool = False
    reference_patterns: list[ReferencePattern] = Field(
        default_factory=lambda: [DEFAULT_REFERENCE_PATTERN]
    )


class PolicySettings(_Group):
    exempt_labels: list[str] = Field(default_factory=lambda: ["no-trace"])
    exempt_types: list[str] = Field(default_factory=list)
    skip_closed: bool = True
    grace_period: Duration = timedelta(0)


class WritebackSettings(_Group):
    enabled: bool = True
    dry_run: bool = False
    label: str = "goldthread:untraced"
    comment: bool = True
    on_resolve: Literal["update", "delete", "keep"] = "update"
    max_writes_per_run: PositiveInt = 500
    writes_per_minute: PositiveInt = 60
    confirm_large: bool = True


class DaemonSettings(_Group):
    poll_interval: PositiveDuration = timedelta(minutes=5)
    full_resync_interval: PositiveDuration = timedelta(hours=24)
    lease_ttl: PositiveDuration = timedelta(seconds=30)
    """Replicas on a shared store: how long a poll lease or a webhook claim
    outlives its last renewal, so how soon a survivor takes a dead replica's over."""


class ServerSettings(_Group):
    """The service's HTTP side. A webhook route is on only when its secret is set."""

    host: str = "0.0.0.0"  # noqa: S104 - a container listens on every interface
    port: Annotated[int, Field(ge=1, le=65535)] = 8080
    github_webhook_secret_env: EnvNames = Field(default_factory=list)
    github_webhook_secret_file: SecretFiles = Field(default_factory=list)
    jira_webhook_secret_env: EnvNames = Field(default_factory=list)
    jira_webhook_secret_file: SecretFiles = Field(default_factory=list)
    jira_webhook_token_env: EnvNames = Field(default_factory=list)
    jira_webhook_token_file: SecretFiles = Field(default_factory=list)
    max_body_bytes: PositiveInt = 26214400
