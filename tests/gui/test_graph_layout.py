"""The layered graph layout (gui/graph_layout): geometry invariants, crossings, robustness. No Qt."""
from __future__ import annotations

import itertools
import random
import subprocess
import sys
from pathlib import Path

import pytest

from gui.graph_layout import GraphLayoutError, Layout, LayoutEdge, LayoutNode, NodePlacement, layout_graph
from gui.graph_layout.layered import build_layered_graph
from gui.graph_layout.ordering import count_crossings, minimise_crossings, positions
from tests.gui.synthetic_graphs import Graph, display_graph_of, residual_chain, unet, wide_fan_out

ROOT = Path(__file__).resolve().parents[2]


# -- helpers ---------------------------------------------------------------------------------------------
def nodes_of(count: int, width: float = 100.0, height: float = 30.0) -> list[LayoutNode]:
    return [LayoutNode(i, width + 10 * (i % 3), height) for i in range(count)]


def edges_of(*pairs: tuple[int, int]) -> list[LayoutEdge]:
    return [LayoutEdge(s, d) for s, d in pairs]


def centre_x(layout: Layout, nid: int) -> float:
    place = layout.nodes[nid]
    return place.x + place.width / 2


def crossings(layout: Layout) -> int:
    """Edge crossings counted from the drawing: the route segments between each pair of adjacent ranks
    cross when their upper and lower ends come in opposite x order."""
    segments: dict[int, list[tuple[float, float]]] = {}
    for route in layout.edges:
        points, upper = route.points, layout.nodes[route.src].rank
        if points[0][1] > points[-1][1]:  # drawn upwards (a reversed cycle edge)
            points, upper = points[::-1], layout.nodes[route.dst].rank
        for i, ((x0, _), (x1, _)) in enumerate(itertools.pairwise(points)):
            segments.setdefault(upper + i, []).append((x0, x1))
    total = 0
    for group in segments.values():
        group.sort()
        for (a0, a1), (b0, b1) in itertools.combinations(group, 2):
            total += (a0 - b0) * (a1 - b1) < 0
    return total


def assert_well_formed(layout: Layout, nodes: list[LayoutNode], node_gap: float = 24.0) -> None:
    """Every node placed once, with its size, inside the bounds, and no two boxes within node_gap."""
    assert set(layout.nodes) == {n.id for n in nodes}
    for n in nodes:
        place = layout.nodes[n.id]
        assert (place.width, place.height) == (n.width, n.height)
        assert place.x >= -1e-9 and place.y >= -1e-9
        assert place.x + place.width <= layout.width + 1e-9 and place.y + place.height <= layout.height + 1e-9
    # Boxes closer than node_gap side by side must be in different rows.
    boxes = sorted(layout.nodes.values(), key=lambda p: p.x)
    for i, a in enumerate(boxes):
        for b in boxes[i + 1:]:
            if b.x >= a.x + a.width + node_gap - 1e-6:
                break
            vertical_overlap = a.y < b.y + b.height and b.y < a.y + a.height
            assert not vertical_overlap, f"nodes {a.id} and {b.id} are closer than node_gap: {a} {b}"


def assert_edges_point_down(layout: Layout) -> None:
    for route in layout.edges:
        src, dst = layout.nodes[route.src], layout.nodes[route.dst]
        assert src.rank < dst.rank and src.y + src.height < dst.y
        assert route.points[0] == pytest.approx((src.x + src.width / 2, src.y + src.height))
        assert route.points[-1] == pytest.approx((dst.x + dst.width / 2, dst.y))
        ys = [y for _, y in route.points]
        assert all(a < b for a, b in itertools.pairwise(ys)), route
        assert len(route.points) == dst.rank - src.rank + 1  # one bend per rank crossed


def random_dag(node_count: int, edge_count: int, seed: int, reach: int = 6) -> Graph:
    """Edges join nodes at most `reach` apart in index order: local, like a model's, some spanning ranks."""
    rng = random.Random(seed)
    pairs: set[tuple[int, int]] = set()
    while len(pairs) < edge_count:
        a = rng.randrange(node_count - 1)
        b = rng.randint(a + 1, min(a + reach, node_count - 1))
        pairs.add((a, b))
    return nodes_of(node_count), edges_of(*sorted(pairs))


