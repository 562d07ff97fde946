"""Barren items (SPEC §4): the vision that is never executed.

An open vision item is barren when no strategy item sits anywhere beneath it;
an open strategy item is barren when no execution item does. "Beneath" is
transitive through every parent link, whatever the layers in between, so the
layers found below each item are gathered children-first over the strongly
connected components of the child graph: linear, and loops cannot fool it.
"""

from __future__ import annotations

from collections.abc import Mapping

from goldthread.core.graph import collector_paused, components
from goldthread.core.model import Barren, Layer, Verdict, WorkItem

_BIT = {Layer.VISION: 1, Layer.STRATEGY: 2, Layer.EXECUTION: 4, Layer.NONE: 0}
_WANTED = {Layer.VISION: Layer.STRATEGY, Layer.STRATEGY: Layer.EXECUTION}


def find_barren(items: Mapping[str, WorkItem], verdicts: Mapping[str, Verdict]) -> list[Barren]:
    """Open vision and strategy items with nothing of the next layer beneath, by ref."""
    with collector_paused():
        return _find_barren(items, verdicts)


def _find_barren(items: Mapping[str, WorkItem], verdicts: Mapping[str, Verdict]) -> list[Barren]:
    refs = list(items)
    position = {ref: i for i, ref in enumerate(refs)}
    layers = [verdicts[ref].layer if ref in verdicts else Layer.NONE for ref in refs]
    children: list[list[int]] = [[] for _ in refs]
    for i, item in enumerate(items.values()):
        for link in item.parents:
            parent = position.get(link.target) if link.target is not None else None
            if parent is not None:
                children[parent].append(i)
    below = _layers_below(children, [_BIT[layer] for layer in layers])
    barren = [
        Barren(ref=refs[i], layer=layers[i], missing=_WANTED[layers[i]])
        for i, item in enumerate(items.values())
        if layers[i] in _WANTED and not item.closed and not below[i] & _BIT[_WANTED[layers[i]]]
    ]
    return sorted(barren, key=lambda b: b.ref)


def _layers_below(children: list[list[int]], bits: list[int]) -> list[int]:
    """For each item, the layer bits of every item transitively beneath it."""
    below = [0] * len(children)
    component = [-1] * len(children)
    for cid, members in enumerate(components(children)):
        for m in members:
            component[m] = cid
        mask = 0
        looped = len(members) > 1
        for m in members:
            for c in children[m]:
                if component[c] == cid:
                    looped = True
                else:
                    mask |= bits[c] | below[c]
        if looped:
            for m in members:
                mask |= bits[m]
        for m in members:
            below[m] = mask
    return below
