"""Step 3: the proper layered graph, where every edge joins adjacent ranks.

An edge spanning several ranks becomes a chain through dummy nodes, one per rank crossed; the dummies
take part in ordering and placement like small nodes, and their positions become the edge's bends.
"""
from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass


@dataclass
class LayeredGraph:
    """Nodes 0..real_count-1 are the real nodes; the rest are dummies. Mutable: built once, then read."""

    real_count: int
    rank: list[int]
    width: list[float]
    up: list[list[int]]  # neighbours one rank higher (one entry per edge, so parallel edges repeat)
    down: list[list[int]]  # neighbours one rank lower
    chains: list[list[int]]  # per edge: its nodes from the upper end to the lower end
    rank_count: int

    @property
    def node_count(self) -> int:
        return len(self.rank)

    def is_dummy(self, node: int) -> bool:
        return node >= self.real_count


def build_layered_graph(rank: Sequence[int], width: Sequence[float],
                        edges: Sequence[tuple[int, int]]) -> LayeredGraph:
    """`edges` must point downwards (rank[src] < rank[dst]); each yields one chain, in order."""
    ranks = list(rank)
    widths = list(width)
    up: list[list[int]] = [[] for _ in ranks]
    down: list[list[int]] = [[] for _ in ranks]
    chains: list[list[int]] = []
    for src, dst in edges:
        chain = [src]
        previous = src
        for r in range(ranks[src] + 1, ranks[dst]):
            dummy = len(ranks)
            ranks.append(r)
            widths.append(0.0)
            up.append([previous])
            down.append([])
            down[previous].append(dummy)
            chain.append(dummy)
            previous = dummy
        down[previous].append(dst)
        up[dst].append(previous)
        chain.append(dst)
        chains.append(chain)
    return LayeredGraph(len(rank), ranks, widths, up, down, chains, max(ranks, default=-1) + 1)
