"""The int8 lab in the window: the Int8 menu, the "Int8" and "Compare" docks, and the worker jobs
(calibration over a folder; FP32-vs-int8 comparison on the current image, re-run after every change)."""
from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING

from PySide6.QtCore import QObject, Qt
from PySide6.QtGui import QAction
from PySide6.QtWidgets import QDockWidget, QFileDialog, QInputDialog

from engine import EngineError
from profiler.calibration.calibrate import METHODS
from profiler.calibration.collect import CalibrationError, list_samples

from .state.int8_lab import CalibrationJob, CompareJob, Int8Lab, LabComparison
from .views.int8_compare_view import Int8CompareView
from .views.int8_view import Int8View
from .workers import JobRunner

if TYPE_CHECKING:
    from .main_window import MainWindow


class Int8Controller(QObject):
    def __init__(self, window: "MainWindow") -> None:
        super().__init__(window)
        self.window = window
        self.session = window.session
        self.view = Int8View()
        self.compare_view = Int8CompareView(self.session)
        # Int8 beside Timing (wide, at the bottom); Compare beside Blob (it is a two-sided blob view)
        self.view_dock = window._dock("Int8", self.view, Qt.DockWidgetArea.BottomDockWidgetArea)
        self.compare_dock = window._dock("Compare", self.compare_view, Qt.DockWidgetArea.RightDockWidgetArea)
        window.tabifyDockWidget(window.findChild(type(self.view_dock), "Timing"), self.view_dock)
        window.tabifyDockWidget(window.findChild(type(self.compare_dock), "Blob"), self.compare_dock)
        window.findChild(type(self.view_dock), "Timing").raise_()
        window.findChild(type(self.compare_dock), "Blob").raise_()
        self.calib_runner, self.compare_runner = JobRunner(self), JobRunner(self)
        self.calib_runner.progress.connect(window._progress)
        self.calib_runner.finished.connect(self._calibrated)
        self.calib_runner.failed.connect(lambda msg: self._failed("Calibration failed", msg))
        self.calib_runner.cancelled.connect(lambda: self._ended("Calibration cancelled."))
        self.compare_runner.finished.connect(self._compared)
        self.compare_runner.failed.connect(lambda msg: self._failed("The int8 comparison failed", msg))
        self.compare_runner.cancelled.connect(lambda: self._ended(""))
        self._job: CalibrationJob | CompareJob | None = None
        self._compare_again = False
        self.view.choice_changed.connect(lambda layer: self.compare())
        self.view.layer_changed.connect(self._layer_chosen)
        self.session.subscribe("run", lambda run: self.compare())
        self.session.subscribe("model", lambda model: self._reset())
        self._build_menu()

    def _build_menu(self) -> None:
        w = self.window
        self.act_calibrate = QAction("Calibrate…", w)
        self.act_calibrate.triggered.connect(self.choose_calibration)
        self.act_cancel = QAction("Cancel calibration", w)
        self.act_cancel.triggered.connect(self.cancel)
        self.act_save_table = QAction("Save Table…", w)
        self.act_save_table.triggered.connect(self.choose_table_path)
        self.act_save_model = QAction("Save int8 Model…", w)
        self.act_save_model.triggered.connect(self.choose_model_path)
        self.act_error = QAction("Colour graph by int8 error", w)
        self.act_error.setCheckable(True)
        self.act_error.toggled.connect(self.session.set_colour_by_error)
        menu = w.menuBar().addMenu("&Int8")
        menu.addActions([self.act_calibrate, self.act_cancel, self.act_save_table, self.act_save_model,
                         self.act_error])
        self._enable()

    def _enable(self) -> None:
        has_lab = self.session.int8_lab is not None
        for act in (self.act_save_table, self.act_save_model, self.act_error):
            act.setEnabled(has_lab)
        self.act_cancel.setEnabled(self.calib_runner.busy)

    # -- calibration ---------------------------------------------------------------------------
    def choose_calibration(self) -> None:
        folder = QFileDialog.getExistingDirectory(self.window, "Calibration images (a folder of images or .npy)")
        if not folder:
            return
        method, ok = QInputDialog.getItem(self.window, "Calibration method", "method", list(METHODS), 0, False)
        if ok:
            self.calibrate(Path(folder), method)

    def calibrate(self, folder: Path, method: str = "kl") -> bool:
        s = self.session
        if s.model is None:
            s.report_error("Open a model first, then calibrate it.")
            return False
        if self.calib_runner.busy:
            return False
        try:
            samples = list_samples(folder)
        except CalibrationError as e:
            s.report_error(f"Cannot calibrate from {folder}: {e}")
            return False
        self._job = CalibrationJob(s.model.net, samples, method, s.preprocess)
        self.window.progress.setRange(0, 0)
        self.window.progress.show()
        self.window.status.setText(f"Calibrating with '{method}' on {len(samples)} inputs…")
        self.calib_runner.start(self._job.run)
        self._enable()
        return True

    def cancel(self) -> None:
        if isinstance(self._job, CalibrationJob):
            self._job.cancel()

    def _calibrated(self, result) -> None:  # noqa: ANN001 - CalibrationResult
        self._ended(f"Calibrated {len(result.blobs)} layers with '{result.method}'.")
        model = self.session.model
        if model is None:
            return
        lab = Int8Lab(model.net, result)
        self.session.set_int8_lab(lab)
        self.view.set_lab(lab)
        self.view_dock.raise_()
        self.compare_dock.raise_()
        dock = lambda name: self.window.findChild(QDockWidget, name)  # noqa: E731
        self.window.resizeDocks([dock("Layer"), dock("Blob")], [170, 420], Qt.Orientation.Vertical)  # 3 maps
        self._enable()
        self.compare()

    # -- comparison ------------------------------------------------------------------------------
    def compare(self) -> None:
        """Re-run the FP32-vs-int8 comparison on the current input (queued if one is running)."""
        s, lab = self.session, self.session.int8_lab
        if lab is None or s.input_array is None:
            return
        if self.compare_runner.busy:
            self._compare_again = True
            if isinstance(self._job, CompareJob):
                self._job.cancel()
            return
        image = s.image_path.name if s.image_path else "input"
        try:
            self._job = lab.compare_job(s.input_array, image)
        except EngineError as e:
            s.report_error(f"Cannot build the int8 model: {e}")
            return
        self.window.status.setText("Comparing FP32 and int8…")
        self.compare_runner.start(self._job.run)

    def _compared(self, result: LabComparison) -> None:
        lab = self.session.int8_lab
        self._job = None
        if lab is not None:
            lab.comparison = result
            self.view.show_comparison()
            self.compare_view.set_comparison(result)
            self.session.int8_changed()
            first = lab.first_bad()
            self.window.status.setText("FP32 vs int8: " + (f"first layer over {lab.bound.describe()} is "
                                                            f"'{first.layer}'" if first else "no layer over the bound"))
        if self._compare_again:
            self._compare_again = False
            self.compare()

    def _ended(self, message: str) -> None:
        self._job = None
        self.window.progress.hide()
        if message:
            self.window.status.setText(message)
        self._enable()
        if self._compare_again:
            self._compare_again = False
            self.compare()

    def _failed(self, what: str, message: str) -> None:
        self._ended("")
        self.session.report_error(f"{what}: {message}")

    def _layer_chosen(self, layer: str) -> None:
        model = self.session.model
        if model is None:
            return
        for i, l in enumerate(model.net.layers):
            if l.name == layer:
                self.session.select_layer(i)
                return

    def _reset(self) -> None:
        self.view.set_lab(None)
        self.compare_view.set_comparison(None)
        self._enable()

    # -- saving ----------------------------------------------------------------------------------
    def choose_table_path(self) -> None:
        path, _ = QFileDialog.getSaveFileName(self.window, "Save the calibration table", "model.table",
                                              "ncnn2table table (*.table)")
        if path:
            self.save_table(Path(path))

    def save_table(self, path: Path) -> bool:
        lab = self.session.int8_lab
        try:
            lab.save_table(path)
        except (OSError, EngineError) as e:
            self.session.report_error(f"Cannot save the table to {path}: {e}")
            return False
        self.window.status.setText(f"Table saved to {path}")
        return True

    def choose_model_path(self) -> None:
        path, _ = QFileDialog.getSaveFileName(self.window, "Save the int8 model", "model-int8.param",
                                              "ncnn param (*.param)")
        if path:
            self.save_model(Path(path))

    def save_model(self, param: Path) -> bool:
        lab = self.session.int8_lab
        try:
            bin_path = lab.save_int8_model(param)
        except (OSError, EngineError) as e:
            self.session.report_error(f"Cannot save the int8 model to {param}: {e}")
            return False
        self.window.status.setText(f"int8 model saved to {param} and {bin_path.name}")
        return True
