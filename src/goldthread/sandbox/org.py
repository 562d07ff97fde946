"""A realistic, seeded organisation across GitHub and Jira.

``generate(size, seed)`` builds clusters around vision items: Jira
initiatives labelled ``vision`` with epics, stories and sub-tasks beneath
them, GitHub epics that point at the vision across trackers, and GitHub
sub-issues beneath those. Sprinkled through are the things goldthread must
find and the things it must leave alone: orphans, every broken-chain reason,
cross-tracker references, exempt and closed items, barren visions and
strategies, pull requests, stale goldthread labels, and human labels and
comments.

Every item's expected ``(verdict, reason)`` is recorded as it is built, under
the sandbox config (:func:`goldthread.sandbox.control.sandbox_config`), which
uses the default layer rules (docs/behaviour.md#layer-rules).
"""

from __future__ import annotations

import random
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta

from goldthread.sandbox.evidence import Seed, Truth, add_evidence, ref_of
from goldthread.sandbox.seeds import (
    CommentSeed,
    GitHubIssueSeed,
    JiraIssueSeed,
    JiraLinkSeed,
    Organisation,
)

OWN_LABEL = "goldthread:untraced"
HUMAN_LABELS = ("bug", "frontend", "backend", "customer", "tech-debt", "good first issue")
HUMANS = ("alice", "bob", "chandra", "dmitri")
START = datetime(2025, 1, 6, 9, 0, tzinfo=UTC)
SPAN_DAYS = 600

_VERBS = ("Improve", "Add", "Fix", "Migrate", "Document", "Refactor", "Measure", "Automate")
_NOUNS = (
    "checkout flow",
    "search latency",
    "billing exports",
    "onboarding emails",
    "audit log",
    "API pagination",
    "mobile login",
    "status page",
    "data retention",
    "SSO for partners",
)
_VISIONS = (
    "Be the most trusted checkout in Europe",
    "Every customer self-serves in under five minutes",
    "Halve the cost of running the platform",
    "Ship weekly without fear",
    "Make the platform accessible to everyone",
)


