"""CPU vs Vulkan for one model: per-layer medians side by side (sortable), where each layer ran on the
Vulkan side, and where the Vulkan wall time went (GPU layers, fallbacks, transfers, waits)."""
from __future__ import annotations

from typing import Any

import numpy as np
import pyqtgraph as pg
from PySide6.QtCore import QAbstractTableModel, QModelIndex, QSortFilterProxyModel, Qt
from PySide6.QtWidgets import QLabel, QSplitter, QTableView, QVBoxLayout, QWidget

from ..state.backends import BackendComparison, LayerPair

COLUMNS = ["#", "layer", "type", "CPU ms", "Vulkan ms", "Vulkan / CPU", "ran on"]
SORT_ROLE = Qt.ItemDataRole.UserRole + 1


class _PairsModel(QAbstractTableModel):
    def __init__(self) -> None:
        super().__init__()
        self.rows: list[LayerPair] = []

    def set_rows(self, rows: list[LayerPair]) -> None:
        self.beginResetModel()
        self.rows = rows
        self.endResetModel()

    def rowCount(self, parent: QModelIndex = QModelIndex()) -> int:  # noqa: B008 - Qt signature
        return len(self.rows)

    def columnCount(self, parent: QModelIndex = QModelIndex()) -> int:  # noqa: B008
        return len(COLUMNS)

    def headerData(self, section: int, orientation: Qt.Orientation, role: int = Qt.ItemDataRole.DisplayRole) -> Any:
        if role == Qt.ItemDataRole.DisplayRole and orientation == Qt.Orientation.Horizontal:
            return COLUMNS[section]
        return None

    def data(self, index: QModelIndex, role: int = Qt.ItemDataRole.DisplayRole) -> Any:
        r = self.rows[index.row()]
        values = (r.index, r.name, r.type, r.cpu_ms, r.vulkan_ms, r.ratio, r.ran_on)
        v = values[index.column()]
        if role == SORT_ROLE:
            return v if v is not None else float("inf")
        if role == Qt.ItemDataRole.UserRole:
            return r.index
        if role == Qt.ItemDataRole.DisplayRole:
            if isinstance(v, float):
                return f"{v:.3f}" if index.column() != 5 else f"{v:.2f}×"
            return "" if v is None else str(v)
        if role == Qt.ItemDataRole.TextAlignmentRole and index.column() in (0, 3, 4, 5):
            return int(Qt.AlignmentFlag.AlignRight | Qt.AlignmentFlag.AlignVCenter)
        return None


class BackendView(QWidget):
    def __init__(self) -> None:
        super().__init__()
        self.comparison: BackendComparison | None = None
        self.summary = QLabel("Run > Compare CPU and Vulkan times every layer on both backends.")
        self.summary.setWordWrap(True)
        self.model = _PairsModel()
        self.proxy = QSortFilterProxyModel(self)
        self.proxy.setSourceModel(self.model)
        self.proxy.setSortRole(SORT_ROLE)
        self.table = QTableView()
        self.table.setModel(self.proxy)
        self.table.setSortingEnabled(True)
        self.table.verticalHeader().setVisible(False)
        self.plot = pg.PlotWidget(background="w")
        self.plot.setLabel("left", "median ms")
        self.plot.setLabel("bottom", "layer (execution order)")
        self.plot.addLegend()
        split = QSplitter(Qt.Orientation.Horizontal)
        split.addWidget(self.table)
        split.addWidget(self.plot)
        split.setSizes([700, 600])
        layout = QVBoxLayout(self)
        layout.setContentsMargins(4, 4, 4, 4)
        layout.addWidget(self.summary)
        layout.addWidget(split, 1)

    def show_comparison(self, c: BackendComparison | None) -> None:
        self.comparison = c
        self.model.set_rows(list(c.rows) if c else [])
        self.plot.clear()
        if c is None:
            return
        self.table.sortByColumn(0, Qt.SortOrder.AscendingOrder)  # execution order first
        self.table.resizeColumnsToContents()
        x = np.arange(len(c.rows))
        cpu = np.array([r.cpu_ms for r in c.rows])
        gpu = np.array([r.vulkan_ms if r.vulkan_ms is not None else 0.0 for r in c.rows])
        self.plot.addItem(pg.BarGraphItem(x=x - 0.2, height=cpu, width=0.4, brush="#3a6ea5", name="CPU"))
        self.plot.addItem(pg.BarGraphItem(x=x + 0.2, height=gpu, width=0.4, brush="#d95f02", name="Vulkan"))
        v = c.vulkan
        fallbacks = sum(1 for r in c.rows if r.ran_on and r.ran_on != "vulkan")
        parts = ", ".join(f"{name} {stats.median:.2f}" for name, stats in v.overheads.items() if stats.median >= 0.01)
        device = v.environment.get("device") or v.environment.get("vulkan_fallback", "?")
        self.summary.setText(
            f"Wall median: CPU {c.cpu.wall.median:.2f} ms, Vulkan {v.wall.median:.2f} ms on {device} "
            f"({c.cpu.repeats} runs each). {len(c.rows) - fallbacks} layers on the GPU, {fallbacks} on the CPU "
            f"(fallback). Vulkan overheads (median ms): {parts or 'none'}.")
