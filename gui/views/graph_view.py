"""The model graph, drawn top to bottom: pan, zoom, fit, search, selection synced with the session,
blob shapes on edges after a run, and a heat overlay (colour by median time) with its legend."""
from __future__ import annotations

import math

from PySide6.QtCore import QPointF, QRectF, Qt, Signal
from PySide6.QtGui import QColor, QLinearGradient, QPainter, QTransform, QWheelEvent
from PySide6.QtWidgets import QGraphicsScene, QGraphicsView

from ..state.session import Session
from .graph_items import EdgeItem, NodeItem

# Heat palette from cool to hot (cheap layers pale, expensive ones deep red).
_HEAT = [QColor("#fff5eb"), QColor("#fdd0a2"), QColor("#fd8d3c"), QColor("#d94801"), QColor("#7f2704")]


READABLE_SCALE = 0.45  # below this node labels are too small to read


def heat_colour(fraction: float) -> QColor:
    f = min(max(fraction, 0.0), 1.0) * (len(_HEAT) - 1)
    i = min(int(f), len(_HEAT) - 2)
    a, b, t = _HEAT[i], _HEAT[i + 1], f - i
    return QColor(round(a.red() + (b.red() - a.red()) * t), round(a.green() + (b.green() - a.green()) * t),
                  round(a.blue() + (b.blue() - a.blue()) * t))


def shape_text(shape: tuple[int, ...]) -> str:
    return "×".join(str(d) for d in shape)


