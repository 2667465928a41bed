"""The selected layer: params by ncnn name (defaults marked), weights with storage and statistics,
and its input/output blobs (clicking one shows it in the blob view)."""
from __future__ import annotations

import numpy as np
from PySide6.QtCore import Qt
from PySide6.QtGui import QFont
from PySide6.QtWidgets import QLabel, QTreeWidget, QTreeWidgetItem, QVBoxLayout, QWidget

from ..state.session import Session


def _fmt(value: object) -> str:
    if isinstance(value, float):
        return f"{value:g}"
    if isinstance(value, tuple):
        return ", ".join(_fmt(v) for v in value) if value else "[]"
    return str(value)


class InspectorView(QWidget):
    def __init__(self, session: Session) -> None:
        super().__init__()
        self.session = session
        self.title = QLabel("No layer selected")
        self.title.setFont(QFont("DejaVu Sans", 10, QFont.Weight.Bold))
        self.title.setWordWrap(True)
        self.tree = QTreeWidget()
        self.tree.setHeaderLabels(["", "value", "note"])
        self.tree.setColumnWidth(0, 170)
        self.tree.itemClicked.connect(self._clicked)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(4, 4, 4, 4)
        layout.addWidget(self.title)
        layout.addWidget(self.tree)
        session.subscribe("selection", lambda layer, blob: self.show_layer(layer))
        session.subscribe("run", lambda run: self.show_layer(session.selected_layer))
        session.subscribe("model", lambda model: self.show_layer(None))

    def show_layer(self, index: int | None) -> None:
        self.tree.clear()
        model = self.session.model
        if model is None or index is None:
            self.title.setText("No layer selected")
            return
        layer = model.net.layers[index]
        spec = layer.spec
        where = f" — line {spec.line}" if spec.line else ""
        self.title.setText(f"{spec.type} '{spec.name}'{where}")
        params = QTreeWidgetItem(self.tree, ["params"])
        declared = layer.param_values()
        for p in declared:
            QTreeWidgetItem(params, [f"{p.pid}  {p.name}", _fmt(p.value), "default" if p.is_default else "set"])
        known = {p.pid for p in declared}
        for pid, value in spec.params.items():
            if pid not in known:
                QTreeWidgetItem(params, [f"{pid}", value.display(), "not read by this layer"])
        params.setExpanded(True)
        weights = QTreeWidgetItem(self.tree, ["weights"])
        for info in model.net.weight_info(layer):
            w = layer.weights[info.name]
            stats = ""
            if w.size:
                f = w.astype(np.float32)
                stats = f"min {f.min():.4g}  max {f.max():.4g}  mean {f.mean():.4g}  std {f.std():.4g}"
            QTreeWidgetItem(weights, [info.name, f"{'×'.join(map(str, info.shape)) or 'scalar'}  {info.storage}",
                                      stats])
        weights.setExpanded(True)
        for label, names in (("inputs", spec.bottoms), ("outputs", spec.tops)):
            group = QTreeWidgetItem(self.tree, [label])
            for name in names:
                blob = self.session.blob(name)
                shape = "×".join(map(str, blob.shape)) if blob is not None else "(run to see)"
                item = QTreeWidgetItem(group, [name, shape, "click to inspect"])
                item.setData(0, Qt.ItemDataRole.UserRole, name)
            group.setExpanded(True)
        self.tree.resizeColumnToContents(1)

    def _clicked(self, item: QTreeWidgetItem, column: int) -> None:
        name = item.data(0, Qt.ItemDataRole.UserRole)
        if name:
            self.session.select_blob(name)
