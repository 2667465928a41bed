"""The layout's inputs and outputs: frozen values, so the GUI state can hold them without copying."""
from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class LayoutNode:
    id: int
    width: float
    height: float


@dataclass(frozen=True)
class LayoutEdge:
    src: int  # data flows src -> dst
    dst: int


@dataclass(frozen=True)
class NodePlacement:
    id: int
    x: float  # top-left corner
    y: float
    width: float
    height: float
    rank: int  # layer index within the node's connected component, 0 at the top


@dataclass(frozen=True)
class EdgeRoute:
    """A polyline the view may smooth into a spline.

    For a normal edge it runs from the bottom-centre of `src` down to the top-centre of `dst`, through one
    point per rank the edge crosses. An edge that had to be reversed to break a cycle runs upwards instead:
    from the top-centre of `src` to the bottom-centre of `dst`.
    """

    src: int
    dst: int
    points: tuple[tuple[float, float], ...]


@dataclass(frozen=True)
class Layout:
    nodes: dict[int, NodePlacement]
    edges: tuple[EdgeRoute, ...]  # one per distinct (src, dst) pair, self-loops left out, in input order
    width: float
    height: float


class GraphLayoutError(ValueError):
    """The input names a node twice or an edge names a node that is not there."""
