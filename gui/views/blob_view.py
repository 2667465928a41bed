"""A blob: its channels as a colour-mapped grid, one channel enlarged with the value under the cursor,
statistics, a histogram, the numbers, and saving as .npy / .png."""
from __future__ import annotations

from pathlib import Path

import numpy as np
import pyqtgraph as pg
from PySide6.QtCore import Qt
from PySide6.QtGui import QImage
from PySide6.QtWidgets import (
    QCheckBox, QComboBox, QFileDialog, QHBoxLayout, QLabel, QPushButton, QSpinBox, QSplitter, QTableWidget,
    QTableWidgetItem, QTabWidget, QVBoxLayout, QWidget,
)

from profiler.stats import blob_stats, histogram

from ..state.blob_images import COLOUR_MAPS, Mosaic, as_channels, channel_mosaic, colourise, normalise
from ..state.session import Session

MAX_NUMBERS = 64  # rows/cols of the numbers table


def rgb_qimage(rgb: np.ndarray) -> QImage:
    rgb = np.ascontiguousarray(rgb)
    h, w, _ = rgb.shape
    return QImage(rgb.data, w, h, 3 * w, QImage.Format.Format_RGB888).copy()


class BlobView(QWidget):
    def __init__(self, session: Session) -> None:
        super().__init__()
        self.session = session
        self.name: str | None = None
        self.blob: np.ndarray | None = None
        self.mosaic: Mosaic | None = None
        self.title = QLabel("Select a blob (an edge, or a layer's output) after a run.")
        self.title.setWordWrap(True)
        self.stats = QLabel("")
        self.stats.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        self.cmap = QComboBox()
        self.cmap.addItems(list(COLOUR_MAPS))
        self.per_channel = QCheckBox("per-channel scaling")
        self.per_channel.setChecked(True)
        self.channel = QSpinBox()
        self.channel.setPrefix("channel ")
        save_npy, save_png = QPushButton("Save .npy"), QPushButton("Save .png")
        save_npy.clicked.connect(lambda: self._save("npy"))
        save_png.clicked.connect(lambda: self._save("png"))
        for w in (self.cmap, self.per_channel):
            (w.currentIndexChanged if isinstance(w, QComboBox) else w.toggled).connect(lambda *_: self.redraw())
        self.channel.valueChanged.connect(lambda *_: self.show_channel())
        controls = QHBoxLayout()
        for w in (self.cmap, self.per_channel, self.channel, save_npy, save_png):
            controls.addWidget(w)
        controls.addStretch(1)
        self.grid = pg.ImageView()  # mosaic
        self.grid.ui.histogram.hide(), self.grid.ui.roiBtn.hide(), self.grid.ui.menuBtn.hide()
        self.grid.getView().scene().sigMouseClicked.connect(self._grid_clicked)
        self.zoom = pg.PlotWidget(background="w")
        self.zoom.setAspectLocked(True)
        self.zoom.invertY(True)
        self.zoom_image = pg.ImageItem(axisOrder="row-major")
        self.zoom.addItem(self.zoom_image)
        self.zoom.scene().sigMouseMoved.connect(self._hover)
        self.value = QLabel(" ")
        self.hist = pg.PlotWidget(background="w")
        self.hist.setLabel("bottom", "value")
        self.hist.setLabel("left", "count")
        self.numbers = QTableWidget()
        zoom_box = QWidget()
        zl = QVBoxLayout(zoom_box)
        zl.setContentsMargins(0, 0, 0, 0)
        zl.addWidget(self.zoom)
        zl.addWidget(self.value)
        tabs = QTabWidget()
        tabs.addTab(self.hist, "Histogram")
        tabs.addTab(self.numbers, "Numbers")
        top = QSplitter(Qt.Orientation.Horizontal)
        top.addWidget(self.grid)
        top.addWidget(zoom_box)
        split = QSplitter(Qt.Orientation.Vertical)
        split.addWidget(top)
        split.addWidget(tabs)
        split.setSizes([320, 160])
        layout = QVBoxLayout(self)
        layout.setContentsMargins(4, 4, 4, 4)
        layout.addWidget(self.title)
        layout.addWidget(self.stats)
        self.body = QWidget()  # hidden until there is a blob: no empty plots on start
        body_layout = QVBoxLayout(self.body)
        body_layout.setContentsMargins(0, 0, 0, 0)
        body_layout.addLayout(controls)
        body_layout.addWidget(split)
        self.body.hide()
        layout.addWidget(self.body, 100)
        layout.addStretch(1)
        session.subscribe("selection", lambda layer, blob: self.show_blob(blob))
        session.subscribe("run", lambda run: self.show_blob(session.selected_blob))

    def show_blob(self, name: str | None) -> None:
        blob = self.session.blob(name) if name else None
        self.name, self.blob = name, blob
        if blob is None:
            self.title.setText(f"Blob '{name}': run the model to see it." if name else
                               "Select a blob (an edge, or a layer's output) after a run.")
            self.stats.setText("")
            self.grid.clear(), self.zoom_image.clear(), self.hist.clear()
            self.numbers.setRowCount(0)
            self.body.hide()
            return
        self.body.show()
        s = blob_stats(name, blob)
        self.title.setText(f"Blob '{name}'  shape {'×'.join(map(str, blob.shape))}  {blob.dtype}")
        self.stats.setText(f"min {s.min:.6g}   max {s.max:.6g}   mean {s.mean:.6g}   std {s.std:.6g}   "
                           f"zeros {s.zeros_pct:.1f}%   NaN {s.nan_count}   Inf {s.inf_count}")
        counts, edges = histogram(blob, 128)
        self.hist.clear()
        self.hist.plot(edges, counts, stepMode="center", fillLevel=0, brush=(58, 110, 165, 120))
        self.channel.setRange(0, as_channels(blob).shape[0] - 1)
        self.redraw()

    def redraw(self) -> None:
        if self.blob is None:
            return
        self.mosaic = channel_mosaic(self.blob, self.per_channel.isChecked(), self.cmap.currentText())
        self.grid.setImage(self.mosaic.image, axes={"x": 1, "y": 0, "c": 2}, autoLevels=False, levels=(0, 255))
        self.show_channel()

    def show_channel(self) -> None:
        if self.blob is None:
            return
        ch = as_channels(self.blob)[self.channel.value()]
        unit = normalise(ch[None], True, symmetric=self.cmap.currentText() == "diverging")[0]
        self.zoom_image.setImage(colourise(unit, self.cmap.currentText()), levels=(0, 255))
        self._fill_numbers(ch)

    def _fill_numbers(self, ch: np.ndarray) -> None:
        h, w = min(ch.shape[0], MAX_NUMBERS), min(ch.shape[1], MAX_NUMBERS)
        self.numbers.setRowCount(h)
        self.numbers.setColumnCount(w)
        for y in range(h):
            for x in range(w):
                self.numbers.setItem(y, x, QTableWidgetItem(f"{ch[y, x]:.4g}"))

    def _grid_clicked(self, event) -> None:  # noqa: ANN001 - pyqtgraph event
        if self.mosaic is None:
            return
        p = self.grid.getImageItem().mapFromScene(event.scenePos())
        c = self.mosaic.channel_at(p.x(), p.y())
        if c is not None:
            self.channel.setValue(c)

    def _hover(self, pos) -> None:  # noqa: ANN001 - QPointF from pyqtgraph
        if self.blob is None:
            return
        p = self.zoom_image.mapFromScene(pos)
        ch = as_channels(self.blob)[self.channel.value()]
        x, y = int(p.x()), int(p.y())
        if 0 <= y < ch.shape[0] and 0 <= x < ch.shape[1]:
            self.value.setText(f"channel {self.channel.value()}  y {y}  x {x}  value {ch[y, x]:.6g}")

    def _save(self, kind: str) -> None:
        if self.blob is None or self.name is None:
            return
        safe = "".join(c if c.isalnum() or c in "-_." else "_" for c in self.name)
        path, _ = QFileDialog.getSaveFileName(self, f"Save blob as .{kind}", f"{safe}.{kind}")
        if path:
            self.save_to(Path(path), kind)

    def save_to(self, path: Path, kind: str) -> None:
        if self.blob is None:
            return
        if kind == "npy":
            np.save(path, np.asarray(self.blob))
        elif self.mosaic is not None:
            rgb_qimage(self.mosaic.image).save(str(path))
