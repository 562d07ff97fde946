"""The settings root: one object, built once at start-up, passed down.

Layering (highest wins): environment ``GOLDTHREAD_*`` with ``__`` nesting,
then the TOML file, then defaults. The TOML file is the one
:func:`goldthread.config.loading.load_settings` chose; constructing
``Settings(...)`` directly (in tests) reads no file.
"""

from __future__ import annotations

from collections.abc import Mapping
from contextvars import ContextVar
from pathlib import Path
from typing import Any

from pydantic import Field, ValidationError, ValidatorFunctionWrapHandler, model_validator
from pydantic_core import ErrorDetails, InitErrorDetails, PydanticCustomError
from pydantic_settings import (
    BaseSettings,
    PydanticBaseSettingsSource,
    SettingsConfigDict,
    TomlConfigSettingsSource,
)

from goldthread.config.groups import (
    DEFAULT_RULES,
    DaemonSettings,
    PolicySettings,
    RuleSettings,
    ServerSettings,
    StoreSettings,
    TraceSettings,
    WritebackSettings,
)
from goldthread.config.notifying import (
    DigestSettings,
    NotifyTarget,
    OwnerSettings,
    notify_problems,
)
from goldthread.config.patterns import compile_pattern
from goldthread.config.sources import GitHubSource, JiraSource, Source
from goldthread.core.model import Layer, LayerRule, TracePolicy
from goldthread.core.owners import OwnerRules, compile_owners
from goldthread.core.references import SourceIndex, TextPattern

TOML_FILE: ContextVar[Path | None] = ContextVar("goldthread_toml_file", default=None)
"""The file the next ``Settings()`` reads; set only while loading."""


class Settings(BaseSettings):
    """Everything goldthread is configured with (README.md#configuration)."""

    model_config = SettingsConfigDict(
        env_prefix="GOLDTHREAD_",
        env_nested_delimiter="__",
        extra="forbid",
        frozen=True,
    )

    store: StoreSettings = Field(default_factory=StoreSettings)
    sources: list[Source] = Field(default_factory=list)
    rules: list[RuleSettings] = Field(default_factory=lambda: list(DEFAULT_RULES))
    trace: TraceSettings = Field(default_factory=TraceSettings)
    policy: PolicySettings = Field(default_factory=PolicySettings)
    writeback: WritebackSettings = Field(default_factory=WritebackSettings)
    daemon: DaemonSettings = Field(default_factory=DaemonSettings)
    server: ServerSettings = Field(default_factory=ServerSettings)
    owners: list[OwnerSettings] = Field(default_factory=list)
    notify: list[NotifyTarget] = Field(default_factory=list)
    digest: DigestSettings = Field(default_factory=DigestSettings)

    @classmethod
    def settings_customise_sources(
        cls,
        settings_cls: type[BaseSettings],
        init_settings: PydanticBaseSettingsSource,
        env_settings: PydanticBaseSettingsSource,
        dotenv_settings: PydanticBaseSettingsSource,
        file_secret_settings: PydanticBaseSettingsSource,
    ) -> tuple[PydanticBaseSettingsSource, ...]:
        """Arguments, then the environment, then the TOML file; no dotenv, no
        secrets directory (secrets are resolved per command, see ``secrets``)."""
        toml_file = TOML_FILE.get()
        if toml_file is None:
            return (init_settings, env_settings)
        return (init_settings, env_settings, TomlConfigSettingsSource(settings_cls, toml_file))

    @model_validator(mode="wrap")
    @classmethod
    def _cross_checks(cls, data: Any, handler: ValidatorFunctionWrapHandler) -> Any:
        """Problems between keys (duplicate names, rules naming unknown
        sources) are found on the raw input, so they are reported together
        with every problem inside the keys, not only once those are fixed."""
        problems = cross_problems(data) if isinstance(data, Mapping) else []
        try:
            settings = handler(data)
        except ValidationError as exc:
            if not problems:
                raise
            raise _merge(exc, problems) from None
        if problems:
            raise _merge(None, problems)
        return settings

    # ------------------------------------------------------------ core data

    def trace_policy(self) -> TracePolicy:
        """The rules and policy as the pure core's plain data."""
        return TracePolicy(
            rules=tuple(
                LayerRule(
                    layer=Layer(rule.layer),
                    labels=tuple(rule.labels),
                    types=tuple(rule.types),
                    sources=tuple(rule.sources),
                    index=index,
                )
                for index, rule in enumerate(self.rules)
            ),
            default_layer=Layer(self.trace.default_layer),
            allow_layer_skip=self.trace.allow_layer_skip,
            exempt_labels=tuple(self.policy.exempt_labels),
            exempt_types=tuple(self.policy.exempt_types),
            skip_closed=self.policy.skip_closed,
            grace_period=self.policy.grace_period,
            own_label=self.writeback.label,
        )

    def owner_rules(self) -> OwnerRules:
        """``[[owners]]`` as the core's compiled rules (goldthread's label ignored)."""
        rules = tuple(owner.rule(index) for index, owner in enumerate(self.owners))
        return compile_owners(rules, self.writeback.label)

    def targets_of(self, team: str) -> tuple[str, ...]:
        """The notify targets of ``team``: every rule naming it, in order, each once."""
        names = (name for owner in self.owners if owner.team == team for name in owner.notify)
        return tuple(dict.fromkeys(names))

    def reference_patterns(self) -> tuple[TextPattern, ...]:
        """``trace.reference_patterns`` compiled for RE2 (they were validated on load)."""
        return tuple(compile_pattern(pattern) for pattern in self.trace.reference_patterns)

    def source_index(self) -> SourceIndex:
        """Which configured source a written reference points into."""
        from goldthread.config.indexing import build_source_index

        return build_source_index(self)

    def source(self, name: str) -> GitHubSource | JiraSource:
        """The configured source called ``name``; ``KeyError`` if none is."""
        for source in self.sources:
            if source.name == name:
                return source
        raise KeyError(name)


