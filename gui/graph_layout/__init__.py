"""Layered (Sugiyama) layout of a model graph, drawn top to bottom like Netron. Pure Python, no Qt.

    layout = layout_graph([LayoutNode(0, 90, 26), LayoutNode(1, 90, 26)], [LayoutEdge(0, 1)])
    layout.nodes[1].y, layout.edges[0].points

Pipeline, one module per step: ranks (cycle breaking, rank assignment), layered (dummy nodes),
ordering (crossing minimisation), coordinates (x placement), routing (y and edge polylines), layout
(validation, components, assembly).
"""
from __future__ import annotations

from .layout import layout_graph
from .records import EdgeRoute, GraphLayoutError, Layout, LayoutEdge, LayoutNode, NodePlacement

__all__ = ["EdgeRoute", "GraphLayoutError", "Layout", "LayoutEdge", "LayoutNode", "NodePlacement", "layout_graph"]
