"""The scoring behind :mod:`goldthread.core.suggesting`, over one layer's candidates.

Kept apart so that NumPy, SciPy and scikit-learn are imported only when
suggestions are asked for, not by every command that merely imports the core.
"""

from __future__ import annotations

import math
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass

import numpy as np
from scipy import sparse
from sklearn.feature_extraction.text import TfidfVectorizer

from goldthread.core.model import WorkItem
from goldthread.core.suggesting import (
    CHUNK,
    MAX_SUGGESTIONS,
    P_MENTIONS,
    P_NAMED,
    P_RECENT,
    P_SAME_PLACE,
    P_TAG,
    P_TEXT_MAX,
    RECENCY_DAYS,
    SHARED_WORDS,
    TAG_SPREAD,
    Evidence,
    Suggestion,
    identity,
    mentions,
    place,
    shared_tags,
    tags_of,
    text_of,
)


@dataclass(slots=True)
class _Pair:
    """One untraced item while its suggestions are explained."""

    query: WorkItem
    named_by: frozenset[int]
    mentions: frozenset[int]
    words: frozenset[str] | None = None


class Ranker:
    """Everything about one layer's candidates that every query reuses."""

    def __init__(
        self,
        pool: Sequence[WorkItem],
        ignored: frozenset[str],
        threshold: float,
        spread: Mapping[str, float],
    ):
        self.pool = pool
        self.ignored = ignored
        self.threshold = threshold
        self.vectorizer = TfidfVectorizer(
            stop_words="english", sublinear_tf=True, dtype=np.float32, max_features=200_000
        )
        self.docs = self.vectorizer.fit_transform([text_of(c) for c in pool])
        self.analyse: Callable[[str], list[str]] = self.vectorizer.build_analyzer()
        self.by_identity: dict[str, list[int]] = {}
        self.naming: dict[str, list[int]] = {}
        for index, candidate in enumerate(pool):
            self.by_identity.setdefault(identity(candidate), []).append(index)
            for named in mentions(candidate):
                self.naming.setdefault(named, []).append(index)
        self.tags = [tags_of(c, ignored) for c in pool]
        self.tag_index: dict[str, int] = {}
        rows, cols = [], []
        for index, tags in enumerate(self.tags):
            for key in tags:
                rows.append(index)
                cols.append(self.tag_index.setdefault(key, len(self.tag_index)))
        share = np.asarray([spread.get(key, 0.0) for key in self.tag_index], dtype=np.float64)
        tag_logs = np.log1p(-P_TAG * np.exp(-TAG_SPREAD * share))
        self.tag_matrix = sparse.csr_matrix(
            (tag_logs[cols] if cols else np.zeros(0), (rows, cols)),
            shape=(len(pool), max(1, len(self.tag_index))),
        )
        self.places = [place(c) for c in pool]
        newest = max(c.updated_at for c in pool)
        ages = np.asarray(
            [(newest - c.updated_at).total_seconds() / 86_400 for c in pool], dtype=np.float64
        )
        self.recent_logs = np.log1p(-P_RECENT * np.exp(-ages / RECENCY_DAYS))
        self.word_cache: dict[int, frozenset[str]] = {}

    def rank(self, queries: Sequence[WorkItem]) -> dict[str, tuple[Suggestion, ...]]:
        found: dict[str, tuple[Suggestion, ...]] = {}
        for start in range(0, len(queries), CHUNK):
            found.update(self._chunk(queries[start : start + CHUNK]))
        return found

    def _chunk(self, queries: Sequence[WorkItem]) -> dict[str, tuple[Suggestion, ...]]:
        similarity = (
            (self.vectorizer.transform([text_of(q) for q in queries]) @ self.docs.T)
            .toarray()
            .astype(np.float64)
        )
        logs = np.log1p(-P_TEXT_MAX * np.clip(similarity, 0.0, 1.0))
        logs += self._tag_logs(queries)
        logs += self.recent_logs[np.newaxis, :]
        places = np.asarray(self.places)
        named = [self.naming.get(identity(query), []) for query in queries]
        mentioned = [self._mentioned_by(query) for query in queries]
        for row, query in enumerate(queries):
            logs[row, places == place(query)] += math.log1p(-P_SAME_PLACE)
            for column in named[row]:
                logs[row, column] += math.log1p(-P_NAMED)
            for column in mentioned[row]:
                logs[row, column] += math.log1p(-P_MENTIONS)
        scores = -np.expm1(logs)
        found: dict[str, tuple[Suggestion, ...]] = {}
        for row, query in enumerate(queries):
            picked = self._best(scores[row])
            if not picked:
                continue
            pair = _Pair(query, frozenset(named[row]), frozenset(mentioned[row]))
            found[query.ref] = tuple(self._suggestion(pair, c, scores[row, c]) for c in picked)
        return found

    def _tag_logs(self, queries: Sequence[WorkItem]) -> np.ndarray:
        rows, cols = [], []
        for row, query in enumerate(queries):
            for key in tags_of(query, self.ignored):
                col = self.tag_index.get(key)
                if col is not None:
                    rows.append(row)
                    cols.append(col)
        carried = sparse.csr_matrix(
            (np.ones(len(rows)), (rows, cols)), shape=(len(queries), self.tag_matrix.shape[1])
        )
        return np.asarray((carried @ self.tag_matrix.T).toarray(), dtype=np.float64)

    def _mentioned_by(self, query: WorkItem) -> list[int]:
        return [c for named in sorted(mentions(query)) for c in self.by_identity.get(named, [])]

    def _best(self, scores: np.ndarray) -> list[int]:
        count = min(MAX_SUGGESTIONS, len(scores))
        top = np.argpartition(-scores, count - 1)[:count]
        ordered = sorted(top.tolist(), key=lambda c: (-scores[c], self.pool[c].ref))
        return [c for c in ordered if scores[c] >= self.threshold]

    def _words(self, column: int) -> frozenset[str]:
        if column not in self.word_cache:
            self.word_cache[column] = frozenset(self.analyse(text_of(self.pool[column])))
        return self.word_cache[column]

    def _suggestion(self, pair: _Pair, column: int, score: float) -> Suggestion:
        candidate = self.pool[column]
        reasons: list[tuple[Evidence, str]] = []
        if column in pair.named_by:
            reasons.append(
                (Evidence.NAMED_BY_CANDIDATE, f"{candidate.key} names this item in its text")
            )
        if column in pair.mentions:
            reasons.append((Evidence.MENTIONS_CANDIDATE, f"this item mentions {candidate.key}"))
        shared = tags_of(pair.query, self.ignored).keys() & self.tags[column].keys()
        if shared:
            reasons.append((Evidence.SHARED_TAGS, shared_tags(self.tags[column], shared)))
        if pair.words is None:
            pair.words = frozenset(self.analyse(text_of(pair.query)))
        words = pair.words & self._words(column)
        if words:
            chosen = sorted(words, key=lambda w: (-len(w), w))[:SHARED_WORDS]
            reasons.append(
                (Evidence.TEXT, f"title and description share the words {', '.join(chosen)}")
            )
        if not reasons:
            reasons.append((Evidence.NEARBY, "in the same place and recently active"))
        return Suggestion(
            ref=candidate.ref,
            score=round(min(1.0, max(0.0, float(score))), 3),
            why="; ".join(text for _, text in reasons[:2]),
            evidence=reasons[0][0],
        )
