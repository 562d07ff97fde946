"""A first ``goldthread.toml``, commented, from what ``goldthread init`` learned. Pure.

The text starts with the ``#:schema`` directive (editors check it against
``goldthread.schema.json`` beside it), names secrets only by where they come
from, and explains each proposed rule in the comment above it. Whatever is
rendered here is loaded back with the real loader before it is written.
"""

from __future__ import annotations

import json
from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Literal

from goldthread.config.schema import DIRECTIVE
from goldthread.core.model import Layer
from goldthread.core.proposing import ProposedRule

OFFLINE_RULES = (
    ProposedRule(
        Layer.VISION,
        labels=("vision", "okr-*"),
        why=(
            "Visions: items labelled `vision` or `okr-...`. `goldthread init --online`",
            "proposes rules from the issue types and labels your trackers use.",
        ),
    ),
    ProposedRule(
        Layer.STRATEGY, labels=("strategy",), why=("Strategy: items labelled `strategy`...",)
    ),
    ProposedRule(
        Layer.STRATEGY,
        types=("Epic", "Initiative"),
        why=("...and Epics and Initiatives (Jira issue types and GitHub issue types).",),
    ),
)
"""The default layer rules (docs/behaviour.md#layer-rules), explained: what ``init`` writes without ``--online``."""


@dataclass(frozen=True, slots=True)
class StarterSource:
    """One source as ``init`` will write it; ``notes`` are comment lines above it."""

    kind: Literal["github", "jira"]
    name: str
    url: str
    token_env: str
    repos: tuple[str, ...] = ()
    projects: tuple[str, ...] = ()
    auth: Literal["basic", "bearer"] = "basic"
    email: str | None = None
    parent_link_types: tuple[str, ...] = ("implements",)
    notes: tuple[str, ...] = ()


@dataclass(frozen=True, slots=True)
class Starter:
    sources: tuple[StarterSource, ...]
    rules: tuple[ProposedRule, ...]
    origin: str = "goldthread init"
    notes: tuple[str, ...] = field(default=())
    store_url: str = "sqlite:///goldthread.db"


def _string(value: str) -> str:
    """A TOML basic string (JSON's escapes are TOML's)."""
    return json.dumps(value, ensure_ascii=False)


def _strings(values: Sequence[str]) -> str:
    return "[" + ", ".join(_string(v) for v in values) + "]"


def _comment(lines: Sequence[str]) -> list[str]:
    return [f"# {line}".rstrip() for text in lines for line in text.splitlines()]


def render_starter(starter: Starter) -> str:
    """The config file's text."""
    lines = [
        DIRECTIVE,
        f"# goldthread.toml, written by `{starter.origin}`.",
        "# Your editor completes and checks every key through the line above",
        "# (goldthread.schema.json beside this file); config.example.toml explains them all.",
        "# Secrets are never written here: each token comes from the variable named below.",
        "# Next: `goldthread check --online`, then `goldthread backfill --dry-run`.",
        *_comment(starter.notes),
        "",
        "[store]",
        f"url = {_string(starter.store_url)}",
    ]
    for source in starter.sources:
        lines += ["", *_source(source)]
    lines += [
        "",
        "# Layer rules: the first rule whose conditions all match decides the layer;",
        "# an item no rule matches is execution (trace.default_layer).",
    ]
    for rule in starter.rules:
        lines += ["", *_rule(rule)]
    lines += [
        "",
        "[trace]",
        'default_layer = "execution"',
        "# true: execution directly under a vision counts as traced.",
        "allow_layer_skip = false",
        "",
        "[policy]",
        "# Items with these labels are never flagged.",
        'exempt_labels = ["no-trace"]',
        "skip_closed = true",
        "",
        "[writeback]",
        "# What goldthread puts on untraced items: this label and one comment.",
        "# `goldthread backfill --dry-run` prints every write before any is made.",
        "enabled = true",
        'label = "goldthread:untraced"',
    ]
    return "\n".join(lines) + "\n"


def _source(source: StarterSource) -> list[str]:
    lines = [*_comment(source.notes), "[[sources]]", f"name = {_string(source.name)}"]
    if source.kind == "github":
        return [
            *lines,
            'type = "github"',
            f"base_url = {_string(source.url)}",
            f"token_env = {_string(source.token_env)}",
            f"repos = {_strings(source.repos)}",
        ]
    lines += [
        'type = "jira"',
        f"url = {_string(source.url)}",
        f"auth = {_string(source.auth)}",
    ]
    if source.email:
        lines.append(f"email = {_string(source.email)}")
    return [
        *lines,
        f"token_env = {_string(source.token_env)}",
        f"projects = {_strings(source.projects)}",
        "# Issue link types (name or outward phrase) that point from child to parent.",
        f"parent_link_types = {_strings(source.parent_link_types)}",
    ]


def _rule(rule: ProposedRule) -> list[str]:
    lines = [*_comment(rule.why), "[[rules]]", f"layer = {_string(rule.layer.value)}"]
    if rule.labels:
        lines.append(f"labels = {_strings(rule.labels)}")
    if rule.types:
        lines.append(f"types = {_strings(rule.types)}")
    if rule.sources:
        lines.append(f"sources = {_strings(rule.sources)}")
    return lines
