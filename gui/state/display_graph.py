"""The graph as drawn: one node per shown layer, one edge per blob hop, and its layout. Qt-free."""
from __future__ import annotations

from dataclasses import dataclass

from engine import Net
from engine.layer import UnknownLayer

from ..graph_layout import Layout, LayoutEdge, LayoutNode, layout_graph
from .categories import category, colour
from .node_text import key_params

HIDEABLE = ("Split", "Noop")
CHAR_WIDTH = 7.0  # estimate for the node font; the view measures real text and centres it
NODE_HEIGHT_ONE_LINE = 26.0
NODE_HEIGHT_TWO_LINES = 40.0


@dataclass(frozen=True)
class DisplayNode:
    id: int  # layer index
    type: str
    name: str
    detail: str
    category: str
    colour: str
    supported: bool
    width: float
    height: float


@dataclass(frozen=True)
class DisplayEdge:
    src: int  # layer index of the producer
    dst: int  # layer index of the consumer
    blob: str  # the blob the consumer reads (after skipping hidden layers)


@dataclass(frozen=True)
class DisplayGraph:
    nodes: dict[int, DisplayNode]
    edges: tuple[DisplayEdge, ...]
    layout: Layout
    hidden: frozenset[int]

    def node_of_blob(self, blob: str, net: Net) -> int | None:
        """The shown node that produces `blob` (walking up through hidden layers)."""
        idx = net.graph.blob_index(blob) if net.graph else None
        while idx is not None:
            producer = net.blobs[idx].producer
            if producer is None:
                return None
            if producer not in self.hidden:
                return producer
            bottoms = net.layers[producer].spec.bottoms
            idx = net.graph.blob_index(bottoms[0]) if bottoms else None
        return None


def _node(net: Net, index: int) -> DisplayNode:
    layer = net.layers[index]
    supported = not isinstance(layer, UnknownLayer)
    detail = key_params(layer) if supported else "unsupported type"
    title = f"{layer.spec.type}  {layer.name}"
    # the header later shows "Type  12.34 ms": leave room for the time after a run
    width = max(90.0, CHAR_WIDTH * max(len(title), len(layer.spec.type) + 11, len(detail)) + 20)
    height = NODE_HEIGHT_TWO_LINES if detail else NODE_HEIGHT_ONE_LINE
    return DisplayNode(index, layer.spec.type, layer.name, detail, category(layer.spec.type, supported),
                       colour(layer.spec.type, supported), supported, width, height)


def build_display_graph(net: Net, hide: tuple[str, ...] = HIDEABLE) -> DisplayGraph:
    graph = net.graph
    assert graph is not None
    hidden = frozenset(i for i, s in enumerate(graph.layers)
                       if s.type in hide and len(s.bottoms) == 1)

    def source(blob_name: str) -> int | None:
        """The shown producer of a blob, skipping hidden pass-through layers."""
        idx = graph.blob_index(blob_name)
        while idx is not None:
            p = graph.blobs[idx].producer
            if p is None or p not in hidden:
                return p
            idx = graph.blob_index(graph.layers[p].bottoms[0])
        return None

    nodes = {i: _node(net, i) for i in range(len(graph.layers)) if i not in hidden}
    edges: list[DisplayEdge] = []
    seen: set[tuple[int, int, str]] = set()
    for i, spec in enumerate(graph.layers):
        if i in hidden:
            continue
        for blob in spec.bottoms:
            src = source(blob)
            if src is not None and (src, i, blob) not in seen:
                seen.add((src, i, blob))
                edges.append(DisplayEdge(src, i, blob))
    layout = layout_graph([LayoutNode(n.id, n.width, n.height) for n in nodes.values()],
                          [LayoutEdge(e.src, e.dst) for e in edges])
    return DisplayGraph(nodes, tuple(edges), layout, hidden)
