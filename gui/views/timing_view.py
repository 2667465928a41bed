"""Per-layer timing: a sortable table, a bar chart in execution order and a per-type summary."""
from __future__ import annotations

from math import prod
from typing import Any

import numpy as np
import pyqtgraph as pg
from PySide6.QtCore import QAbstractTableModel, QModelIndex, QSortFilterProxyModel, Qt
from PySide6.QtWidgets import QAbstractItemView, QLabel, QSplitter, QTableView, QTabWidget, QVBoxLayout, QWidget

from profiler.records import LayerRecord, RunProfile

from ..state.session import Session

COLUMNS = ("#", "layer", "type", "median ms", "min ms", "p95 ms", "% total", "output shape", "MMACs", "params")
SORT_ROLE = Qt.ItemDataRole.UserRole + 1


class LayerTimingTableModel(QAbstractTableModel):
    def __init__(self) -> None:
        super().__init__()
        self.profile: RunProfile | None = None
        self.rows: list[LayerRecord] = []

    def set_profile(self, profile: RunProfile | None) -> None:
        self.beginResetModel()
        self.profile = profile
        self.rows = list(profile.layers) if profile else []
        self.endResetModel()

    def rowCount(self, parent: QModelIndex = QModelIndex()) -> int:  # noqa: B008 - Qt signature
        return 0 if parent.isValid() else len(self.rows)

    def columnCount(self, parent: QModelIndex = QModelIndex()) -> int:  # noqa: B008
        return len(COLUMNS)

    def headerData(self, section: int, orientation: Qt.Orientation, role: int = Qt.ItemDataRole.DisplayRole) -> Any:
        if role == Qt.ItemDataRole.DisplayRole and orientation == Qt.Orientation.Horizontal:
            return COLUMNS[section]
        return None

    def values(self, r: LayerRecord) -> tuple[Any, ...]:
        share = self.profile.share(r) if self.profile else 0.0
        shape = r.output_shapes[0] if r.output_shapes else ()
        return (r.index, r.name, r.type, r.timing.median, r.timing.min, r.timing.p95, share,
                shape, r.macs / 1e6, r.weight_count)

    def data(self, index: QModelIndex, role: int = Qt.ItemDataRole.DisplayRole) -> Any:
        if not index.isValid():
            return None
        r = self.rows[index.row()]
        value = self.values(r)[index.column()]
        if role == SORT_ROLE:
            return prod(value) if isinstance(value, tuple) else value
        if role == Qt.ItemDataRole.DisplayRole:
            if isinstance(value, float):
                return f"{value:.3f}" if index.column() < 6 else f"{value:.1f}"
            if isinstance(value, tuple):
                return "×".join(map(str, value))
            return str(value)
        if role == Qt.ItemDataRole.TextAlignmentRole and index.column() >= 3:
            return int(Qt.AlignmentFlag.AlignRight | Qt.AlignmentFlag.AlignVCenter)
        if role == Qt.ItemDataRole.UserRole:
            return r.index
        return None


class TypeSummaryTableModel(QAbstractTableModel):
    HEADERS = ("type", "layers", "median ms (sum)", "% total")

    def __init__(self) -> None:
        super().__init__()
        self.rows: list[tuple[str, int, float, float]] = []

    def set_profile(self, profile: RunProfile | None) -> None:
        self.beginResetModel()
        total = profile.layer_total_ms if profile else 0.0
        self.rows = [(t, n, ms, 100 * ms / total if total else 0.0) for t, n, ms in profile.by_type()] if profile else []
        self.endResetModel()

    def rowCount(self, parent: QModelIndex = QModelIndex()) -> int:  # noqa: B008
        return 0 if parent.isValid() else len(self.rows)

    def columnCount(self, parent: QModelIndex = QModelIndex()) -> int:  # noqa: B008
        return 4

    def headerData(self, section: int, orientation: Qt.Orientation, role: int = Qt.ItemDataRole.DisplayRole) -> Any:
        if role == Qt.ItemDataRole.DisplayRole and orientation == Qt.Orientation.Horizontal:
            return self.HEADERS[section]
        return None

    def data(self, index: QModelIndex, role: int = Qt.ItemDataRole.DisplayRole) -> Any:
        if role != Qt.ItemDataRole.DisplayRole or not index.isValid():
            return None
        v = self.rows[index.row()][index.column()]
        return f"{v:.3f}" if isinstance(v, float) else str(v)


class TimingView(QWidget):
    def __init__(self, session: Session) -> None:
        super().__init__()
        self.session = session
        self.model = LayerTimingTableModel()
        self.proxy = QSortFilterProxyModel(self)
        self.proxy.setSourceModel(self.model)
        self.proxy.setSortRole(SORT_ROLE)
        self.table = QTableView()
        self.table.setModel(self.proxy)
        self.table.setSortingEnabled(True)
        self.table.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
        self.table.setSelectionMode(QAbstractItemView.SelectionMode.SingleSelection)
        self.table.verticalHeader().setVisible(False)
        self.table.clicked.connect(lambda idx: session.select_layer(self.proxy.data(idx, Qt.ItemDataRole.UserRole)))
        self.types = TypeSummaryTableModel()
        type_table = QTableView()
        type_table.setModel(self.types)
        type_table.verticalHeader().setVisible(False)
        self.plot = pg.PlotWidget(background="w")
        self.plot.setLabel("left", "median ms")
        self.plot.setLabel("bottom", "layer (execution order)")
        self.bars: pg.BarGraphItem | None = None
        self.summary = QLabel("Run the model to see per-layer timing.")
        self.summary.setWordWrap(True)
        tabs = QTabWidget()
        tabs.addTab(self.table, "Layers")
        tabs.addTab(type_table, "By type")
        split = QSplitter(Qt.Orientation.Vertical)
        split.addWidget(tabs)
        split.addWidget(self.plot)
        split.setSizes([300, 160])
        layout = QVBoxLayout(self)
        layout.setContentsMargins(4, 4, 4, 4)
        layout.addWidget(self.summary)
        layout.addWidget(split)
        session.subscribe("run", lambda run: self.show_profile(run.profile))
        session.subscribe("model", lambda model: self.show_profile(None))
        session.subscribe("selection", lambda layer, blob: self.select(layer))

    def show_profile(self, profile: RunProfile | None) -> None:
        self.model.set_profile(profile)
        self.types.set_profile(profile)
        self.table.sortByColumn(-1, Qt.SortOrder.AscendingOrder)
        self.table.resizeColumnsToContents()
        self.plot.clear()
        if profile is None:
            self.summary.setText("Run the model to see per-layer timing.")
            return
        w = profile.wall
        self.summary.setText(
            f"{len(profile.layers)} layers, {profile.backend}, {profile.threads} threads, {profile.repeats} runs "
            f"(+{profile.warmup} warm-up): wall min {w.min:.2f} / median {w.median:.2f} / p95 {w.p95:.2f} ms; "
            f"layers sum {profile.layer_total_ms:.2f} ms")
        heights = np.array([r.timing.median for r in profile.layers])
        self.bars = pg.BarGraphItem(x=np.arange(len(heights)), height=heights, width=0.8, brush="#3a6ea5")
        self.plot.addItem(self.bars)

    def select(self, layer: int | None) -> None:
        if layer is None:
            self.table.clearSelection()
            return
        for row in range(self.proxy.rowCount()):
            if self.proxy.data(self.proxy.index(row, 0), Qt.ItemDataRole.UserRole) == layer:
                self.table.selectRow(row)
                self.table.scrollTo(self.proxy.index(row, 0))
                return