# -- basics ----------------------------------------------------------------------------------------------
def test_empty_graph():
    layout = layout_graph([], [])
    assert layout.nodes == {} and layout.edges == () and (layout.width, layout.height) == (0.0, 0.0)


def test_single_node_sits_at_the_origin():
    layout = layout_graph([LayoutNode(7, 120.0, 26.0)], [])
    assert layout.nodes[7] == NodePlacement(7, 0.0, 0.0, 120.0, 26.0, 0)
    assert (layout.width, layout.height) == (120.0, 26.0)


def test_a_chain_is_vertical_even_with_different_widths():
    nodes = [LayoutNode(i, 90.0 + 37 * (i % 4), 26.0 + 14 * (i % 2)) for i in range(12)]
    layout = layout_graph(nodes, edges_of(*[(i, i + 1) for i in range(11)]))
    assert {round(centre_x(layout, i), 6) for i in range(12)} == {round(centre_x(layout, 0), 6)}
    assert [layout.nodes[i].rank for i in range(12)] == list(range(12))
    assert_edges_point_down(layout)


def test_diamond():
    nodes = nodes_of(4)
    edges = edges_of((0, 1), (0, 2), (1, 3), (2, 3))
    layout = layout_graph(nodes, edges)
    assert [layout.nodes[i].rank for i in range(4)] == [0, 1, 1, 2]
    assert layout.nodes[1].y == layout.nodes[2].y
    left, right = sorted((centre_x(layout, 1), centre_x(layout, 2)))
    assert left < centre_x(layout, 0) < right and centre_x(layout, 0) == pytest.approx(centre_x(layout, 3))
    assert_well_formed(layout, nodes)
    assert crossings(layout) == 0


def test_ranks_are_rows_of_equal_height_with_gaps():
    nodes = [LayoutNode(0, 100, 20), LayoutNode(1, 100, 50), LayoutNode(2, 100, 30), LayoutNode(3, 100, 20)]
    layout = layout_graph(nodes, edges_of((0, 1), (0, 2), (1, 3), (2, 3)), rank_gap=10.0)
    # rank 1 is 50 tall; the 30-tall node is centred in it
    assert layout.nodes[1].y == 30.0 and layout.nodes[2].y == 40.0 and layout.nodes[3].y == 90.0
    assert layout.height == 110.0


@pytest.mark.parametrize("seed", range(6))
def test_random_dags_have_no_overlaps_and_edges_point_down(seed):
    nodes, edges = random_dag(60, 90, seed)
    layout = layout_graph(nodes, edges)
    assert_well_formed(layout, nodes)
    assert_edges_point_down(layout)


def test_self_loops_and_repeated_edges_are_ignored():
    layout = layout_graph(nodes_of(3), edges_of((0, 1), (1, 1), (0, 1), (1, 2), (0, 1)))
    assert [(r.src, r.dst) for r in layout.edges] == [(0, 1), (1, 2)]


def test_unknown_and_repeated_node_ids_are_reported():
    with pytest.raises(GraphLayoutError, match="edge 1 .*names node 9"):
        layout_graph(nodes_of(2), edges_of((0, 1), (1, 9)))
    with pytest.raises(GraphLayoutError, match="node id 0 appears twice"):
        layout_graph([LayoutNode(0, 1, 1), LayoutNode(0, 1, 1)], [])


# -- ranks -----------------------------------------------------------------------------------------------
def test_a_side_input_moves_down_next_to_its_consumer():
    # 0 -> 1 -> 2 -> 3 -> 4, and a constant 5 (a source) feeding 4 only: it sits just above 4.
    layout = layout_graph(nodes_of(6), edges_of((0, 1), (1, 2), (2, 3), (3, 4), (5, 4)))
    assert layout.nodes[5].rank == 3 and layout.nodes[0].rank == 0