@dataclass(slots=True)
class _Builder:
    rng: random.Random
    jira_mode: str
    owner: str = "acme"
    repos: list[str] = field(default_factory=list)
    gh: list[GitHubIssueSeed] = field(default_factory=list)
    jira: list[JiraIssueSeed] = field(default_factory=list)
    links: list[JiraLinkSeed] = field(default_factory=list)
    expected: dict[str, tuple[str, str]] = field(default_factory=dict)
    numbers: dict[str, int] = field(default_factory=dict)
    by_key: dict[str, JiraIssueSeed] = field(default_factory=dict)
    web_host: str = "github.localhost"
    truths: list[Truth] = field(default_factory=list)
    homes: list[Seed] = field(default_factory=list)

    def belongs(self, child: Seed, *parents: Seed) -> None:
        """Record the items one of which is ``child``'s true parent."""
        self.truths.append(Truth(child, parents))

    # ------------------------------------------------------------------ basics

    def _times(self) -> tuple[datetime, datetime]:
        created = START + timedelta(minutes=self.rng.randrange(SPAN_DAYS * 24 * 60))
        updated = created + timedelta(minutes=self.rng.randrange(60 * 24 * 30))
        return created, updated

    def _title(self) -> str:
        return f"{self.rng.choice(_VERBS)} {self.rng.choice(_NOUNS)}"

    def _human_labels(self) -> list[str]:
        return self.rng.sample(HUMAN_LABELS, k=self.rng.choice((0, 0, 1, 2)))

    def _human_comments(self) -> list[CommentSeed]:
        count = self.rng.choice((0, 0, 0, 1, 2))
        created, _ = self._times()
        return [
            CommentSeed(
                author=self.rng.choice(HUMANS),
                body=f"Looked at this; {self.rng.choice(_NOUNS)} needs a decision first.",
                created_at=created + timedelta(hours=i + 1),
            )
            for i in range(count)
        ]

    def _next(self, scope: str) -> int:
        self.numbers[scope] = self.numbers.get(scope, 0) + 1
        return self.numbers[scope]

    def expect(self, ref: str, verdict: str, reason: str) -> None:
        self.expected[ref] = (verdict, reason)

    # ------------------------------------------------------------------ jira

    def jira_issue(
        self,
        project: str,
        type_: str,
        *,
        summary: str | None = None,
        labels: list[str] | None = None,
        parent: str | None = None,
        description: str = "",
        done: bool = False,
    ) -> JiraIssueSeed:
        created, updated = self._times()
        key = f"{project}-{self._next(project)}"
        seed = JiraIssueSeed(
            key=key,
            type=type_,
            summary=summary or self._title(),
            description=description or f"{self._title()} for the {project} team.",
            labels=(labels if labels is not None else []) + self._human_labels(),
            created_at=created,
            updated_at=updated,
            status="Done" if done else self.rng.choice(("To Do", "In Progress")),
            status_category="done" if done else self.rng.choice(("new", "indeterminate")),
            comments=self._human_comments(),
        )
        if parent is not None:
            self._set_jira_parent(seed, parent)
        self.jira.append(seed)
        self.by_key[key] = seed
        return seed

    def _set_jira_parent(self, seed: JiraIssueSeed, parent_key: str) -> None:
        """Cloud: the parent field at every level; DC: Epic Link, Parent Link,
        or parent for sub-tasks, as each deployment stores hierarchy."""
        if self.jira_mode == "cloud" or seed.type == "Sub-task":
            seed.parent_key = parent_key
            return
        parent_type = self.by_key[parent_key].type if parent_key in self.by_key else "Epic"
        if parent_type == "Epic":
            seed.epic_link = parent_key
        else:
            seed.parent_link = parent_key

    def link(self, type_name: str, child: str, parent: str) -> None:
        """An issue link where the child is on the outward side ("implements")."""
        self.links.append(JiraLinkSeed(type_name=type_name, outward_key=child, inward_key=parent))

    # ------------------------------------------------------------------ github

    def gh_issue(
        self,
        repo: str,
        *,
        title: str | None = None,
        labels: list[str] | None = None,
        type_: str | None = None,
        parent: tuple[str, int] | None = None,
        body: str = "",
        closed: bool = False,
        pull_request: bool = False,
    ) -> GitHubIssueSeed:
        created, updated = self._times()
        number = self._next(repo)
        seed = GitHubIssueSeed(
            repo=repo,
            number=number,
            title=title or self._title(),
            body=body or f"{self._title()}.\n\nAcceptance: it works for customers.",
            labels=(labels if labels is not None else []) + self._human_labels(),
            created_at=created,
            updated_at=updated,
            type=type_,
            state="closed" if closed else "open",
            state_reason="completed" if closed else None,
            parent=parent,
            is_pull_request=pull_request,
            comments=self._human_comments(),
        )
        self.gh.append(seed)
        return seed

    def gh_url(self, seed: GitHubIssueSeed) -> str:
        return f"https://{self.web_host}/{seed.repo}/issues/{seed.number}"


def _gh_ref(seed: GitHubIssueSeed) -> str:
    return f"gh:{seed.repo}#{seed.number}"


def _jira_ref(seed: JiraIssueSeed) -> str:
    return f"jira:{seed.key}"


