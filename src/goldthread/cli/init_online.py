"""``goldthread init --online``: discover, propose, try — and write nothing to a tracker.

1. Each tracker is asked what the credentials can see: repositories, GitHub
   issue types, Jira projects, issue types with their hierarchy levels, the
   Epic Link / Parent Link fields, link types.
2. Every item is read once, into a temporary store of its own (never the
   user's), with write-back off.
3. Layer rules are proposed from the types and labels in use
   (:func:`goldthread.core.proposing.propose_rules`), each with its reasons.
4. The stored items are judged under the proposed rules, and the coverage and
   the most common reasons an item would be flagged are printed.
"""

from __future__ import annotations

import os
import re
import tempfile
from collections import Counter
from collections.abc import Mapping, Sequence
from dataclasses import replace
from datetime import UTC, datetime
from pathlib import Path

import click

from goldthread.clock import SystemClock
from goldthread.config import WritebackSettings, load_settings, resolve_secrets
from goldthread.config.starter import OFFLINE_RULES, Starter, StarterSource, render_starter
from goldthread.connectors.github.connector import GitHubConnector
from goldthread.connectors.github.discovering import GitHubFacts
from goldthread.connectors.github.discovering import discover as discover_github
from goldthread.connectors.jira.discovering import JiraFacts
from goldthread.connectors.jira.discovering import discover as discover_jira
from goldthread.core.model import Verdict, WorkItem
from goldthread.core.proposing import (
    TypeFact,
    count_labels,
    count_links,
    count_types,
    inferred_levels,
    propose_rules,
)
from goldthread.core.tracing import coverage, trace
from goldthread.errors import SourceError
from goldthread.store import open_store
from goldthread.sync.connecting import build_connectors, close_all, probe_connector
from goldthread.sync.cycle import CycleOptions, run_cycle

# Outward phrases that read child -> parent ("story implements epic").
_CHILD_TO_PARENT = re.compile(
    r"^(?:implements|is part of|part of|contributes to|is child of|child of|belongs to|rolls up to)$",
    re.IGNORECASE,
)
_LISTED_PER_OWNER = 10
_LABELS_SHOWN = 10
OWN_LABEL = WritebackSettings().label  # the label init writes; never a rule's evidence
Facts = GitHubFacts | JiraFacts


def discover_and_try(sources: Sequence[StarterSource]) -> Starter:
    """The starter config for ``sources``, proposed from the trackers and tried."""
    tokens = {source.name: _token(source) for source in sources}
    found: dict[str, Facts] = {}
    for source in sources:
        click.echo(f"Reading {source.url} as ${source.token_env} ...")
        found[source.name] = _discover(source, tokens[source.name])
    scoped = tuple(_scoped(source, found[source.name]) for source in sources)
    with tempfile.TemporaryDirectory(prefix="goldthread-init-") as scratch:
        items = _read_everything(Starter(scoped, OFFLINE_RULES), Path(scratch))
    types = _type_facts(found, items)
    labels = count_labels(items.values(), OWN_LABEL)
    rules = propose_rules(types, labels)
    starter = Starter(
        sources=tuple(_explained(s, found[s.name], items) for s in scoped),
        rules=rules,
        origin="goldthread init --online",
        notes=(f"Proposed from {len(items)} items read on {datetime.now(UTC):%Y-%m-%d}.",),
    )
    _show_trial(starter, items)
    return starter


def _token(source: StarterSource) -> str:
    value = os.environ.get(source.token_env, "").strip()
    if not value:
        raise click.UsageError(
            f"${source.token_env} is not set: export the {source.kind} token in it, "
            "or leave out --online"
        )
    return value


def _discover(source: StarterSource, token: str) -> Facts:
    connector = probe_connector(source, token)
    try:
        if isinstance(connector, GitHubConnector):
            return discover_github(connector, listed=bool(source.repos))
        return discover_jira(connector)
    except SourceError as error:
        raise click.ClickException(f"{source.name}: {error}") from error
    finally:
        close = getattr(connector, "close", None)
        if callable(close):
            close()


def _scoped(source: StarterSource, facts: Facts) -> StarterSource:
    """The source with the repositories or projects to propose filled in."""
    if isinstance(facts, GitHubFacts):
        if source.repos:
            return source
        if not facts.repositories:
            raise click.ClickException(f"{source.name}: the token can read no repository")
        return replace(source, repos=_repo_patterns(facts.repositories))
    links = tuple(name for name, _, outward in facts.link_types if _CHILD_TO_PARENT.match(outward))
    projects = source.projects or tuple(key for key, _ in facts.projects)
    if not projects:
        raise click.ClickException(f"{source.name}: the account can see no project")
    return replace(source, projects=projects, parent_link_types=links)


def _repo_patterns(names: Sequence[str]) -> tuple[str, ...]:
    """Every readable repository: by name, or ``owner/*`` for an owner with many."""
    owners: dict[str, list[str]] = {}
    for name in names:
        owners.setdefault(name.partition("/")[0], []).append(name)
    found: list[str] = []
    for owner, repos in owners.items():
        found += [f"{owner}/*"] if len(repos) > _LISTED_PER_OWNER else repos
    return tuple(found)


