"""Barren items (docs/behaviour.md#verdicts): the vision that is never executed.

An open vision item is barren when no strategy item sits anywhere beneath it;
an open strategy item is barren when no execution item does. "Beneath" is
transitive through every parent link, whatever the layers in between, so the
layers found below each item are gathered children-first over the strongly
connected components of the child graph: linear, and loops cannot fool it.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence

from goldthread.core.graph import collector_paused, components
from goldthread.core.model import Barren, Layer, Verdict, WorkItem

_BIT = {Layer.VISION: 1, Layer.STRATEGY: 2, Layer.EXECUTION: 4, Layer.NONE: 0}
_WANTED = {Layer.VISION: Layer.STRATEGY, Layer.STRATEGY: Layer.EXECUTION}


def layer_bit(layer: Layer) -> int:
    """The bit of ``layer`` in a mask of layers beneath an item."""
    return _BIT[layer]


def find_barren(items: Mapping[str, WorkItem], verdicts: Mapping[str, Verdict]) -> list[Barren]:
    """Open vision and strategy items with nothing of the next layer beneath, by ref."""
    return find_barren_and_masks(items, verdicts)[0]


def find_barren_and_masks(
    items: Mapping[str, WorkItem], verdicts: Mapping[str, Verdict]
) -> tuple[list[Barren], dict[str, int]]:
    """:func:`find_barren`, and each item's layer bits of everything beneath it."""
    with collector_paused():
        return _find_barren(items, verdicts)


def barren_among(
    refs: Iterable[str],
    layers: Mapping[str, Layer],
    closed: Mapping[str, bool],
    masks: Mapping[str, int],
) -> list[Barren]:
    """The barren items of ``refs``, given each one's layer, state and mask beneath, by ref."""
    barren = [
        Barren(ref=ref, layer=layers[ref], missing=_WANTED[layers[ref]])
        for ref in refs
        if layers.get(ref) in _WANTED
        and not closed[ref]
        and not masks.get(ref, 0) & _BIT[_WANTED[layers[ref]]]
    ]
    return sorted(barren, key=lambda b: b.ref)


def masks_beneath(
    children: Mapping[str, Sequence[str]], bits: Mapping[str, int], known: Mapping[str, int]
) -> dict[str, int]:
    """The layer bits beneath each key of ``children`` (every key's children listed).

    Children that are not keys contribute their own bits and their ``known``
    mask: the keys must hold every item whose mask can differ from ``known``
    (a change's ancestors: an item beneath none of the change keeps its mask).
    """
    refs = list(children)
    position = {ref: i for i, ref in enumerate(refs)}
    inner: list[list[int]] = [[] for _ in refs]
    outside = [0] * len(refs)
    for i, ref in enumerate(refs):
        for child in children[ref]:
            j = position.get(child)
            if j is None:
                outside[i] |= bits.get(child, 0) | known.get(child, 0)
            else:
                inner[i].append(j)
    below = _layers_below(inner, [bits.get(ref, 0) for ref in refs], outside)
    return {ref: below[i] for i, ref in enumerate(refs)}


def _find_barren(
    items: Mapping[str, WorkItem], verdicts: Mapping[str, Verdict]
) -> tuple[list[Barren], dict[str, int]]:
    refs = list(items)
    position = {ref: i for i, ref in enumerate(refs)}
    layers = [verdicts[ref].layer if ref in verdicts else Layer.NONE for ref in refs]
    children: list[list[int]] = [[] for _ in refs]
    for i, item in enumerate(items.values()):
        for link in item.parents:
            parent = position.get(link.target) if link.target is not None else None
            if parent is not None:
                children[parent].append(i)
    below = _layers_below(children, [_BIT[layer] for layer in layers], [0] * len(refs))
    barren = [
        Barren(ref=refs[i], layer=layers[i], missing=_WANTED[layers[i]])
        for i, item in enumerate(items.values())
        if layers[i] in _WANTED and not item.closed and not below[i] & _BIT[_WANTED[layers[i]]]
    ]
    return sorted(barren, key=lambda b: b.ref), dict(zip(refs, below, strict=True))


def _layers_below(children: list[list[int]], bits: list[int], outside: list[int]) -> list[int]:
    """For each item, the layer bits of every item transitively beneath it
    (``outside``: bits beneath each item from children not in the graph)."""
    below = [0] * len(children)
    component = [-1] * len(children)
    for cid, members in enumerate(components(children)):
        for m in members:
            component[m] = cid
        mask = 0
        looped = len(members) > 1
        for m in members:
            mask |= outside[m]
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
