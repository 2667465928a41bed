"""Everything a report shows, as plain data: one ReportBundle feeds every exporter."""
from __future__ import annotations

import datetime as _dt
from dataclasses import dataclass, field
from typing import Any

import numpy as np

from engine import Net
from engine.layer import UnknownLayer

from ..records import BlobStats, RunProfile
from ..stats import blob_stats

SCHEMA_VERSION = "1.0"


@dataclass(frozen=True)
class GraphNode:
    index: int
    type: str
    name: str
    detail: str
    x: float
    y: float
    width: float
    height: float
    supported: bool


@dataclass(frozen=True)
class GraphEdge:
    src: int
    dst: int
    blob: str
    points: tuple[tuple[float, float], ...]


@dataclass(frozen=True)
class GraphPicture:
    nodes: tuple[GraphNode, ...]
    edges: tuple[GraphEdge, ...]
    width: float
    height: float


@dataclass(frozen=True)
class ModelSummary:
    name: str
    param_path: str
    model_path: str
    layer_count: int
    blob_count: int
    inputs: tuple[str, ...]
    outputs: tuple[str, ...]
    type_counts: tuple[tuple[str, int], ...]
    unsupported: tuple[str, ...]


@dataclass(frozen=True)
class ReportBundle:
    model: ModelSummary
    profile: RunProfile
    graph: GraphPicture
    blobs: tuple[BlobStats, ...]
    created: str = field(default_factory=lambda: _dt.datetime.now(_dt.timezone.utc).isoformat(timespec="seconds"))
    int8: dict[str, Any] | None = None  # calibration histograms/thresholds and FP32-vs-int8 errors (int8 lab)


def summarise_model(net: Net, name: str) -> ModelSummary:
    counts: dict[str, int] = {}
    for layer in net.layers:
        counts[layer.spec.type] = counts.get(layer.spec.type, 0) + 1
    return ModelSummary(
        name=name, param_path=net.param_path, model_path=net.model_path, layer_count=len(net.layers),
        blob_count=len(net.blobs), inputs=tuple(net.input_names()), outputs=tuple(net.output_names()),
        type_counts=tuple(sorted(counts.items(), key=lambda kv: (-kv[1], kv[0]))),
        unsupported=tuple(layer.name for layer in net.layers if isinstance(layer, UnknownLayer)))


def picture_graph(net: Net) -> GraphPicture:
    # The layout is pure Python (gui/graph_layout, Qt-free); reports draw the same graph as the app.
    from gui.state.display_graph import build_display_graph

    display = build_display_graph(net)
    lay = display.layout
    nodes = tuple(GraphNode(n.id, n.type, n.name, n.detail, lay.nodes[n.id].x, lay.nodes[n.id].y,
                            n.width, n.height, n.supported) for n in display.nodes.values())
    routes = {(r.src, r.dst): r.points for r in lay.edges}
    edges = tuple(GraphEdge(e.src, e.dst, e.blob, tuple(routes.get((e.src, e.dst), ()))) for e in display.edges)
    return GraphPicture(nodes, edges, lay.width, lay.height)


def build_bundle(net: Net, profile: RunProfile, blobs: dict[str, np.ndarray], name: str,
                 int8: Any = None) -> ReportBundle:
    """`int8`: a profiler.int8_report.Int8Section (or its to_document() dict), or None."""
    order = [b.name for b in net.blobs if b.name in blobs]
    if hasattr(int8, "to_document"):
        int8 = int8.to_document()
    return ReportBundle(summarise_model(net, name), profile, picture_graph(net),
                        tuple(blob_stats(n, blobs[n]) for n in order), int8=int8)
