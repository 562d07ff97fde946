"""The small semantic groups of the settings root: one class per TOML table.

Every group forbids unknown keys, so a typo is an error rather than a
silently ignored setting. Defaults are in the README (README.md#configuration).
"""

from __future__ import annotations

from datetime import timedelta
from pathlib import Path
from typing import Annotated, Literal

from pydantic import AfterValidator, BaseModel, ConfigDict, Field, PositiveInt, model_validator
from pydantic_core import PydanticCustomError

from goldthread.config.durations import Duration, PositiveDuration
from goldthread.config.fields import EnvName, EnvNames, SecretFiles
from goldthread.config.patterns import pattern_problem
from goldthread.config.sources import raise_problems
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
    inbox_retention: PositiveDuration = timedelta(days=7)
    """How long a finished (``done``) inbox entry is kept before it is pruned;
    while it is kept, a replay of its body is recognised and not queued again."""


Port = Annotated[int, Field(ge=1, le=65535)]

DEFAULT_MAX_BODY_BYTES = 2 * 1024 * 1024
"""2 MiB. GitHub sends at most 25 MB, but its largest ``issues`` delivery (an
edit carrying the old and the new 65,536-character body, JSON-escaped) stays
under 1 MiB; the rest leaves room for a Jira issue with several long text
fields. A bigger delivery is refused (413) and the next poll reads the change."""


class ServerSettings(_Group):
    """The service's HTTP side: the webhook listener (``host:port``: webhooks,
    ``/healthz``, ``/readyz``) and the admin listener (``admin_host:admin_port``:
    the dashboard and ``/metrics``). A webhook route is on only when its secret is set."""

    host: str = "0.0.0.0"  # noqa: S104 - a container listens on every interface
    port: Port = 8080
    admin_host: str = "127.0.0.1"
    admin_port: Port = 9090
    dashboard_token_env: EnvName | None = None
    dashboard_token_file: Path | None = None
    github_webhook_secret_env: EnvNames = Field(default_factory=list)
    github_webhook_secret_file: SecretFiles = Field(default_factory=list)
    jira_webhook_secret_env: EnvNames = Field(default_factory=list)
    jira_webhook_secret_file: SecretFiles = Field(default_factory=list)
    jira_webhook_token_env: EnvNames = Field(default_factory=list)
    jira_webhook_token_file: SecretFiles = Field(default_factory=list)
    max_body_bytes: PositiveInt = DEFAULT_MAX_BODY_BYTES
    body_read_timeout: PositiveDuration = timedelta(seconds=10)
    """The longest a delivery may take to arrive whole (GitHub gives up after 10 s)."""
    max_concurrent_deliveries: PositiveInt = 8
    """Deliveries whose bodies are read at once; more wait (within ``body_read_timeout``)."""

    @model_validator(mode="after")
    def _listeners(self) -> ServerSettings:
        problems = []
        if self.admin_port == self.port:
            problems.append(("admin_port", f"must differ from server.port ({self.port})"))
        if self.dashboard_token_env is not None and self.dashboard_token_file is not None:
            problems.append(
                (
                    "dashboard_token_file",
                    "give dashboard_token_env or dashboard_token_file, not both",
                )
            )
        raise_problems(self, problems)
        return self
