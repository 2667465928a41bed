"""The int8 lab panel: one calibrated blob's 2048-bin histogram with every method's threshold, the
KL divergence curve, the chosen threshold as a draggable line, the layer's method / fp32 choice, and
the per-layer FP32-vs-int8 error chart of the last comparison."""
from __future__ import annotations

import math

import numpy as np
import pyqtgraph as pg
from PySide6.QtCore import Qt, Signal
from PySide6.QtWidgets import (
    QCheckBox, QComboBox, QHBoxLayout, QLabel, QSplitter, QTableWidget, QTableWidgetItem, QVBoxLayout, QWidget,
)

from profiler.calibration.calibrate import METHODS

from ..state.int8_lab import Int8Lab

METHOD_COLOURS = {"kl": "#d62728", "aciq": "#2ca02c", "eq": "#9467bd", "max": "#7f7f7f", "percentile": "#ff7f0e"}
CHOSEN_COLOUR = "#1f77b4"
ERROR_METRICS = ("cosine", "snr_db", "max_abs", "mean_abs", "rel_l2")


class Int8View(QWidget):
    layer_changed = Signal(str)
    choice_changed = Signal(str)  # a layer's method/threshold/fp32 changed: the comparison should re-run

    def __init__(self) -> None:
        super().__init__()
        self.lab: Int8Lab | None = None
        self.layer: str | None = None
        self._updating = False
        self.title = QLabel("Calibrate the model (Int8 > Calibrate…) to see its blobs' histograms.")
        self.title.setWordWrap(True)
        self.layer_box = QComboBox()
        self.layer_box.currentTextChanged.connect(self._layer_picked)
        self.method_box = QComboBox()
        self.method_box.addItems(list(METHODS))
        self.method_box.currentTextChanged.connect(self._method_picked)
        self.fp32_box = QCheckBox("keep in fp32")
        self.fp32_box.toggled.connect(self._fp32_toggled)
        self.log_box = QCheckBox("log scale")
        self.log_box.setChecked(True)
        self.log_box.toggled.connect(lambda on: self.hist.setLogMode(y=on))
        self.info = QLabel("")
        self.info.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        controls = QHBoxLayout()
        for w in (QLabel("layer"), self.layer_box, QLabel("method"), self.method_box, self.fp32_box, self.log_box):
            controls.addWidget(w)
        controls.addStretch(1)
        self.hist = pg.PlotWidget(background="w")
        self.hist.setLabel("bottom", "|x|")
        self.hist.setLabel("left", "count")
        self.hist.setLogMode(y=True)
        self.hist.addLegend(offset=(-10, 10))
        self.kl = pg.PlotWidget(background="w")
        self.kl.setLabel("left", "KL divergence")
        self.kl.setLabel("bottom", "threshold |x|")
        self.kl.setXLink(self.hist)
        self.chosen_line: pg.InfiniteLine | None = None
        self.metric_box = QComboBox()
        self.metric_box.addItems(list(ERROR_METRICS))
        self.metric_box.currentTextChanged.connect(lambda _: self.show_comparison())
        self.mode_box = QComboBox()
        self.mode_box.addItems(["accumulated", "isolated"])
        self.mode_box.currentTextChanged.connect(lambda _: self.show_comparison())
        self.errors = pg.PlotWidget(background="w")
        self.errors.setLabel("bottom", "layer (execution order)")
        self.error_table = QTableWidget()
        self.error_table.setColumnCount(7)
        self.error_table.setHorizontalHeaderLabels(["layer", "type", "int8", "cosine", "SNR dB", "max |Δ|", "rel L2"])
        self.error_table.verticalHeader().setVisible(False)
        self.error_table.cellClicked.connect(lambda r, _c: self._row_clicked(r))
        self.summary = QLabel("")
        self.summary.setWordWrap(True)
        err_controls = QHBoxLayout()
        for w in (QLabel("error"), self.metric_box, self.mode_box):
            err_controls.addWidget(w)
        err_controls.addStretch(1)
        err_box = QWidget()
        el = QVBoxLayout(err_box)
        el.setContentsMargins(0, 0, 0, 0)
        el.addLayout(err_controls)
        el.addWidget(self.summary)
        el.addWidget(self.errors, 1)
        el.addWidget(self.error_table, 1)
        plots = QSplitter(Qt.Orientation.Vertical)
        plots.addWidget(self.hist)
        plots.addWidget(self.kl)
        plots.setSizes([200, 100])
        split = QSplitter(Qt.Orientation.Horizontal)  # a wide bottom dock: histogram | errors
        split.addWidget(plots)
        split.addWidget(err_box)
        split.setSizes([500, 500])
        layout = QVBoxLayout(self)
        layout.setContentsMargins(4, 4, 4, 4)
        layout.addWidget(self.title)
        layout.addLayout(controls)
        layout.addWidget(self.info)
        layout.addWidget(split, 1)

    # -- model -> view ---------------------------------------------------------------------------
    def set_lab(self, lab: Int8Lab | None) -> None:
        self.lab = lab
        self._updating = True
        self.layer_box.clear()
        if lab is not None:
            self.layer_box.addItems(lab.layers())
            self.title.setText(f"Calibrated with '{lab.result.method}' on {len(lab.result.stats.samples)} "
                               f"inputs: {len(lab.layers())} quantisable layers.")
        self._updating = False
        self.show_layer(lab.layers()[0] if lab and lab.layers() else None)
        self.show_comparison()

    def show_layer(self, layer: str | None) -> None:
        self.layer = layer
        self.hist.clear()
        self.kl.clear()
        self.chosen_line = None
        if self.lab is None or layer is None:
            self.info.setText("")
            return
        self._updating = True
        self.layer_box.setCurrentText(layer)
        self.method_box.setCurrentText(self.lab.method(layer) if self.lab.method(layer) in METHODS
                                       else self.lab.result.method)
        self.fp32_box.setChecked(self.lab.choices[layer].fp32)
        self._updating = False
        blob = self.lab.blob(layer)
        edges = np.arange(len(blob.histogram) + 1) * blob.bin_width
        counts = np.maximum(blob.histogram.astype(np.float64), 0.5)  # log scale: empty bins at 0.5
        self.hist.plot(edges, counts, stepMode="center", fillLevel=None, pen=pg.mkPen("#555555"))
        for method, value in sorted(blob.thresholds.items()):
            if math.isfinite(value):
                line = pg.InfiniteLine(value, angle=90, pen=pg.mkPen(METHOD_COLOURS.get(method, "#000"), width=1,
                                                                       style=Qt.PenStyle.DashLine),
                                       label=method, labelOpts={"position": 0.9, "color": METHOD_COLOURS.get(method)})
                self.hist.addItem(line)
        self.chosen_line = pg.InfiniteLine(self.lab.threshold(layer), angle=90, movable=True,
                                           pen=pg.mkPen(CHOSEN_COLOUR, width=2), label="chosen",
                                           labelOpts={"position": 0.75, "color": CHOSEN_COLOUR})
        self.chosen_line.sigPositionChangeFinished.connect(self._line_dragged)
        self.hist.addItem(self.chosen_line)
        if blob.kl_curve is not None:
            self.kl.plot(blob.kl_candidates(), blob.kl_curve, pen=pg.mkPen(METHOD_COLOURS["kl"]))
            if "kl" in blob.thresholds:
                self.kl.addItem(pg.InfiniteLine(blob.thresholds["kl"], angle=90,
                                                pen=pg.mkPen(METHOD_COLOURS["kl"], style=Qt.PenStyle.DashLine)))
        self._show_info()

    def _show_info(self) -> None:
        if self.lab is None or self.layer is None:
            return
        blob, layer = self.lab.blob(self.layer), self.layer
        parts = [f"blob '{blob.blob}'  max |x| {blob.absmax:.5g}",
                 f"threshold {self.lab.threshold(layer):.5g} ({self.lab.method(layer)})",
                 f"scale {127.0 / max(self.lab.threshold(layer), 1e-30):.5g}",
                 f"clipped {100 * self.lab.clipped(layer):.4f} %"]
        if self.lab.choices[layer].fp32:
            parts.append("kept in fp32")
        self.info.setText("   ".join(parts))

    def show_comparison(self) -> None:
        self.errors.clear()
        self.error_table.setRowCount(0)
        lab = self.lab
        if lab is None or lab.comparison is None:
            self.summary.setText("The comparison on the current image appears here after a run.")
            return
        metric, mode = self.metric_box.currentText(), self.mode_box.currentText()
        rows = [r for r in lab.comparison.comparison.rows if r.metrics(mode) is not None]
        values = np.array([lab.error_of(r, metric, mode) for r in rows], np.float64)
        finite = np.where(np.isfinite(values), values, 0.0)
        brushes = [pg.mkBrush("#d62728" if lab.bound.crossed(r.metrics(mode)) else "#3a6ea5") for r in rows]
        self.errors.addItem(pg.BarGraphItem(x=np.arange(len(rows)), height=finite, width=0.8, brushes=brushes))
        self.errors.setLabel("left", metric)
        first = lab.first_bad(mode)
        self.summary.setText(
            f"{len(lab.comparison.comparison.quantised)} layers int8. " +
            (f"First layer over the bound ({lab.bound.describe()}): '{first.layer}' ({first.type})."
             if first else f"No layer crosses the bound ({lab.bound.describe()})."))
        self.error_table.setRowCount(len(rows))
        for i, r in enumerate(rows):
            m = r.metrics(mode)
            cells = [r.layer, r.type, "yes" if r.quantised else "", f"{m.cosine:.6f}", f"{m.snr_db:.2f}",
                     f"{m.max_abs:.4g}", f"{m.rel_l2:.4g}"]
            for c, text in enumerate(cells):
                self.error_table.setItem(i, c, QTableWidgetItem(text))
        self._rows = rows

    # -- view -> model ----------------------------------------------------------------------------
    def _layer_picked(self, layer: str) -> None:
        if not self._updating and layer:
            self.show_layer(layer)
            self.layer_changed.emit(layer)

    def _method_picked(self, method: str) -> None:
        if self._updating or self.lab is None or self.layer is None:
            return
        try:
            self.lab.set_method(self.layer, method)
        except ValueError as e:
            self.info.setText(str(e))
            return
        self.show_layer(self.layer)
        self.choice_changed.emit(self.layer)

    def _fp32_toggled(self, on: bool) -> None:
        if self._updating or self.lab is None or self.layer is None:
            return
        self.lab.set_fp32(self.layer, on)
        self._show_info()
        self.choice_changed.emit(self.layer)

    def _line_dragged(self) -> None:
        if self.lab is None or self.layer is None or self.chosen_line is None:
            return
        self.lab.set_threshold(self.layer, float(self.chosen_line.value()))
        self.chosen_line.setValue(self.lab.threshold(self.layer))
        self._show_info()
        self.choice_changed.emit(self.layer)

    def _row_clicked(self, row: int) -> None:
        rows = getattr(self, "_rows", [])
        if 0 <= row < len(rows):
            self.layer_changed.emit(rows[row].layer)
