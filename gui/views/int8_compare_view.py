"""FP32 | int8 | |difference| of one blob side by side: the same channel, the same zoom (linked views),
one colour scale for FP32 and int8; and the final outputs of both runs side by side."""
from __future__ import annotations

import numpy as np
import pyqtgraph as pg
from PySide6.QtWidgets import QHBoxLayout, QLabel, QSpinBox, QVBoxLayout, QWidget

from profiler.stats import blob_stats

from ..state.blob_images import as_channels, colourise
from ..state.int8_lab import LabComparison
from ..state.outputs import interpret
from ..state.session import Session
from .output_view import image_label


def _unit(ch: np.ndarray, lo: float, hi: float) -> np.ndarray:
    span = hi - lo if hi > lo else 1.0
    return np.clip((ch.astype(np.float32) - lo) / span, 0, 1)


class Int8CompareView(QWidget):
    def __init__(self, session: Session) -> None:
        super().__init__()
        self.session = session
        self.comparison: LabComparison | None = None
        self.blob: str | None = None
        self.title = QLabel("Compare FP32 and int8 after a calibration (Int8 menu).")
        self.title.setWordWrap(True)
        self.channel = QSpinBox()
        self.channel.setPrefix("channel ")
        self.channel.valueChanged.connect(lambda _: self.redraw())
        self.plots: list[pg.PlotWidget] = []
        self.images: list[pg.ImageItem] = []
        row = QHBoxLayout()
        for caption in ("FP32", "int8", "|int8 - FP32|"):
            box = QVBoxLayout()
            box.addWidget(QLabel(caption))
            plot = pg.PlotWidget(background="w")
            plot.setMinimumSize(60, 40)  # small minimum: the view must not set the docks' height
            plot.setAspectLocked(True)
            plot.invertY(True)
            if self.plots:  # one pan/zoom for all three
                plot.setXLink(self.plots[0])
                plot.setYLink(self.plots[0])
            image = pg.ImageItem(axisOrder="row-major")
            plot.addItem(image)
            box.addWidget(plot)
            row.addLayout(box)
            self.plots.append(plot)
            self.images.append(image)
        self.stats = QLabel("")
        self.outputs = QLabel("")
        self.outputs.setWordWrap(True)
        self.outputs.setMinimumWidth(100)
        self.output_images = QWidget()  # image-to-image models: the FP32 and int8 outputs side by side
        self.output_images_layout = QHBoxLayout(self.output_images)
        self.output_images_layout.setContentsMargins(0, 0, 0, 0)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(4, 4, 4, 4)
        layout.addWidget(self.title)
        layout.addWidget(self.channel)
        layout.addLayout(row, 1)
        layout.addWidget(self.stats)
        layout.addWidget(QLabel("<b>Final outputs</b>"))
        layout.addWidget(self.outputs)
        layout.addWidget(self.output_images)
        session.subscribe("selection", lambda layer, blob: self.show_blob(blob))

    def set_comparison(self, comparison: LabComparison | None) -> None:
        self.comparison = comparison
        self.show_blob(self.blob or self.session.selected_blob)
        self._show_outputs()

    def pair(self, name: str | None) -> tuple[np.ndarray, np.ndarray] | None:
        c = self.comparison
        if c is None or name is None or name not in c.fp32_blobs or name not in c.int8_blobs:
            return None
        return c.fp32_blobs[name], c.int8_blobs[name]

    def show_blob(self, name: str | None) -> None:
        self.blob = name
        pair = self.pair(name)
        if pair is None:
            for image in self.images:
                image.clear()
            self.title.setText("Select a blob (an edge or a layer) to compare FP32 and int8." if self.comparison
                               else "Compare FP32 and int8 after a calibration (Int8 menu).")
            self.stats.setText("")
            return
        fp32, int8 = pair
        self.title.setText(f"Blob '{name}'  {'×'.join(map(str, fp32.shape))}")
        channels = as_channels(fp32)
        self.channel.setRange(0, channels.shape[0] - 1)
        # start on the channel where int8 is furthest from FP32: that is what the user is looking for
        diff = np.abs(as_channels(int8).astype(np.float32) - channels.astype(np.float32))
        worst = int(np.argmax(diff.reshape(diff.shape[0], -1).max(axis=1))) if diff.size else 0
        if self.channel.value() != worst:
            self.channel.setValue(worst)  # redraws
        else:
            self.redraw()
        self.plots[0].enableAutoRange()  # a new blob: fit it, and keep fitting on resizes until the user zooms

    def redraw(self) -> None:
        pair = self.pair(self.blob)
        if pair is None:
            return
        c = self.channel.value()
        a, b = as_channels(pair[0])[c], as_channels(pair[1])[c]
        diff = np.abs(b.astype(np.float32) - a.astype(np.float32))
        lo, hi = float(min(a.min(), b.min())), float(max(a.max(), b.max()))  # one scale for both
        self.images[0].setImage(colourise(_unit(a, lo, hi)), levels=(0, 255))
        self.images[1].setImage(colourise(_unit(b, lo, hi)), levels=(0, 255))
        self.images[2].setImage(colourise(_unit(diff, 0.0, float(diff.max())), "gray"), levels=(0, 255))
        s = blob_stats(self.blob or "", diff)
        self.stats.setText(f"channel {c}: FP32 range [{lo:.4g}, {hi:.4g}]   |Δ| max {s.max:.4g}  mean {s.mean:.4g}")

    def _show_outputs(self) -> None:
        c, model = self.comparison, self.session.model
        while self.output_images_layout.count():
            item = self.output_images_layout.takeAt(0)
            if item.widget():
                item.widget().deleteLater()
        self.output_image_captions: list[str] = []
        if c is None or model is None:
            self.outputs.setText("")
            return
        lines = []
        for name in model.net.output_names():
            if name not in c.fp32_blobs:
                continue
            views = [interpret({name: blobs[name]}, model.labels, self.session.preprocess)[0]
                     for blobs in (c.fp32_blobs, c.int8_blobs)]
            if views[0].kind == "classes":
                for rank, (f, q) in enumerate(zip(views[0].top, views[1].top), 1):
                    lines.append(f"{rank}.  FP32 {f[2]:.4f} {f[1]}   |   int8 {q[2]:.4f} {q[1]}")
            else:
                for side, view in (("FP32", views[0]), ("int8", views[1])):
                    if view.kind == "image" and view.image is not None:
                        caption = f"{side} '{name}'"
                        self.output_images_layout.addWidget(image_label(view.image, caption))
                        self.output_image_captions.append(caption)
                d = np.abs(c.int8_blobs[name].astype(np.float32) - c.fp32_blobs[name].astype(np.float32))
                lines.append(f"'{name}': max |int8 - FP32| {float(d.max()):.4g}, mean {float(d.mean()):.4g} "
                             "(select the blob to see both side by side)")
        self.outputs.setText("\n".join(lines))
