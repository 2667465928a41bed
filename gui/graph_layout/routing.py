"""Step 6 and the edges: y coordinates per rank, and the polyline of every edge."""
from __future__ import annotations

from .layered import LayeredGraph


def rank_tops(graph: LayeredGraph, height: list[float], rank_gap: float) -> tuple[list[float], list[float]]:
    """Top y and height of each rank: a rank is as tall as its tallest node, ranks rank_gap apart."""
    rank_height = [0.0] * graph.rank_count
    for v in range(graph.real_count):
        r = graph.rank[v]
        if height[v] > rank_height[r]:
            rank_height[r] = height[v]
    tops = []
    y = 0.0
    for h in rank_height:
        tops.append(y)
        y += h + rank_gap
    return tops, rank_height


def node_tops(graph: LayeredGraph, height: list[float], tops: list[float], rank_height: list[float]) -> list[float]:
    """Top y of each real node, centred vertically in its rank."""
    rank = graph.rank
    return [tops[rank[v]] + (rank_height[rank[v]] - height[v]) / 2 for v in range(graph.real_count)]


def edge_points(graph: LayeredGraph, chain: list[int], x: list[float], node_top: list[float], tops: list[float],
                rank_height: list[float], height: list[float], upwards: bool) -> tuple[tuple[float, float], ...]:
    """Bottom-centre of the upper node, one point per dummy (at its rank's middle), top-centre of the
    lower node; reversed for an edge drawn upwards (one reversed to break a cycle)."""
    rank = graph.rank
    first, last = chain[0], chain[-1]
    points = [(x[first], node_top[first] + height[first])]
    for dummy in chain[1:-1]:
        points.append((x[dummy], tops[rank[dummy]] + rank_height[rank[dummy]] / 2))
    points.append((x[last], node_top[last]))
    if upwards:
        points.reverse()
    return tuple(points)
