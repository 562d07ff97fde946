"""The sandbox organisation as goldthread reads it, without the servers.

For measuring what works on items alone (suggestions at 30,000 items) the
stand-ins' HTTP round trips are only slow: :func:`work_items` turns the seeds
into the :class:`~goldthread.core.model.WorkItem` values the connectors make
of them (Jira Cloud's ``parent``, ``Implements`` links, GitHub sub-issues,
body references with the sandbox's pattern), and :data:`POLICY` is the
sandbox config's rules (:func:`goldthread.sandbox.control.sandbox_config`).
The tests check that tracing these gives the organisation's expected verdicts.
"""

from __future__ import annotations

from goldthread.config.patterns import compile_pattern
from goldthread.core.model import (
    Layer,
    LayerRule,
    LinkKind,
    ParentLink,
    TracePolicy,
    WorkItem,
)
from goldthread.core.references import (
    GitHubSourceInfo,
    JiraSourceInfo,
    SourceIndex,
    TextPattern,
    extract_references,
)
from goldthread.sandbox.control import REFERENCE_PATTERN
from goldthread.sandbox.seeds import GitHubIssueSeed, JiraIssueSeed, Organisation

POLICY = TracePolicy(
    rules=(
        LayerRule(layer=Layer.VISION, labels=("vision", "okr-*"), index=0),
        LayerRule(layer=Layer.STRATEGY, labels=("strategy",), index=1),
        LayerRule(layer=Layer.STRATEGY, types=("Epic", "Initiative"), index=2),
    ),
    exempt_labels=("no-trace",),
)
PARENT_LINK_TYPES = ("implements",)


def work_items(org: Organisation, web_host: str = "github.localhost") -> dict[str, WorkItem]:
    """Every issue of ``org`` (pull requests left out), by ref."""
    index = SourceIndex(
        github=(GitHubSourceInfo(org.github_source, web_host, tuple(org.repos)),),
        jira=(JiraSourceInfo(org.jira_source, "jira.localhost", tuple(org.projects)),),
    )
    patterns = (compile_pattern(REFERENCE_PATTERN),)
    links: dict[str, list[ParentLink]] = {}
    for link in org.jira_links:
        if link.type_name.casefold() in PARENT_LINK_TYPES:
            links.setdefault(link.outward_key, []).append(
                ParentLink(
                    LinkKind.ISSUE_LINK, f"{org.jira_source}:{link.inward_key}", link.inward_key
                )
            )
    items = [_jira(org, seed, index, patterns, links.get(seed.key, [])) for seed in org.jira]
    items += [
        _github(org, seed, index, patterns) for seed in org.github if not seed.is_pull_request
    ]
    return {item.ref: item for item in items}


def _jira(
    org: Organisation,
    seed: JiraIssueSeed,
    index: SourceIndex,
    patterns: tuple[TextPattern, ...],
    links: list[ParentLink],
) -> WorkItem:
    source = org.jira_source
    parents: list[ParentLink] = []
    for kind, key in (
        (LinkKind.JIRA_PARENT, seed.parent_key),
        (LinkKind.EPIC_LINK, seed.epic_link),
        (LinkKind.PARENT_LINK, seed.parent_link),
    ):
        if key:
            parents.append(ParentLink(kind, f"{source}:{key}", key))
    parents += links
    parents += extract_references(
        seed.description, patterns, here_source=source, here_repo=None, index=index
    )
    return WorkItem(
        ref=f"{source}:{seed.key}",
        source=source,
        key=seed.key,
        url=f"https://jira.localhost/browse/{seed.key}",
        title=seed.summary,
        body=seed.description,
        type=seed.type,
        labels=tuple(seed.labels),
        state="closed" if seed.status_category == "done" else "open",
        created_at=seed.created_at,
        updated_at=seed.updated_at,
        parents=tuple(parents),
        status=seed.status,
        components=tuple(seed.components),
    )


def _github(
    org: Organisation, seed: GitHubIssueSeed, index: SourceIndex, patterns: tuple[TextPattern, ...]
) -> WorkItem:
    source = org.github_source
    key = f"{seed.repo}#{seed.number}"
    parents: list[ParentLink] = []
    if seed.parent is not None:
        repo, number = seed.parent
        parents.append(
            ParentLink(LinkKind.SUB_ISSUE, f"{source}:{repo}#{number}", f"{repo}#{number}")
        )
    parents += extract_references(
        seed.body, patterns, here_source=source, here_repo=seed.repo, index=index
    )
    return WorkItem(
        ref=f"{source}:{key}",
        source=source,
        key=key,
        url=f"https://github.localhost/{seed.repo}/issues/{seed.number}",
        title=seed.title,
        body=seed.body,
        type=seed.type,
        labels=tuple(seed.labels),
        state=seed.state,
        created_at=seed.created_at,
        updated_at=seed.updated_at,
        parents=tuple(parents),
        comment_count=len(seed.comments),
    )
