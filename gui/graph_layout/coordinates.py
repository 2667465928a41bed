"""Step 5: x coordinates, after Brandes and Köpf ("Fast and Simple Horizontal Coordinate Assignment").

Each node is aligned with the median of its neighbours in the rank above (or below) into vertical
blocks, so chains and long edges come out straight. Blocks are then packed left as far as the
separations allow. This is done four ways (align up or down, pack left or right) and the two middle
answers per node are averaged, which centres a node between its neighbours without ever letting two
nodes of a rank overlap. dagre (and so Netron) places nodes the same way; the block graph and its two
passes follow dagre's fix of the paper's compaction.

One change to the paper, for models: a chain node that also sends or receives skip edges aligns with
its chain neighbour, never with the bundle of long edges, and chain links win over long edges where
they cross. Without it a dense block (ESRGAN's RRDB) walks sideways by a node width per block.
"""
from __future__ import annotations

import math
from collections.abc import Callable
from itertools import pairwise

from .layered import LayeredGraph


def assign_x(graph: LayeredGraph, layers: list[list[int]], node_gap: float) -> list[float]:
    """Centre x of every node (dummies included); the leftmost node's left edge is at 0."""
    node_count = graph.node_count
    width = graph.width
    # Half the gap on each side of a real node, a quarter beside a dummy: edges may run closer.
    margin = [width[v] / 2 + (node_gap / 2 if v < graph.real_count else node_gap / 4) for v in range(node_count)]
    conflicts = _type1_conflicts(graph, layers)
    candidates: list[list[float]] = []
    for downwards in (True, False):
        ordered = layers if downwards else layers[::-1]
        neighbours = graph.up if downwards else graph.down
        for leftwards in (True, False):
            adjusted = ordered if leftwards else [layer[::-1] for layer in ordered]
            root = _vertical_alignment(adjusted, neighbours, conflicts, node_count, graph.real_count)
            xs = _horizontal_compaction(adjusted, root, margin, node_count)
            candidates.append(xs if leftwards else [-x for x in xs])
    _align_to_narrowest(candidates, width)
    centres = []
    for a, b, c, d in zip(*candidates, strict=True):
        ordered4 = sorted((a, b, c, d))
        centres.append((ordered4[1] + ordered4[2]) / 2)
    left = min((x - w / 2 for x, w in zip(centres, width, strict=True)), default=0.0)
    return [x - left for x in centres]


def _type1_conflicts(graph: LayeredGraph, layers: list[list[int]]) -> set[tuple[int, int]]:
    """Segments (upper, lower) that must not be aligned, so that what matters most stays straight.

    Protected first are chain links: the one short edge between two nodes that have no other short edge
    on that side (conv -> relu -> conv, even while skip edges leave and join). Then, as in the paper,
    inner segments between two dummies: long edges run straight and short edges crossing them bend.
    A segment crossing a protected one is marked; a dummy crossing the chain therefore bends, not the chain.
    """
    real_count, up, down = graph.real_count, graph.up, graph.down
    node_count = graph.node_count
    pos = [0] * node_count
    for layer in layers:
        for i, v in enumerate(layer):
            pos[v] = i
    only_real_up = [_only_real(up[v], real_count) for v in range(real_count)]
    only_real_down = [_only_real(down[v], real_count) for v in range(real_count)]
    chain_up = [-1] * node_count
    for v in range(real_count):
        u = only_real_up[v]
        if u >= 0 and only_real_down[u] == v:
            chain_up[v] = u
    inner_up = [-1] * node_count
    for v in range(real_count, node_count):
        if up[v][0] >= real_count:
            inner_up[v] = up[v][0]
    conflicts: set[tuple[int, int]] = set()
    _mark_crossings(layers, up, pos, chain_up, lambda u, v: chain_up[v] != u, conflicts)
    _mark_crossings(layers, up, pos, inner_up,
                    lambda u, v: chain_up[v] != u and (u < real_count or v < real_count), conflicts)
    # Long edges leave and enter a chain node sideways: no dummy may steal the chain's alignment.
    for v in range(real_count):
        if only_real_down[v] >= 0:
            conflicts.update((v, w) for w in down[v] if w >= real_count)
        if only_real_up[v] >= 0:
            conflicts.update((w, v) for w in up[v] if w >= real_count)
    return conflicts


def _only_real(neighbours: list[int], real_count: int) -> int:
    """The single real node among `neighbours`, or -1 when there are none or several."""
    found = -1
    for w in neighbours:
        if w < real_count:
            if found >= 0:
                return -1
            found = w
    return found


