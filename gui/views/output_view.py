"""Final outputs: top-5 with labels for a classifier, input | output images for image-to-image models,
and the tensor summary for anything else."""
from __future__ import annotations

from PySide6.QtCore import Qt
from PySide6.QtGui import QPixmap
from PySide6.QtWidgets import QHBoxLayout, QLabel, QScrollArea, QVBoxLayout, QWidget

from profiler.stats import blob_stats

from ..state.outputs import OutputView, to_display_image
from ..state.session import RunResult, Session
from .blob_view import rgb_qimage

PREVIEW = 200  # two previews side by side fit the dock


def image_label(rgb, caption: str) -> QWidget:  # noqa: ANN001 - ndarray
    box = QWidget()
    layout = QVBoxLayout(box)
    pic = QLabel()
    pic.setPixmap(QPixmap.fromImage(rgb_qimage(rgb)).scaled(PREVIEW, PREVIEW, Qt.AspectRatioMode.KeepAspectRatio,
                                                             Qt.TransformationMode.SmoothTransformation))
    layout.addWidget(pic)
    layout.addWidget(QLabel(f"{caption}  ({rgb.shape[1]}×{rgb.shape[0]})"))
    return box


class OutputPanel(QWidget):
    def __init__(self, session: Session) -> None:
        super().__init__()
        self.session = session
        self.body = QWidget()
        self.body_layout = QVBoxLayout(self.body)
        self.body_layout.addWidget(QLabel("Drop an image on the window (or File > Open Image) to run the model."))
        scroll = QScrollArea()
        scroll.setWidgetResizable(True)
        scroll.setWidget(self.body)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.addWidget(scroll)
        self.texts: list[str] = []  # what is shown, as plain text (tests and screen readers)
        session.subscribe("run", self.show_run)
        session.subscribe("model", lambda model: self.clear())

    def clear(self) -> None:
        while self.body_layout.count():
            item = self.body_layout.takeAt(0)
            if item.widget():
                item.widget().deleteLater()
        self.texts = []

    def _add_text(self, text: str, bold: bool = False) -> None:
        label = QLabel(f"<b>{text}</b>" if bold else text)
        label.setTextFormat(Qt.TextFormat.RichText if bold else Qt.TextFormat.PlainText)
        label.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        self.body_layout.addWidget(label)
        self.texts.append(text)

    def show_run(self, run: RunResult) -> None:
        self.clear()
        for view in run.outputs:
            self._show_output(view, run)
        self.body_layout.addStretch(1)

    def _show_output(self, view: OutputView, run: RunResult) -> None:
        blob = run.blobs.get(view.blob)
        shape = "×".join(map(str, blob.shape)) if blob is not None else "?"
        self._add_text(f"output '{view.blob}'  {shape}", bold=True)
        if view.kind == "classes":
            for rank, (index, label, score) in enumerate(view.top, 1):
                self._add_text(f"{rank}. {score:.4f}  {label}  (class {index})")
        elif view.kind == "image" and view.image is not None:
            row = QWidget()
            h = QHBoxLayout(row)
            if run.input_array is not None and run.input_array.ndim == 3:
                h.addWidget(image_label(to_display_image(run.input_array, self.session.preprocess), "input"))
            h.addWidget(image_label(view.image, "output"))
            h.addStretch(1)
            self.body_layout.addWidget(row)
            self.texts.append(f"image {view.image.shape[1]}x{view.image.shape[0]}")
        elif blob is not None:
            s = blob_stats(view.blob, blob)
            self._add_text(f"min {s.min:.5g}  max {s.max:.5g}  mean {s.mean:.5g}  std {s.std:.5g} "
                           "(select the blob to see it as images and numbers)")
