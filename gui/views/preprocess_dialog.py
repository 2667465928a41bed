"""Edit a model input's preprocessing: size, mean, norm, channel order, keep-aspect."""
from __future__ import annotations

from PySide6.QtWidgets import (
    QCheckBox, QComboBox, QDialog, QDialogButtonBox, QDoubleSpinBox, QFormLayout, QHBoxLayout, QSpinBox, QWidget,
)

from engine.preprocess import PIXEL_ORDERS, Preprocess


def _triple(values: tuple[float, ...], lo: float, hi: float, decimals: int) -> tuple[QWidget, list[QDoubleSpinBox]]:
    box = QWidget()
    row = QHBoxLayout(box)
    row.setContentsMargins(0, 0, 0, 0)
    spins = []
    for i in range(3):
        s = QDoubleSpinBox()
        s.setRange(lo, hi)
        s.setDecimals(decimals)
        s.setValue(values[i] if i < len(values) else 0.0)
        row.addWidget(s)
        spins.append(s)
    return box, spins


class PreprocessDialog(QDialog):
    def __init__(self, spec: Preprocess, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setWindowTitle("Input preprocessing")
        form = QFormLayout(self)
        self.width_box, self.height_box = QSpinBox(), QSpinBox()
        for box, value in ((self.width_box, spec.width), (self.height_box, spec.height)):
            box.setRange(0, 8192)
            box.setSpecialValueText("image size")
            box.setValue(value)
        self.pixel = QComboBox()
        self.pixel.addItems(PIXEL_ORDERS)
        self.pixel.setCurrentText(spec.pixel)
        mean_box, self.mean = _triple(spec.mean, -1000, 1000, 3)
        norm_box, self.norm = _triple(spec.norm, -1000, 1000, 6)
        self.keep_aspect = QCheckBox("keep aspect ratio (pad with the mean)")
        self.keep_aspect.setChecked(spec.keep_aspect)
        form.addRow("width", self.width_box)
        form.addRow("height", self.height_box)
        form.addRow("channel order fed to the model", self.pixel)
        form.addRow("mean (subtracted)", mean_box)
        form.addRow("norm (multiplied after)", norm_box)
        form.addRow("", self.keep_aspect)
        buttons = QDialogButtonBox(QDialogButtonBox.StandardButton.Ok | QDialogButtonBox.StandardButton.Cancel)
        buttons.accepted.connect(self.accept)
        buttons.rejected.connect(self.reject)
        form.addRow(buttons)

    def spec(self) -> Preprocess:
        return Preprocess(width=self.width_box.value(), height=self.height_box.value(),
                          mean=tuple(s.value() for s in self.mean), norm=tuple(s.value() for s in self.norm),
                          pixel=self.pixel.currentText(), keep_aspect=self.keep_aspect.isChecked())