def _cluster(b: _Builder, index: int, anomalies: bool) -> None:
    """One vision with its strategy and execution, plus (optionally) one of
    every kind of problem goldthread must find."""
    rng = b.rng
    repo_web, repo_api = b.repos[index % len(b.repos)], b.repos[(index + 1) % len(b.repos)]
    vision = b.jira_issue(
        "PLAT", "Initiative", summary=_VISIONS[index % len(_VISIONS)], labels=["vision"]
    )
    b.expect(_jira_ref(vision), "traced", "vision")

    epics = []
    for _ in range(rng.choice((2, 3))):
        epic = b.jira_issue("PLAT", "Epic", parent=vision.key)
        b.expect(_jira_ref(epic), "traced", "linked")
        epics.append(epic)
        for _ in range(rng.randint(3, 6)):
            story = b.jira_issue("WEB", rng.choice(("Story", "Task", "Bug")), parent=epic.key)
            b.expect(_jira_ref(story), "traced", "linked")
            for _ in range(rng.choice((0, 0, 1, 2))):
                sub = b.jira_issue("WEB", "Sub-task", parent=story.key)
                b.expect(_jira_ref(sub), "traced", "linked")

    # Stories tied to their epic by an "Implements" link instead of the hierarchy.
    implemented = b.jira_issue("WEB", "Story")
    b.link("Implements", implemented.key, epics[0].key)
    b.expect(_jira_ref(implemented), "traced", "linked")
    # A "Blocks" link is not a parent link: the story stays traced through its epic.
    blocked = b.jira_issue("WEB", "Story", parent=epics[-1].key)
    b.link("Blocks", blocked.key, implemented.key)
    b.expect(_jira_ref(blocked), "traced", "linked")

    # GitHub strategy pointing across trackers at the vision, with sub-issues.
    gh_epic = b.gh_issue(
        repo_api, type_="Epic", body=f"Delivery plan for the quarter.\n\nPart of {vision.key}"
    )
    b.expect(_gh_ref(gh_epic), "traced", "linked")
    b.homes += [vision, *epics, gh_epic]
    for _ in range(rng.randint(2, 5)):
        task = b.gh_issue(
            repo_api, type_=rng.choice(("Task", "Bug", None)), parent=(gh_epic.repo, gh_epic.number)
        )
        b.expect(_gh_ref(task), "traced", "linked")
    # GitHub work referencing a Jira epic; a Jira story referencing a GitHub epic by URL.
    for _ in range(rng.randint(1, 3)):
        web = b.gh_issue(repo_web, body=f"Customer ask from support.\n\nEpic: {epics[0].key}")
        b.expect(_gh_ref(web), "traced", "linked")
    cross = b.jira_issue("WEB", "Story", description=f"Parent: {b.gh_url(gh_epic)}")
    b.expect(_jira_ref(cross), "traced", "linked")
    # A traced item still carrying a stale goldthread label: it must come off.
    stale = b.gh_issue(
        repo_web,
        labels=[OWN_LABEL],
        parent=None,
        body=f"Follow-up.\n\nPart of {repo_api}#{gh_epic.number}",
    )
    b.expect(_gh_ref(stale), "traced", "linked")
    # Pull requests are not items.
    b.gh_issue(repo_web, pull_request=True, body="Implements the checkout fix.")

    if anomalies:
        _anomalies(b, vision, [*epics, gh_epic], repo_web, repo_api)


def _anomalies(
    b: _Builder, vision: JiraIssueSeed, strategy: list[Seed], repo_web: str, repo_api: str
) -> None:
    rng = b.rng
    epics = [seed for seed in strategy if isinstance(seed, JiraIssueSeed)]
    # Orphans on both trackers.
    orphan_story = b.jira_issue("WEB", "Story")
    b.expect(_jira_ref(orphan_story), "orphan", "no-parent")
    orphan_gh = b.gh_issue(repo_web, title="Tidy the footer links")
    b.expect(_gh_ref(orphan_gh), "orphan", "no-parent")
    b.belongs(orphan_story, *strategy)
    b.belongs(orphan_gh, *strategy)
    # parent-missing: a repository number that does not exist, a project not configured.
    ghost = b.gh_issue(repo_web, body=f"Part of {repo_api}#{900000 + rng.randrange(1000)}")
    b.expect(_gh_ref(ghost), "broken", "parent-missing")
    foreign = b.jira_issue("WEB", "Story", description="Part of: LEGACY-12")
    b.expect(_jira_ref(foreign), "broken", "parent-missing")
    b.belongs(ghost, *strategy)
    b.belongs(foreign, *epics)
    # parent-untraced: work under an orphan epic, and a sub-task beneath that.
    lost_epic = b.jira_issue("PLAT", "Epic")
    b.expect(_jira_ref(lost_epic), "orphan", "no-parent")
    b.belongs(lost_epic, vision)
    under_lost = b.jira_issue("WEB", "Story", parent=lost_epic.key)
    b.expect(_jira_ref(under_lost), "broken", "parent-untraced")
    deeper = b.jira_issue("WEB", "Sub-task", parent=under_lost.key)
    b.expect(_jira_ref(deeper), "broken", "parent-untraced")
    # wrong-layer: an epic that "implements" a story.
    host_story = b.jira_issue("WEB", "Story", parent=epics[0].key)
    b.expect(_jira_ref(host_story), "traced", "linked")
    upside_down = b.jira_issue("PLAT", "Epic")
    b.link("Implements", upside_down.key, host_story.key)
    b.expect(_jira_ref(upside_down), "broken", "wrong-layer")
    b.belongs(upside_down, vision)
    # cycle: two epics implementing each other; a story leading into the loop.
    loop_a = b.jira_issue("PLAT", "Epic")
    loop_b = b.jira_issue("PLAT", "Epic")
    b.link("Implements", loop_a.key, loop_b.key)
    b.link("Implements", loop_b.key, loop_a.key)
    b.expect(_jira_ref(loop_a), "broken", "cycle")
    b.expect(_jira_ref(loop_b), "broken", "cycle")
    b.belongs(loop_a, vision)
    b.belongs(loop_b, vision)
    into_loop = b.jira_issue("WEB", "Story", parent=loop_a.key)
    b.expect(_jira_ref(into_loop), "broken", "parent-untraced")
    # skips-layer: execution directly under a vision, on both trackers.
    skipper = b.jira_issue("WEB", "Story", parent=vision.key)
    b.expect(_jira_ref(skipper), "broken", "skips-layer")
    gh_skipper = b.gh_issue(repo_api, body=f"Quick win.\n\nPart of {vision.key}")
    b.expect(_gh_ref(gh_skipper), "broken", "skips-layer")
    b.belongs(skipper, *epics)
    b.belongs(gh_skipper, *strategy)
    # Exempt: opt-out label, closed on both trackers.
    opted_out = b.jira_issue("WEB", "Story", labels=["no-trace"])
    b.expect(_jira_ref(opted_out), "exempt", "exempt-label")
    closed_gh = b.gh_issue(repo_web, closed=True)
    b.expect(_gh_ref(closed_gh), "exempt", "closed")
    done_story = b.jira_issue("WEB", "Story", done=True)
    b.expect(_jira_ref(done_story), "exempt", "closed")
    # A closed epic still carries the chain for the work beneath it.
    closed_epic = b.jira_issue("PLAT", "Epic", parent=vision.key, done=True)
    b.expect(_jira_ref(closed_epic), "exempt", "closed")
    carried = b.jira_issue("WEB", "Story", parent=closed_epic.key)
    b.expect(_jira_ref(carried), "traced", "linked")
    # Barren: a strategy with no execution beneath it (traced itself).
    lonely_epic = b.jira_issue("PLAT", "Epic", parent=vision.key)
    b.expect(_jira_ref(lonely_epic), "traced", "linked")
    b.homes.append(lonely_epic)


