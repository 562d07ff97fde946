"""Evidence of where the sandbox's untraced items belong, and the truth.

The organisation's generator records, for each orphan and broken item with
an obvious home, the parents it should have had (its cluster's epics, or its
vision). :func:`add_evidence` then picks each one's true parent and writes
the traces people leave in real trackers: every strategy and vision item gets
a topic (three words from small vocabularies, so topics overlap and decoys
share words with the truth), area labels shared across topics, and each
untraced item one kind of evidence — the parent naming it, it mentioning the
parent, a shared label with a few topic words, topic words alone, or nothing
at all. It draws from its own random stream, so the organisation's items,
links and expected verdicts are the same with or without it; no line it
writes starts like a reference pattern (``Part of``, ``Parent``, ``Epic``).
"""

from __future__ import annotations

import random
from collections.abc import Sequence
from dataclasses import dataclass

from goldthread.sandbox.seeds import GitHubIssueSeed, JiraIssueSeed

Seed = GitHubIssueSeed | JiraIssueSeed

_DOMAINS = (
    "ledger", "invoice", "refund", "payout", "catalogue", "inventory", "shipment", "courier",
    "loyalty", "voucher", "warehouse", "subscription", "tenant", "identity", "consent",
    "telemetry", "pricing", "tax", "fraud", "escrow", "storefront", "marketplace", "kiosk",
    "helpdesk", "notification",
)  # fmt: skip
_OBJECTS = (
    "reconciliation", "webhook", "dashboard", "importer", "scheduler", "gateway", "archive",
    "throttling", "sharding", "replication", "encryption", "localisation", "forecasting",
    "deduplication", "pagination", "caching", "failover", "onboarding", "auditing", "migration",
    "benchmarking", "provisioning", "rollout", "sandboxing", "tokenisation",
)  # fmt: skip
_QUALIFIERS = (
    "nightly", "realtime", "regional", "partner", "wholesale", "enterprise", "mobile",
    "offline", "bulk", "multicurrency", "seasonal", "crossborder", "selfservice", "tiered",
    "legacy", "greenfield", "compliant", "resilient", "accessible", "lowlatency",
    "batch", "federated", "prepaid", "postpaid", "whitelabel",
)  # fmt: skip

_CODENAMES = (
    "Kestrel", "Osprey", "Heron", "Puffin", "Falcon", "Merlin", "Lapwing", "Curlew", "Plover",
    "Avocet", "Dunlin", "Gannet", "Shrike", "Wren", "Siskin", "Linnet", "Bunting", "Warbler",
    "Nightjar", "Swift", "Martin", "Swallow", "Egret", "Bittern", "Crane", "Stork", "Ibis",
    "Kite", "Harrier", "Buzzard", "Goshawk", "Hobby", "Kingfisher", "Hoopoe", "Oriole",
    "Starling", "Thrush", "Robin", "Dipper", "Nuthatch", "Treecreeper", "Firecrest", "Goldcrest",
    "Bullfinch", "Chaffinch", "Greenfinch", "Hawfinch", "Crossbill", "Redpoll", "Twite", "Pipit",
    "Wagtail", "Skylark", "Woodlark", "Dotterel", "Turnstone", "Sanderling", "Godwit", "Whimbrel",
    "Redshank", "Greenshank", "Snipe", "Woodcock", "Ptarmigan", "Capercaillie", "Grouse",
    "Pheasant", "Partridge", "Quail", "Corncrake", "Moorhen", "Coot", "Grebe", "Shearwater",
    "Petrel", "Fulmar", "Kittiwake", "Guillemot", "Razorbill", "Cormorant",
)  # fmt: skip

EVIDENCE_KINDS = ("named", "mentions", "label", "words", "none")
EVIDENCE_WEIGHTS = (0.2, 0.2, 0.3, 0.2, 0.1)


@dataclass(frozen=True, slots=True)
class Truth:
    """An untraced item and the items one of which is its true parent."""

    child: Seed
    parents: tuple[Seed, ...]


def key_of(seed: Seed) -> str:
    """How text names the seed: ``PLAT-7`` or ``acme/web#12``."""
    if isinstance(seed, JiraIssueSeed):
        return seed.key
    return f"{seed.repo}#{seed.number}"


def ref_of(seed: Seed, github_source: str = "gh", jira_source: str = "jira") -> str:
    if isinstance(seed, JiraIssueSeed):
        return f"{jira_source}:{seed.key}"
    return f"{github_source}:{seed.repo}#{seed.number}"


def _append(seed: Seed, text: str) -> None:
    if isinstance(seed, JiraIssueSeed):
        seed.description = f"{seed.description}\n\n{text}".strip()
    else:
        seed.body = f"{seed.body}\n\n{text}".strip()


Topic = tuple[str, str, str, str]


def _topic(rng: random.Random) -> Topic:
    """A codename (as big organisations give their initiatives), a domain, a
    thing and a qualifier: topics overlap word by word, rarely as a whole."""
    return (
        rng.choice(_CODENAMES),
        rng.choice(_DOMAINS),
        rng.choice(_OBJECTS),
        rng.choice(_QUALIFIERS),
    )


def add_evidence(
    truths: Sequence[Truth], homes: Sequence[Seed], seed: int
) -> dict[str, tuple[str, str]]:
    """Write evidence into the seeds; each child's true parent and evidence kind by key.

    ``homes`` are every strategy and vision item that can be a parent: each
    gets a topic, whether it is anyone's true parent or a decoy.
    """
    rng = random.Random(f"evidence-{seed}")
    topics: dict[str, Topic] = {}
    for home in homes:
        topic = _topic(rng)
        topics[key_of(home)] = topic
        codename, domain, thing, qualifier = topic
        _append(home, f"Scope: {codename}, the {qualifier} {domain} {thing} work.")
        if rng.random() < 0.5:
            home.labels.append(f"area:{domain}")
    chosen: dict[str, tuple[str, str]] = {}
    for truth in truths:
        parent = rng.choice(truth.parents)
        kind = rng.choices(EVIDENCE_KINDS, EVIDENCE_WEIGHTS)[0]
        chosen[key_of(truth.child)] = (key_of(parent), kind)
        _evidence(rng, truth.child, parent, topics.get(key_of(parent)), kind)
    return chosen


def _evidence(
    rng: random.Random,
    child: Seed,
    parent: Seed,
    topic: Topic | None,
    kind: str,
) -> None:
    codename, domain, thing, qualifier = topic or _topic(rng)
    decoy = rng.choice((*_DOMAINS, *_OBJECTS))
    if kind == "named":
        _append(parent, f"Also tracks {key_of(child)} for the {domain} team.")
        _append(child, f"Needed for the {decoy} review.")
    elif kind == "mentions":
        _append(child, f"Came up in the {key_of(parent)} review; {decoy} is not affected.")
    elif kind == "label":
        label = f"{domain}-{thing}"
        if label not in parent.labels:
            parent.labels.append(label)
        child.labels.append(label)
        _append(child, f"Touches the {qualifier} {thing} and the {decoy} code.")
    elif kind == "words":
        first, second = rng.sample((qualifier, domain, thing), k=2)
        _append(child, f"{codename} needs the {first} {second}; {decoy} may too.")
    else:
        _append(child, f"Asked for by the {decoy} team.")
