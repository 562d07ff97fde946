"""Layer rules and exemptions (docs/behaviour.md#layers-and-parent-links, §4): which layer an item sits in.

Rules run in order; the first whose every given condition matches decides the
layer. ``labels`` are shell-style globs matched case-insensitively (any of),
``types`` are names matched case-insensitively (any of), ``sources`` are source
names (any of). goldthread's own label never counts, for rules or exemptions:
otherwise flagging an item could change its layer and undo the flag.

A whole organisation is classified at once, so the globs are compiled once
per policy (:func:`compile_policy`) and each distinct label is matched against
them only once: the answer for a label is a bit mask of the rules it satisfies.
"""

from __future__ import annotations

import fnmatch
import re
from collections.abc import Iterable
from dataclasses import dataclass
from functools import lru_cache

from goldthread.core.labels import is_own_label
from goldthread.core.model import Classification, LayerRule, TracePolicy, WorkItem

_EXEMPT_BIT = 1  # bit 0 of a label's mask: the label is exempt; rule i is bit i + 1
EXEMPT_BY_LABEL = 1  # CompiledPolicy.assess: a label is in policy.exempt_labels
EXEMPT_BY_TYPE = 2  # CompiledPolicy.assess: the type is in policy.exempt_types
_LABEL_CACHE_LIMIT = 200_000  # distinct labels remembered per policy before starting afresh


def _glob_regex(globs: Iterable[str]) -> re.Pattern[str] | None:
    """One case-insensitive regex matching any of ``globs``; None for none."""
    parts = [fnmatch.translate(g.casefold()) for g in globs]
    if not parts:
        return None
    return re.compile("|".join(f"(?:{p})" for p in parts))


@dataclass(frozen=True, slots=True)
class _CompiledRule:
    rule: LayerRule
    number: int  # 1-based position among the rules, as people count
    labels: re.Pattern[str] | None
    types: frozenset[str]
    sources: frozenset[str]


