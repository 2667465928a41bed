"""The whole Sugiyama pipeline: validate, split into components, lay each out, put them side by side."""
from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

from .coordinates import assign_x
from .layered import build_layered_graph
from .ordering import initial_order, minimise_crossings
from .ranks import assign_ranks, find_back_edges
from .records import EdgeRoute, GraphLayoutError, Layout, LayoutEdge, LayoutNode, NodePlacement
from .routing import edge_points, node_tops, rank_tops


@dataclass(frozen=True)
class _ComponentLayout:
    centre_x: list[float]  # per node of the component, in its local order
    top_y: list[float]
    rank: list[int]
    routes: list[tuple[tuple[float, float], ...]]  # per edge of the component, in its local order
    width: float
    height: float


def layout_graph(nodes: Sequence[LayoutNode], edges: Sequence[LayoutEdge], *, rank_gap: float = 40.0,
                 node_gap: float = 24.0, sweeps: int = 4) -> Layout:
    """Lays a directed graph out top to bottom in ranks, edges pointing down, with few crossings.

    Self-loops and repeated edges are ignored; cycles are broken by drawing one edge of each upwards.
    Components sit side by side in the order of their first node. The same input gives the same layout.
    """
    index_of: dict[int, int] = {}
    for i, node in enumerate(nodes):
        if node.id in index_of:
            raise GraphLayoutError(f"layout_graph: node id {node.id} appears twice (at {index_of[node.id]} and {i})")
        index_of[node.id] = i
    pairs: list[tuple[int, int]] = []
    seen: set[tuple[int, int]] = set()
    for k, edge in enumerate(edges):
        for end in (edge.src, edge.dst):
            if end not in index_of:
                raise GraphLayoutError(f"layout_graph: edge {k} ({edge.src} -> {edge.dst}) names node {end}, "
                                       "which is not among the nodes")
        pair = (index_of[edge.src], index_of[edge.dst])
        if pair[0] != pair[1] and pair not in seen:
            seen.add(pair)
            pairs.append(pair)

    placements: dict[int, NodePlacement] = {}
    points: list[tuple[tuple[float, float], ...]] = [()] * len(pairs)
    component_gap = 2 * node_gap
    x_offset = 0.0
    total_height = 0.0
    for members, edge_indices in _components(len(nodes), pairs):
        local = {g: i for i, g in enumerate(members)}
        component = _layout_component([nodes[g] for g in members],
                                      [(local[pairs[k][0]], local[pairs[k][1]]) for k in edge_indices],
                                      rank_gap, node_gap, sweeps)
        for i, g in enumerate(members):
            node = nodes[g]
            placements[node.id] = NodePlacement(node.id, x_offset + component.centre_x[i] - node.width / 2,
                                                component.top_y[i], node.width, node.height, component.rank[i])
        for k, route in zip(edge_indices, component.routes, strict=True):
            points[k] = tuple((x_offset + x, y) for x, y in route)
        x_offset += component.width + component_gap
        total_height = max(total_height, component.height)
    routes = tuple(EdgeRoute(nodes[s].id, nodes[d].id, p) for (s, d), p in zip(pairs, points, strict=True))
    total_width = x_offset - component_gap if nodes else 0.0
    return Layout(placements, routes, total_width, total_height)


def _components(node_count: int, pairs: list[tuple[int, int]]) -> list[tuple[list[int], list[int]]]:
    """Weakly connected components as (node indices, edge indices), both ascending, ordered by first node."""
    parent = list(range(node_count))

    def find(v: int) -> int:
        while parent[v] != v:
            parent[v] = parent[parent[v]]
            v = parent[v]
        return v

    for s, d in pairs:
        rs, rd = find(s), find(d)
        if rs != rd:
            parent[max(rs, rd)] = min(rs, rd)  # the smallest index roots, so the order is stable
    by_root: dict[int, tuple[list[int], list[int]]] = {}
    for v in range(node_count):
        by_root.setdefault(find(v), ([], []))[0].append(v)
    for k, (s, _) in enumerate(pairs):
        by_root[find(s)][1].append(k)
    return list(by_root.values())


def _layout_component(nodes: list[LayoutNode], edges: list[tuple[int, int]], rank_gap: float, node_gap: float,
                      sweeps: int) -> _ComponentLayout:
    count = len(nodes)
    if count == 1:  # a lone node: common enough (unused inputs) to skip the pipeline
        return _ComponentLayout([nodes[0].width / 2], [0.0], [0], [], nodes[0].width, nodes[0].height)
    is_back = find_back_edges(count, edges)
    downward = [(d, s) if back else (s, d) for (s, d), back in zip(edges, is_back, strict=True)]
    rank = assign_ranks(count, downward)
    graph = build_layered_graph(rank, [n.width for n in nodes], downward)
    layers = minimise_crossings(graph, initial_order(graph), sweeps)
    x = assign_x(graph, layers, node_gap)
    height = [n.height for n in nodes]
    tops, rank_height = rank_tops(graph, height, rank_gap)
    top_y = node_tops(graph, height, tops, rank_height)
    routes = [edge_points(graph, chain, x, top_y, tops, rank_height, height, back)
              for chain, back in zip(graph.chains, is_back, strict=True)]
    width = max(centre + w / 2 for centre, w in zip(x, graph.width, strict=True))  # dummies included
    return _ComponentLayout(x[:count], top_y, rank, routes, width, tops[-1] + rank_height[-1])