def test_a_chain_of_side_inputs_follows_its_consumer_down():
    layout = layout_graph(nodes_of(8), edges_of((0, 1), (1, 2), (2, 3), (3, 4), (4, 5), (6, 7), (7, 5)))
    assert (layout.nodes[6].rank, layout.nodes[7].rank) == (3, 4)


def test_a_long_skip_edge_runs_straight():
    # A residual block: 0 -> 1..5 -> 6 (Add) with the skip 0 -> 6 crossing five ranks.
    layout = layout_graph(nodes_of(7), edges_of((0, 1), (1, 2), (2, 3), (3, 4), (4, 5), (5, 6), (0, 6)))
    skip = next(r for r in layout.edges if (r.src, r.dst) == (0, 6))
    bends = {round(x, 6) for x, _ in skip.points[1:-1]}
    assert len(skip.points) == 7 and len(bends) == 1
    assert crossings(layout) == 0


# -- crossings -------------------------------------------------------------------------------------------
PLANAR = {
    "binary tree": edges_of(*[(i, c) for i in range(15) for c in (2 * i + 1, 2 * i + 2)]),
    "nested diamonds": edges_of((0, 1), (0, 2), (1, 3), (1, 4), (3, 5), (4, 5), (5, 6), (2, 6), (6, 7)),
    "inverted tree": edges_of(*[(c, i) for i in range(7) for c in (2 * i + 1, 2 * i + 2)]),
}


@pytest.mark.parametrize("name", PLANAR)
def test_graphs_drawable_without_crossings_are_drawn_without_crossings(name):
    edges = PLANAR[name]
    count = 1 + max(max(e.src, e.dst) for e in edges)
    layout = layout_graph(nodes_of(count), edges)
    assert crossings(layout) == 0
    assert_well_formed(layout, nodes_of(count))


@pytest.mark.parametrize("graph", [unet(levels=3, blocks_per_stage=1), residual_chain(120), unet()],
                         ids=["small unet", "residual chain", "unet"])
def test_model_shaped_planar_graphs_have_no_crossings(graph):
    layout = layout_graph(*graph)
    assert crossings(layout) == 0