class CompiledPolicy:
    """A :class:`TracePolicy` with its globs compiled and its answers remembered.

    The memo is a cache of pure answers, not state: two calls with the same
    item always give the same classification.
    """

    def __init__(self, policy: TracePolicy) -> None:
        self.policy = policy
        self.own_label = policy.own_label
        self._rules = tuple(
            _CompiledRule(
                rule=rule,
                number=n,
                labels=_glob_regex(rule.labels),
                types=frozenset(t.casefold() for t in rule.types),
                sources=frozenset(rule.sources),
            )
            for n, rule in enumerate(policy.rules, start=1)
        )
        self._exempt_labels = _glob_regex(policy.exempt_labels)
        self._exempt_types = frozenset(t.casefold() for t in policy.exempt_types)
        every = 0
        no_label_condition = 0
        no_type_condition = 0
        for i, compiled in enumerate(self._rules):
            bit = 1 << (i + 1)
            every |= bit
            if compiled.labels is None:
                no_label_condition |= bit
            if not compiled.types:
                no_type_condition |= bit
        self._every = every
        self._no_label_condition = no_label_condition
        self._no_type_condition = no_type_condition
        self._label_masks: dict[str, int] = {}
        self._type_masks: dict[str | None, int] = {}
        self._source_masks: dict[str, int] = {}
        self._classifications: dict[tuple[int, str, str], Classification] = {}
        self._default = Classification(
            layer=policy.default_layer,
            rule=None,
            explanation=f"no rule matched; trace.default_layer is {policy.default_layer.value}",
        )

    # ---------------------------------------------------------------- masks

    def _label_mask(self, label: str) -> int:
        mask = self._label_masks.get(label)
        if mask is not None:
            return mask
        folded = label.casefold()
        mask = 0
        if not is_own_label(label, self.own_label):
            if self._exempt_labels is not None and self._exempt_labels.match(folded):
                mask |= _EXEMPT_BIT
            for i, compiled in enumerate(self._rules):
                if compiled.labels is not None and compiled.labels.match(folded):
                    mask |= 1 << (i + 1)
        if len(self._label_masks) >= _LABEL_CACHE_LIMIT:
            self._label_masks.clear()
        self._label_masks[label] = mask
        return mask

    def _type_mask(self, item_type: str | None) -> int:
        mask = self._type_masks.get(item_type)
        if mask is not None:
            return mask
        mask = self._no_type_condition
        if item_type is not None:
            folded = item_type.casefold()
            if folded in self._exempt_types:
                mask |= _EXEMPT_BIT
            for i, compiled in enumerate(self._rules):
                if folded in compiled.types:
                    mask |= 1 << (i + 1)
        if len(self._type_masks) >= _LABEL_CACHE_LIMIT:
            self._type_masks.clear()
        self._type_masks[item_type] = mask
        return mask

    def _source_mask(self, source: str) -> int:
        mask = self._source_masks.get(source)
        if mask is None:
            mask = 0
            for i, compiled in enumerate(self._rules):
                if not compiled.sources or source in compiled.sources:
                    mask |= 1 << (i + 1)
            self._source_masks[source] = mask
        return mask

    # ---------------------------------------------------------------- answers

    def assess(self, item: WorkItem) -> tuple[Classification, int]:
        """The item's classification, and its exemption bits in one pass.

        Bit :data:`EXEMPT_BY_LABEL` is set when a label matches
        ``policy.exempt_labels``, :data:`EXEMPT_BY_TYPE` when the type is one of
        ``policy.exempt_types``. Written for speed: it runs once per item of
        the whole organisation on every evaluation.
        """
        known = self._label_masks
        labels = 0
        for label in item.labels:
            mask = known.get(label)
            labels |= self._label_mask(label) if mask is None else mask
        types = self._type_masks.get(item.type)
        if types is None:
            types = self._type_mask(item.type)
        sources = self._source_masks.get(item.source)
        if sources is None:
            sources = self._source_mask(item.source)
        exempt = (labels & _EXEMPT_BIT) | ((types & _EXEMPT_BIT) << 1)
        matching = (labels | self._no_label_condition) & types & sources & self._every
        if not matching:
            return self._default, exempt
        return self._explained((matching & -matching).bit_length() - 2, item), exempt

    def classify(self, item: WorkItem) -> Classification:
        """The layer of ``item`` and the rule that decided it."""
        return self.assess(item)[0]

    def exempt_label(self, item: WorkItem) -> str | None:
        """The first label of ``item`` matching ``policy.exempt_labels``, if any."""
        for label in item.labels:
            if self._label_mask(label) & _EXEMPT_BIT:
                return label
        return None

    def exempt_type(self, item: WorkItem) -> bool:
        """Whether the item's type is one of ``policy.exempt_types``."""
        return bool(self._type_mask(item.type) & _EXEMPT_BIT)

    def _explained(self, i: int, item: WorkItem) -> Classification:
        compiled = self._rules[i]
        label = ""
        if compiled.labels is not None:
            label = next(lb for lb in item.labels if self._label_mask(lb) & (1 << (i + 1)))
        item_type = (item.type or "") if compiled.types else ""
        key = (i, label, item_type)
        found = self._classifications.get(key)
        if found is None:
            found = Classification(
                layer=compiled.rule.layer,
                rule=compiled.rule,
                explanation=_explanation(compiled, label, item_type, item.source),
            )
            if len(self._classifications) < _LABEL_CACHE_LIMIT:
                self._classifications[key] = found
        return found


def _explanation(compiled: _CompiledRule, label: str, item_type: str, source: str) -> str:
    """``rule 2 matched: label 'strategy' (layer strategy)``."""
    reasons = []
    if compiled.labels is not None:
        reasons.append(f"label '{label}'")
    if compiled.types:
        reasons.append(f"type '{item_type}'")
    if compiled.sources:
        reasons.append(f"source '{source}'")
    said = ", ".join(reasons) if reasons else "it has no conditions"
    return f"rule {compiled.number} matched: {said} (layer {compiled.rule.layer.value})"


@lru_cache(maxsize=16)
def compile_policy(policy: TracePolicy) -> CompiledPolicy:
    """The compiled form of ``policy``, built once per distinct policy."""
    return CompiledPolicy(policy)


def classify(item: WorkItem, policy: TracePolicy) -> Classification:
    """Which layer ``item`` sits in under ``policy`` (docs/behaviour.md#layers-and-parent-links), and why."""
    return compile_policy(policy).classify(item)


def is_exempt_label(item: WorkItem, policy: TracePolicy) -> str | None:
    """The label that exempts ``item`` (``policy.exempt_labels``), if any."""
    return compile_policy(policy).exempt_label(item)


def is_exempt_type(item: WorkItem, policy: TracePolicy) -> bool:
    """Whether ``item``'s type is one of ``policy.exempt_types`` (case-insensitive)."""
    return compile_policy(policy).exempt_type(item)


__all__ = [
    "EXEMPT_BY_LABEL",
    "EXEMPT_BY_TYPE",
    "CompiledPolicy",
    "classify",
    "compile_policy",
    "is_exempt_label",
    "is_exempt_type",
]