def cross_problems(data: Mapping[str, Any]) -> list[tuple[tuple[str | int, ...], str]]:
    """Duplicate source names and rules naming unknown sources, from raw input."""
    raw_sources = data.get("sources")
    entries = raw_sources if isinstance(raw_sources, list) else []
    names = [entry.get("name") if isinstance(entry, Mapping) else None for entry in entries]
    problems: list[tuple[tuple[str | int, ...], str]] = []
    first: dict[str, int] = {}
    for index, name in enumerate(names):
        if not isinstance(name, str):
            continue
        if name in first:
            problems.append(
                (
                    ("sources", index, "name"),
                    f"duplicate source name {name!r} (see sources[{first[name]}])",
                )
            )
        first.setdefault(name, index)
    raw_rules = data.get("rules")
    for index, rule in enumerate(raw_rules if isinstance(raw_rules, list) else []):
        wanted = rule.get("sources") if isinstance(rule, Mapping) else None
        for name in wanted if isinstance(wanted, list) else []:
            if isinstance(name, str) and name not in first:
                known = ", ".join(first) or "none"
                problems.append(
                    (("rules", index, "sources"), f"unknown source {name!r} (configured: {known})")
                )
    problems += label_problems(data, entries)
    problems += notify_problems(data)
    return problems


# What each tracker accepts as a label name (Jira refuses spaces; GitHub names
# are at most 50 characters).
_LABEL_RULES: dict[str, tuple[int, bool]] = {"jira": (255, False), "github": (50, True)}


def label_problems(
    data: Mapping[str, Any], sources: list[Any]
) -> list[tuple[tuple[str | int, ...], str]]:
    """``writeback.label`` checked against the rules of every configured tracker."""
    writeback = data.get("writeback")
    label = writeback.get("label") if isinstance(writeback, Mapping) else None
    if not isinstance(label, str) or not label:
        return []
    kinds = {entry.get("type") for entry in sources if isinstance(entry, Mapping)}
    problems: list[tuple[tuple[str | int, ...], str]] = []
    for kind in sorted(k for k in kinds if isinstance(k, str) and k in _LABEL_RULES):
        longest, spaces = _LABEL_RULES[kind]
        if not spaces and any(ch.isspace() for ch in label):
            problems.append(
                (("writeback", "label"), f"{label!r}: {kind} labels cannot contain spaces")
            )
        elif len(label) > longest:
            problems.append(
                (
                    ("writeback", "label"),
                    f"{label!r}: {kind} labels are at most {longest} characters",
                )
            )
    return problems


def _merge(
    exc: ValidationError | None, problems: list[tuple[tuple[str | int, ...], str]]
) -> ValidationError:
    details = [
        InitErrorDetails(type=_carried(error), loc=error["loc"], input=error["input"])
        for error in (exc.errors() if exc else [])
    ]
    details += [
        InitErrorDetails(type=PydanticCustomError("config", message), loc=loc, input=None)
        for loc, message in problems
    ]
    return ValidationError.from_exception_data("Settings", details)


def _carried(error: ErrorDetails) -> PydanticCustomError:
    """An error carried over as-is: same type, context and rendered message."""
    context = {**error.get("ctx", {}), "_message": error["msg"]}
    return PydanticCustomError(error["type"], "{_message}", context)