def _mark_crossings(layers: list[list[int]], up: list[list[int]], pos: list[int], protected_up: list[int],
                    may_mark: Callable[[int, int], bool], conflicts: set[tuple[int, int]]) -> None:
    """Adds every markable segment that crosses a protected one (protected_up[v] = its upper end, or -1).

    One left-to-right scan per rank pair (Brandes and Köpf, Alg. 1): between the lower ends of two
    consecutive protected segments, any segment whose upper end lies outside theirs crosses one of them.
    """
    for upper, lower in pairwise(layers):
        k0 = 0
        scan_from = 0
        last = len(lower) - 1
        for i, v in enumerate(lower):
            protected_end = protected_up[v]
            if protected_end < 0 and i != last:
                continue
            k1 = pos[protected_end] if protected_end >= 0 else len(upper)
            for scanned in lower[scan_from:i + 1]:
                for u in up[scanned]:
                    if (pos[u] < k0 or pos[u] > k1) and may_mark(u, scanned):
                        conflicts.add((u, scanned))
            scan_from = i + 1
            k0 = k1


def _vertical_alignment(layers: list[list[int]], neighbours: list[list[int]], conflicts: set[tuple[int, int]],
                        node_count: int, real_count: int) -> list[int]:
    """Root (top node in sweep order) of each node's block. `layers` is already flipped for the direction."""
    root = list(range(node_count))
    aligned = [False] * node_count  # v already joined the block of a neighbour
    pos = [0] * node_count
    for layer in layers:
        for i, v in enumerate(layer):
            pos[v] = i
    for layer in layers:
        rightmost_taken = -1  # alignments must not cross, so medians must move strictly rightwards
        for v in layer:
            candidates = neighbours[v]
            if v < real_count and len(candidates) > 1:
                # A chain node that also sends or receives long edges follows the chain, not the median
                # of the bundle: otherwise the chain drifts sideways rank by rank (dense blocks, ResNets).
                real = [w for w in candidates if w < real_count]
                if len(real) == 1:
                    candidates = real
            count = len(candidates)
            if not count:
                continue
            if count > 1:
                candidates = sorted(candidates, key=pos.__getitem__)
            middle = (count - 1) / 2
            for i in range(math.floor(middle), math.ceil(middle) + 1):
                w = candidates[i]
                if not aligned[v] and rightmost_taken < pos[w] and (w, v) not in conflicts \
                        and (v, w) not in conflicts:
                    root[v] = root[w]
                    aligned[v] = True
                    rightmost_taken = pos[w]
    return root


def _horizontal_compaction(layers: list[list[int]], root: list[int], margin: list[float],
                           node_count: int) -> list[float]:
    """Packs blocks: a DAG of blocks (left block -> right block, weighted by the separation they need)
    gets smallest coordinates in topological order, then each block moves right as far as its right
    neighbours allow, so blocks without a left neighbour don't hug the left border."""
    right_of: dict[int, dict[int, float]] = {}
    for layer in layers:
        previous = -1
        for v in layer:
            right_of.setdefault(root[v], {})
            if previous >= 0:
                separation = margin[previous] + margin[v]
                targets = right_of[root[previous]]
                if targets.get(root[v], -1.0) < separation:
                    targets[root[v]] = separation
            previous = v
    waiting = dict.fromkeys(right_of, 0)
    for targets in right_of.values():
        for block in targets:
            waiting[block] += 1
    order = [block for block, count in waiting.items() if count == 0]
    for block in order:
        for target in right_of[block]:
            waiting[target] -= 1
            if waiting[target] == 0:
                order.append(target)
    xs = dict.fromkeys(right_of, 0.0)
    for block in order:
        x = xs[block]
        for target, separation in right_of[block].items():
            if x + separation > xs[target]:
                xs[target] = x + separation
    for block in reversed(order):
        targets = right_of[block]
        if targets:
            limit = min(xs[target] - separation for target, separation in targets.items())
            if limit > xs[block]:
                xs[block] = limit
    return [xs[root[v]] for v in range(node_count)]


def _align_to_narrowest(candidates: list[list[float]], width: list[float]) -> None:
    """Shifts the four layouts onto the narrowest one: left-packed ones by their left end, right-packed
    ones by their right end (candidates alternate left, right)."""
    if not width:
        return
    spans = [max(x + w / 2 for x, w in zip(xs, width, strict=True))
             - min(x - w / 2 for x, w in zip(xs, width, strict=True)) for xs in candidates]
    reference = candidates[spans.index(min(spans))]
    low, high = min(reference), max(reference)
    for index, xs in enumerate(candidates):
        if xs is reference:
            continue
        delta = low - min(xs) if index % 2 == 0 else high - max(xs)
        if delta:
            candidates[index] = [x + delta for x in xs]