class GraphView(QGraphicsView):
    search_result = Signal(int, int)  # (position among matches, number of matches)

    def __init__(self, session: Session) -> None:
        super().__init__()
        self.session = session
        self.setScene(QGraphicsScene(self))
        self.setRenderHints(QPainter.RenderHint.Antialiasing | QPainter.RenderHint.TextAntialiasing)
        self.setDragMode(QGraphicsView.DragMode.ScrollHandDrag)
        self.setTransformationAnchor(QGraphicsView.ViewportAnchor.AnchorUnderMouse)
        self.setViewportUpdateMode(QGraphicsView.ViewportUpdateMode.SmartViewportUpdate)
        self.setBackgroundBrush(QColor("#f4f4f4"))
        self.nodes: dict[int, NodeItem] = {}
        self.edges: list[EdgeItem] = []
        self.heat_range: tuple[float, float] | None = None
        self.legend_title, self.legend_unit = "", ""
        self._matches: list[int] = []
        self._match_pos = -1
        session.subscribe("model", lambda model: self.rebuild())
        session.subscribe("run", lambda run: self.apply_run())
        session.subscribe("options", self.apply_colouring)
        session.subscribe("selection", lambda layer, blob: self.show_selection(layer, blob))

    # -- building ---------------------------------------------------------------------------
    def rebuild(self) -> None:
        scene = self.scene()
        scene.clear()
        self.nodes.clear()
        self.edges.clear()
        model = self.session.model
        if model is None:
            return
        layout = model.display.layout
        for nid, place in layout.nodes.items():
            item = NodeItem(model.display.nodes[nid], place.x, place.y)
            scene.addItem(item)
            self.nodes[nid] = item
        routes = {(r.src, r.dst): r.points for r in layout.edges}
        for edge in model.display.edges:
            points = routes.get((edge.src, edge.dst))
            if points and len(points) >= 2:
                item = EdgeItem(points, edge.blob)
                scene.addItem(item)
                self.edges.append(item)
        scene.setSceneRect(QRectF(-40, -40, layout.width + 80, layout.height + 80))
        self.apply_run()
        self.show_start()

    def apply_run(self) -> None:
        run = self.session.run
        for edge in self.edges:
            blob = run.blobs.get(edge.blob) if run else None
            edge.label = shape_text(blob.shape) if blob is not None else ""
        self.apply_colouring()

    def apply_colouring(self) -> None:
        run = self.session.run
        times = {r.index: r.timing.median for r in run.profile.layers} if run else {}
        errors = self._int8_errors() if self.session.colour_by_error else {}
        if errors:  # 1 - cosine of the accumulated comparison, linear
            values, self.legend_title, unit, curve = errors, "int8 error (1 − cosine)", "", lambda f: f
        else:  # sqrt scale: a few dominant layers should not wash out the rest
            values, self.legend_title, unit, curve = times, "median time per layer (√ scale)", " ms", math.sqrt
        show = bool(values) and (self.session.colour_by_time or bool(errors))
        self.heat_range = (min(values.values()), max(values.values())) if show else None
        self.legend_unit = unit
        hi = max(values.values(), default=0.0)
        for nid, item in self.nodes.items():
            t = times.get(nid)
            item.time_text = f"{t:.2f} ms" if t is not None else ""
            v = values.get(nid)
            item.heat = heat_colour(curve(v / hi)) if show and v is not None and hi > 0 else None
            item.update()
        self.viewport().update()

    def _int8_errors(self) -> dict[int, float]:
        lab = self.session.int8_lab
        if lab is None or lab.comparison is None:
            return {}
        out: dict[int, float] = {}
        for row in lab.comparison.comparison.rows:
            if row.accumulated is not None and math.isfinite(row.accumulated.cosine):
                out[row.index] = max(out.get(row.index, 0.0), 1.0 - row.accumulated.cosine)
        return out

    # -- interaction ------------------------------------------------------------------------
    def fit(self) -> None:
        rect = self.scene().itemsBoundingRect()
        if rect.isEmpty():
            return
        self.fitInView(rect, Qt.AspectRatioMode.KeepAspectRatio)
        if self.transform().m11() > 1.2:  # small graphs: don't blow them up
            self.resetTransform()
            self.centerOn(rect.center())

    def show_start(self) -> None:
        """First view of a model: the whole graph when it stays readable, else the top of the graph at a
        readable scale (fitting a 1000-layer model into a window makes every label a speck)."""
        rect = self.scene().itemsBoundingRect()
        if rect.isEmpty():
            return
        vw, vh = self.viewport().width(), self.viewport().height()
        if min(vw / rect.width(), vh / rect.height()) >= READABLE_SCALE:
            self.fit()
            return
        s = min(1.0, max(READABLE_SCALE, vw / rect.width()))
        self.setTransform(QTransform.fromScale(s, s))
        self.centerOn(rect.center().x(), rect.top() + vh / (2 * s))

    def zoom(self, factor: float) -> None:
        scale = self.transform().m11() * factor
        if 0.02 <= scale <= 8:
            self.scale(factor, factor)

    def wheelEvent(self, event: QWheelEvent) -> None:
        self.zoom(1.2 if event.angleDelta().y() > 0 else 1 / 1.2)

    def mousePressEvent(self, event) -> None:  # noqa: ANN001 - Qt signature
        item = self.itemAt(event.position().toPoint())
        if isinstance(item, NodeItem):
            self.session.select_layer(item.node.id)
        elif isinstance(item, EdgeItem):
            self.session.select_blob(item.blob)
        super().mousePressEvent(event)

    def show_selection(self, layer: int | None, blob: str | None) -> None:
        for nid, item in self.nodes.items():
            was, item.selected = item.selected, nid == layer
            if was != item.selected:
                item.update()
        for edge in self.edges:
            was, edge.selected = edge.selected, edge.blob == blob and layer is None
            if was != edge.selected:
                edge.update()
        if layer is not None and layer in self.nodes:
            self.ensureVisible(self.nodes[layer].sceneBoundingRect(), 80, 80)

    # -- search -------------------------------------------------------------------------------
    def search(self, text: str) -> list[int]:
        """Highlight layers whose name or type contains `text`; jump to the next match on repeats."""
        text = text.strip().lower()
        matches = sorted((nid for nid, item in self.nodes.items()
                          if text and (text in item.node.name.lower() or text in item.node.type.lower())),
                         key=lambda nid: (self.nodes[nid].y(), self.nodes[nid].x()))
        if matches != self._matches:
            self._matches, self._match_pos = matches, -1
            for nid, item in self.nodes.items():
                item.matched = nid in set(matches)
                item.update()
        if matches:
            self._match_pos = (self._match_pos + 1) % len(matches)
            target = matches[self._match_pos]
            self.session.select_layer(target)
            self.centerOn(self.nodes[target].sceneBoundingRect().center())
        self.search_result.emit(self._match_pos, len(matches))
        return matches

    # -- legend -------------------------------------------------------------------------------
    def drawForeground(self, painter: QPainter, rect: QRectF) -> None:
        if self.heat_range is None:
            return
        painter.save()
        painter.resetTransform()
        w, h = 240, 12
        x, y = self.viewport().width() - w - 16, 16
        grad = QLinearGradient(QPointF(x, 0), QPointF(x + w, 0))
        for i, c in enumerate(_HEAT):
            grad.setColorAt(i / (len(_HEAT) - 1), c)
        painter.setPen(QColor("#333333"))
        painter.setBrush(grad)
        painter.drawRect(QRectF(x, y + 14, w, h))
        lo, hi = self.heat_range
        painter.drawText(QRectF(x, y, w, 14), Qt.AlignmentFlag.AlignLeft, self.legend_title)
        painter.drawText(QRectF(x, y + 28, w, 14), Qt.AlignmentFlag.AlignLeft, f"{lo:.3g}{self.legend_unit}")
        painter.drawText(QRectF(x, y + 28, w, 14), Qt.AlignmentFlag.AlignRight, f"{hi:.3g}{self.legend_unit}")
        painter.restore()