PAYMENTS_WORDS = ("checkout", "billing")
"""Jira work about these is the Payments component's (the sandbox's owners use it)."""


def _components(seed: JiraIssueSeed) -> list[str]:
    """Components by what the issue is about: no random draw, so the rest of
    the organisation stays the same."""
    if any(word in seed.summary.lower() for word in PAYMENTS_WORDS):
        return ["Payments"]
    return ["Platform"] if seed.key.startswith("PLAT-") else []


def generate(
    size: int = 200,
    seed: int = 7,
    *,
    jira_mode: str = "cloud",
    anomaly_every: int = 1,
    web_host: str = "github.localhost",
    evidence: bool = False,
) -> Organisation:
    """An organisation of about ``size`` items (pull requests not counted).

    ``anomaly_every`` puts the set of problems in every n-th cluster (1: all);
    the first cluster always has them, so every verdict reason is present.
    With ``evidence``, the untraced items get traces of where they belong
    (:mod:`goldthread.sandbox.evidence`) and the organisation records each
    one's true parent; items, links and expected verdicts stay the same.
    """
    if size < 1:
        raise ValueError("size must be positive")
    rng = random.Random(seed)
    repo_count = max(2, size // 25_000)
    repos = ["acme/web", "acme/api"] + [f"acme/svc-{i}" for i in range(3, repo_count + 1)]
    b = _Builder(rng=rng, jira_mode=jira_mode, repos=repos, web_host=web_host)
    index = 0
    while len(b.expected) < size:
        _cluster(b, index, anomalies=index % anomaly_every == 0)
        index += 1
    # A vision nobody works towards: barren.
    barren = b.jira_issue("PLAT", "Initiative", summary="Open a second market", labels=["vision"])
    b.expect(_jira_ref(barren), "traced", "vision")
    b.homes.append(barren)
    for seed_issue in b.jira:
        seed_issue.components = _components(seed_issue)
    truths: dict[str, tuple[str, str]] = {}
    if evidence:
        by_key = {ref_of(t.child).partition(":")[2]: t.child for t in b.truths}
        homes = {ref_of(h).partition(":")[2]: h for h in b.homes}
        truths = {
            ref_of(by_key[child]): (ref_of(homes[parent]), kind)
            for child, (parent, kind) in add_evidence(b.truths, b.homes, seed).items()
        }
    return Organisation(
        github=b.gh,
        jira=b.jira,
        jira_links=b.links,
        expected=b.expected,
        owner=b.owner,
        repos=repos,
        projects=["PLAT", "WEB"],
        true_parents={child: parent for child, (parent, _) in truths.items()},
        evidence={child: kind for child, (_, kind) in truths.items()},
    )