def _read_everything(starter: Starter, scratch: Path) -> dict[str, WorkItem]:
    """Every item of the proposed scope, read once into a store of its own."""
    config = scratch / "goldthread.toml"
    config.write_text(
        render_starter(replace(starter, store_url=f"sqlite:///{scratch / 'trial.db'}")),
        encoding="utf-8",
    )
    settings = load_settings(config)
    secrets = resolve_secrets(settings, sources=True, webhooks=False)
    clock = SystemClock()
    connectors = build_connectors(settings, secrets, clock)
    options = CycleOptions(kind="backfill", writeback=False, apply=False, confirmed=True)
    click.echo("Reading every item once (nothing is written to the trackers) ...")
    try:
        with open_store(settings.store.url) as store:
            result = run_cycle(settings, store, connectors, options, clock=clock)
            items = {item.ref: item for item in store.items()}
    finally:
        close_all(connectors)
    for line in result.errors:
        click.echo(f"goldthread: error: {line}", err=True)
    return items


def _type_facts(found: Mapping[str, Facts], items: Mapping[str, WorkItem]) -> list[TypeFact]:
    counts = count_types(items.values())
    inferred = inferred_levels(items)
    facts: dict[tuple[str, str], TypeFact] = {}
    for source, info in found.items():
        if isinstance(info, JiraFacts):
            for kind in info.issue_types:
                level, origin = kind.level, "the site's hierarchyLevel"
                if level is None and (source, kind.name) in inferred:
                    level, origin = inferred[(source, kind.name)], "seen from Epic/Parent Links"
                facts[(source, kind.name)] = TypeFact(
                    source,
                    kind.name,
                    level,
                    counts.get((source, kind.name), 0),
                    kind.subtask,
                    origin,
                )
        else:
            for owner_types in info.issue_types.values():
                for name in owner_types:
                    facts[(source, name)] = TypeFact(
                        source, name, None, counts.get((source, name), 0)
                    )
    for (source, name), count in counts.items():
        facts.setdefault((source, name), TypeFact(source, name, None, count))
    return [fact for fact in facts.values() if fact.count or fact.level is not None]


def _explained(source: StarterSource, facts: Facts, items: Mapping[str, WorkItem]) -> StarterSource:
    """The source with comment lines saying what was found on it."""
    read = sum(1 for item in items.values() if item.source == source.name)
    links = count_links(item for item in items.values() if item.source == source.name)
    used = ", ".join(
        f"{kind.value} on {n}" for kind, n in sorted(links.get(source.name, {}).items())
    )
    notes = [f"{source.name}: {read} items read; parent links found: {used or 'none'}."]
    labels = count_labels((i for i in items.values() if i.source == source.name), OWN_LABEL)
    shown = ", ".join(f"{fact.name} ({fact.count})" for fact in labels[:_LABELS_SHOWN])
    more = f" and {len(labels) - _LABELS_SHOWN} more" if len(labels) > _LABELS_SHOWN else ""
    notes.append(f"Labels in use: {shown or 'none'}{more}.")
    if isinstance(facts, GitHubFacts):
        notes.append(
            f"{facts.server}, as {facts.login}; {len(facts.repositories)} repositories readable."
        )
        for owner, names in sorted(facts.issue_types.items()):
            notes.append(f"Issue types of {owner}: {', '.join(names) or 'none'}.")
        notes += list(facts.notes)
    else:
        kind = "Jira Cloud" if facts.cloud else "Jira Data Center"
        notes.append(
            f"{kind}, as {facts.who}; projects visible: {', '.join(k for k, _ in facts.projects)}."
        )
        notes.append(
            f"Epic Link field: {facts.epic_link_field or 'none'}; Parent Link field: "
            f"{facts.parent_link_field or 'none'}; "
            + ("the parent field holds every level." if facts.cloud else "parent holds sub-tasks.")
        )
        kinds = "; ".join(f"{name} ({outward})" for name, _, outward in facts.link_types)
        notes.append(f"Link types: {kinds or 'none'}.")
        if not source.parent_link_types:
            notes.append("None reads child -> parent, so parent_link_types is empty.")
    return replace(source, notes=tuple(notes))


def _show_trial(starter: Starter, items: Mapping[str, WorkItem]) -> None:
    """The coverage and the most common reasons, under the proposed rules."""
    with tempfile.TemporaryDirectory(prefix="goldthread-init-") as scratch:
        config = Path(scratch) / "goldthread.toml"
        config.write_text(render_starter(starter), encoding="utf-8")
        settings = load_settings(config)
    verdicts = trace(items, settings.trace_policy(), datetime.now(UTC))
    click.echo("")
    click.echo("Proposed rules:")
    for rule in starter.rules:
        what = ", ".join(
            part
            for part in (
                f"labels {list(rule.labels)}" if rule.labels else "",
                f"types {list(rule.types)}" if rule.types else "",
                f"in {', '.join(rule.sources)}" if rule.sources else "",
            )
            if part
        )
        click.echo(f"  {rule.layer.value:<9} <- {what}")
    click.echo(_trial_summary(verdicts))


def _trial_summary(verdicts: Mapping[str, Verdict]) -> str:
    flagged = [v for v in verdicts.values() if v.flaggable]
    share = coverage(verdicts)
    lines = [
        "",
        f"With these rules ({len(verdicts)} items, nothing written): coverage "
        f"{'n/a' if share is None else f'{share:.1%}'}, {len(flagged)} item(s) would be flagged.",
    ]
    reasons = Counter(f"{v.kind.value}/{v.reason.value}" for v in flagged)
    if reasons:
        lines.append("The most common reasons:")
    for reason, count in reasons.most_common(5):
        examples = sorted(v.ref for v in flagged if f"{v.kind.value}/{v.reason.value}" == reason)
        lines.append(f"  {count:>5}  {reason:<24} e.g. {', '.join(examples[:2])}")
    return "\n".join(lines)
