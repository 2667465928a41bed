"""Scene items of the graph view: a node card and an edge spline. Painting only, no state."""
from __future__ import annotations

from PySide6.QtCore import QPointF, QRectF, Qt
from PySide6.QtGui import QBrush, QColor, QFont, QPainter, QPainterPath, QPainterPathStroker, QPen, QPolygonF
from PySide6.QtWidgets import QGraphicsItem, QStyleOptionGraphicsItem, QWidget

from ..state.display_graph import DisplayNode

TITLE_FONT = QFont("DejaVu Sans", 8, QFont.Weight.Bold)
DETAIL_FONT = QFont("DejaVu Sans", 7)
LABEL_FONT = QFont("DejaVu Sans", 6)
TEXT_COLOUR = QColor("#1d1d1d")
EDGE_COLOUR = QColor("#7a7a7a")
SELECT_COLOUR = QColor("#f39c12")
MATCH_COLOUR = QColor("#16a085")
DETAIL_LOD = 0.45  # below this zoom, text is not drawn (the whole 1000-layer graph paints fast)


class NodeItem(QGraphicsItem):
    def __init__(self, node: DisplayNode, x: float, y: float) -> None:
        super().__init__()
        self.node = node
        self.setPos(x, y)
        self.rect = QRectF(0, 0, node.width, node.height)
        self.fill = QColor(node.colour)
        self.heat: QColor | None = None
        self.time_text = ""
        self.selected = False
        self.matched = False
        self.setFlag(QGraphicsItem.GraphicsItemFlag.ItemIsSelectable, False)
        self.setAcceptHoverEvents(True)
        self.setToolTip(f"{node.type} '{node.name}'\n{node.detail}")
        self.setZValue(1)

    def boundingRect(self) -> QRectF:
        return self.rect.adjusted(-3, -3, 3, 3)

    def paint(self, painter: QPainter, option: QStyleOptionGraphicsItem, widget: QWidget | None = None) -> None:
        lod = option.levelOfDetailFromTransform(painter.worldTransform())
        fill = self.heat if self.heat is not None else self.fill
        if self.selected:
            pen = QPen(SELECT_COLOUR, 3)
        elif self.matched:
            pen = QPen(MATCH_COLOUR, 3)
        elif not self.node.supported:
            pen = QPen(QColor("#c0392b"), 2, Qt.PenStyle.DashLine)
        else:
            pen = QPen(fill.darker(140), 1)
        painter.setPen(pen)
        painter.setBrush(QBrush(fill if lod < DETAIL_LOD else QColor("#fbfbfb")))
        painter.drawRoundedRect(self.rect, 4, 4)
        if lod < DETAIL_LOD:
            return
        header = QRectF(0, 0, self.rect.width(), 16)
        painter.setPen(Qt.PenStyle.NoPen)
        painter.setBrush(fill)
        path = QPainterPath()
        path.setFillRule(Qt.FillRule.WindingFill)  # the default odd-even rule would cancel the overlap
        path.addRoundedRect(header, 4, 4)
        path.addRect(QRectF(0, 8, self.rect.width(), 8))
        painter.drawPath(path.simplified())
        painter.setPen(QColor("white") if fill.lightness() < 150 else TEXT_COLOUR)
        painter.setFont(TITLE_FONT)
        title = self.node.type + (f"  {self.time_text}" if self.time_text else "")
        painter.drawText(header.adjusted(6, 0, -4, 0), Qt.AlignmentFlag.AlignVCenter | Qt.AlignmentFlag.AlignLeft,
                         title)
        painter.setPen(TEXT_COLOUR)
        painter.setFont(DETAIL_FONT)
        body = QRectF(6, 16, self.rect.width() - 10, self.rect.height() - 17)
        text = self.node.name + (f"\n{self.node.detail}" if self.node.detail else "")
        painter.drawText(body, Qt.AlignmentFlag.AlignLeft | Qt.AlignmentFlag.AlignVCenter, text)


class EdgeItem(QGraphicsItem):
    def __init__(self, points: tuple[tuple[float, float], ...], blob: str) -> None:
        super().__init__()
        self.blob = blob
        self.label = ""
        self.selected = False
        self.path = self._spline(points)
        self.end = QPointF(*points[-1])
        stroker = QPainterPathStroker()
        stroker.setWidth(8)
        self.hit = stroker.createStroke(self.path)
        self.bounds = self.path.boundingRect().adjusted(-6, -6, 60, 6)
        mid = points[len(points) // 2] if len(points) > 2 else ((points[0][0] + points[-1][0]) / 2,
                                                               (points[0][1] + points[-1][1]) / 2)
        self.mid = QPointF(*mid)
        self.setToolTip(blob)

    @staticmethod
    def _spline(points: tuple[tuple[float, float], ...]) -> QPainterPath:
        """Vertical-tangent cubic segments through the route points (Netron-like soft edges)."""
        path = QPainterPath(QPointF(*points[0]))
        for (x0, y0), (x1, y1) in zip(points, points[1:]):
            dy = (y1 - y0) * 0.5
            path.cubicTo(QPointF(x0, y0 + dy), QPointF(x1, y1 - dy), QPointF(x1, y1))
        return path

    def boundingRect(self) -> QRectF:
        return self.bounds

    def shape(self) -> QPainterPath:
        return self.hit

    def paint(self, painter: QPainter, option: QStyleOptionGraphicsItem, widget: QWidget | None = None) -> None:
        colour = SELECT_COLOUR if self.selected else EDGE_COLOUR
        painter.setPen(QPen(colour, 2.5 if self.selected else 1.2))
        painter.setBrush(Qt.BrushStyle.NoBrush)
        painter.drawPath(self.path)
        painter.setBrush(colour)
        e = self.end
        painter.drawPolygon(QPolygonF([e, QPointF(e.x() - 4, e.y() - 7), QPointF(e.x() + 4, e.y() - 7)]))
        lod = option.levelOfDetailFromTransform(painter.worldTransform())
        if self.label and lod >= DETAIL_LOD:
            painter.setFont(LABEL_FONT)
            painter.setPen(QColor("#555555"))
            painter.drawText(self.mid + QPointF(4, 3), self.label)