@pytest.mark.parametrize("seed", range(20))
def test_minimising_never_makes_crossings_worse_than_the_starting_order(seed):
    nodes, edges = random_dag(40, 70, seed)
    rank = [i // 5 for i in range(40)]  # fixed rows of five, so the start can be any shuffled order
    pairs = [(e.src, e.dst) for e in edges if rank[e.src] < rank[e.dst]]
    graph = build_layered_graph(rank, [n.width for n in nodes], pairs)
    rng = random.Random(seed)
    start: list[list[int]] = [[] for _ in range(graph.rank_count)]
    for v in range(graph.node_count):
        start[graph.rank[v]].append(v)
    for layer in start:
        rng.shuffle(layer)
    before = count_crossings(start, graph.down, positions(start, graph.node_count))
    for sweeps in (0, 1, 4):
        result = minimise_crossings(graph, [list(layer) for layer in start], sweeps)
        assert sorted(map(sorted, result)) == sorted(map(sorted, start))
        assert count_crossings(result, graph.down, positions(result, graph.node_count)) <= before


@pytest.mark.parametrize("seed", range(6))
def test_the_drawing_has_no_more_crossings_than_the_initial_order(seed):
    nodes, edges = random_dag(60, 110, seed, reach=10)
    assert crossings(layout_graph(nodes, edges)) <= crossings(layout_graph(nodes, edges, sweeps=0))


@pytest.mark.parametrize("row", [6, 80], ids=["narrow rows", "wide rows (Fenwick tree)"])
def test_crossing_count_matches_brute_force(row):
    rng = random.Random(5)
    for _ in range(10 if row < 20 else 3):
        nodes, edges = random_dag(3 * row, 10 * row, rng.randrange(1000), reach=2 * row)
        rank = [i // row for i in range(3 * row)]
        graph = build_layered_graph(rank, [0.0] * len(rank),
                                    [(e.src, e.dst) for e in edges if rank[e.src] < rank[e.dst]])
        layers: list[list[int]] = [[] for _ in range(graph.rank_count)]
        for v in rng.sample(range(graph.node_count), graph.node_count):
            layers[graph.rank[v]].append(v)
        pos = positions(layers, graph.node_count)
        segments = [(graph.rank[u], pos[u], pos[w]) for u in range(graph.node_count) for w in graph.down[u]]
        brute = sum(1 for a, b in itertools.combinations(segments, 2)
                    if a[0] == b[0] and (a[1] - b[1]) * (a[2] - b[2]) < 0)
        assert count_crossings(layers, graph.down, pos) == brute


# -- components, cycles, determinism, size ---------------------------------------------------------------
def test_disconnected_components_sit_side_by_side_without_overlap():
    nodes = nodes_of(9)
    edges = edges_of((0, 1), (1, 2), (3, 4), (3, 5), (6, 7))  # three components and the lone node 8
    layout = layout_graph(nodes, edges)
    spans = []
    for members in ((0, 1, 2), (3, 4, 5), (6, 7), (8,)):
        places = [layout.nodes[i] for i in members]
        spans.append((min(p.x for p in places), max(p.x + p.width for p in places)))
        assert min(p.rank for p in places) == 0 and min(p.y for p in places) == 0.0
    assert spans == sorted(spans)
    assert all(a[1] < b[0] for a, b in itertools.pairwise(spans))
    assert_well_formed(layout, nodes)


@pytest.mark.parametrize("pairs", [
    [(0, 1), (1, 2), (2, 0)],
    [(0, 1), (1, 0)],
    [(0, 1), (1, 2), (2, 3), (3, 1), (3, 4), (4, 0), (2, 2)],
])
def test_cycles_are_drawn_with_edges_reversed(pairs):
    nodes = nodes_of(5)
    layout = layout_graph(nodes, edges_of(*pairs))
    assert_well_formed(layout, nodes)
    routes = {(r.src, r.dst): r for r in layout.edges}
    assert set(routes) == {p for p in pairs if p[0] != p[1]}
    upwards = 0
    for (s, d), route in routes.items():
        src, dst = layout.nodes[s], layout.nodes[d]
        if src.rank < dst.rank:
            assert route.points[0] == pytest.approx((src.x + src.width / 2, src.y + src.height))
        else:  # reversed: from the top of src up to the bottom of dst
            upwards += 1
            assert route.points[0] == pytest.approx((src.x + src.width / 2, src.y))
            assert route.points[-1] == pytest.approx((dst.x + dst.width / 2, dst.y + dst.height))
    assert upwards >= 1


def test_the_same_input_gives_the_same_layout():
    nodes, edges = random_dag(80, 130, seed=11)
    assert layout_graph(nodes, edges) == layout_graph(nodes, edges)


def test_the_layout_does_not_depend_on_the_hash_seed():
    code = ("from tests.gui.test_graph_layout import random_dag; from gui.graph_layout import layout_graph; "
            "print(repr(layout_graph(*random_dag(50, 80, seed=3))))")
    outputs = {subprocess.run([sys.executable, "-c", code], cwd=ROOT, capture_output=True, text=True, check=True,
                              env={"PYTHONHASHSEED": seed, "PATH": ""}).stdout for seed in ("1", "2")}
    assert len(outputs) == 1


@pytest.mark.parametrize("graph", [residual_chain(1000), wide_fan_out(stages=6)], ids=["1000 nodes", "fan-out"])
def test_model_sized_graphs_are_laid_out(graph):
    nodes, edges = graph
    layout = layout_graph(nodes, edges)
    assert_well_formed(layout, nodes)
    assert_edges_point_down(layout)


@pytest.mark.models
def test_the_real_1000_layer_model_is_laid_out():
    from tests.support.zoo import model_files

    nodes, edges = display_graph_of(model_files("realesrgan-x4plus")["param"])
    assert len(nodes) > 700
    layout = layout_graph(nodes, edges)
    assert_well_formed(layout, nodes)
    assert_edges_point_down(layout)
