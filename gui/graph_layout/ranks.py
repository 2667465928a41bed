"""Steps 1 and 2 of the layered layout: make the graph acyclic, then give every node a rank (its row).

Ranks start as the longest path from the sources, which puts every node directly below its lowest
producer: nothing can move up. That is compact for the main data path but leaves side inputs
(constants, shape computations, short side branches) hanging high with a long edge down to their
consumer, so a second pass pulls such nodes down wherever that makes the edges no longer in total
(a greedy stand-in for dagre's network simplex, linear instead of quadratic).
"""
from __future__ import annotations

from collections.abc import Sequence

# A pulled-down group is a node plus the ancestors that feed only it; past this size we move the node
# alone, which keeps the pass linear on long plain chains (whose groups would be the whole chain).
_MAX_GROUP = 32


def find_back_edges(node_count: int, edges: Sequence[tuple[int, int]]) -> list[bool]:
    """Flags the edges that close a cycle (DFS back edges); reversing them leaves a DAG.

    Iterative DFS in input order, so a deep chain cannot hit the recursion limit and the answer is
    deterministic. Self-loops must be removed beforehand.
    """
    successors: list[list[tuple[int, int]]] = [[] for _ in range(node_count)]
    for index, (src, dst) in enumerate(edges):
        successors[src].append((dst, index))
    state = [0] * node_count  # 0 unseen, 1 on the DFS stack, 2 finished
    is_back = [False] * len(edges)
    for root in range(node_count):
        if state[root]:
            continue
        state[root] = 1
        stack = [(root, iter(successors[root]))]
        while stack:
            node, pending = stack[-1]
            for dst, index in pending:
                if state[dst] == 1:
                    is_back[index] = True
                elif state[dst] == 0:
                    state[dst] = 1
                    stack.append((dst, iter(successors[dst])))
                    break
            else:
                state[node] = 2
                stack.pop()
    return is_back


def topological_order(node_count: int, successors: list[list[int]], predecessors: list[list[int]]) -> list[int]:
    """Kahn's algorithm, sources taken in input order so ties resolve the same way every time."""
    waiting = [len(p) for p in predecessors]
    order = [v for v in range(node_count) if waiting[v] == 0]
    for v in order:  # `order` grows while we walk it: a FIFO queue without a deque
        for w in successors[v]:
            waiting[w] -= 1
            if waiting[w] == 0:
                order.append(w)
    if len(order) != node_count:
        raise ValueError("topological_order: the graph still has a cycle")
    return order


def assign_ranks(node_count: int, edges: Sequence[tuple[int, int]]) -> list[int]:
    """Ranks (0 = top) for an acyclic graph so that every edge goes at least one rank down."""
    successors: list[list[int]] = [[] for _ in range(node_count)]
    predecessors: list[list[int]] = [[] for _ in range(node_count)]
    for src, dst in edges:
        successors[src].append(dst)
        predecessors[dst].append(src)
    order = topological_order(node_count, successors, predecessors)
    rank = [0] * node_count
    for v in order:
        for u in predecessors[v]:
            if rank[u] + 1 > rank[v]:
                rank[v] = rank[u] + 1
    _pull_down(rank, order, successors, predecessors)
    lowest = min(rank, default=0)
    return [r - lowest for r in rank]


def _pull_down(rank: list[int], order: list[int], successors: list[list[int]],
               predecessors: list[list[int]]) -> None:
    """Moves a node (with the ancestors that feed only it) down towards its consumers when that makes
    more edges shorter than longer. Consumers go first, so a chain of such nodes follows its end down.
    Ties move too: a side branch then hugs the node it merges into, as in Netron."""
    for v in reversed(order):
        if not successors[v] or min(rank[w] for w in successors[v]) - rank[v] <= 1:
            continue
        group = _exclusive_ancestors(v, successors, predecessors)
        edges_in = edges_out = 0
        slack = 1 << 30
        for g in group:
            edges_in += sum(1 for u in predecessors[g] if u not in group)
            for w in successors[g]:
                if w not in group:
                    edges_out += 1
                    slack = min(slack, rank[w] - rank[g] - 1)
        if slack > 0 and edges_out >= edges_in:
            for g in group:
                rank[g] += slack


def _exclusive_ancestors(v: int, successors: list[list[int]], predecessors: list[list[int]]) -> set[int]:
    """`v` and every ancestor all of whose consumers are already in the group (capped, see _MAX_GROUP)."""
    group = {v}
    frontier = [v]
    while frontier:
        for u in predecessors[frontier.pop()]:
            if u not in group and all(w in group for w in successors[u]):
                group.add(u)
                frontier.append(u)
                if len(group) > _MAX_GROUP:
                    return {v}
    return group

