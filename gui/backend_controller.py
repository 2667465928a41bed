"""The backend switch (CPU engine or a Vulkan device) in the toolbar, and Run > Compare CPU and Vulkan
with its "Backends" dock (per-layer time on both, side by side)."""
from __future__ import annotations

from typing import TYPE_CHECKING

from PySide6.QtCore import QObject, Qt, QTimer
from PySide6.QtGui import QAction, QStandardItemModel
from PySide6.QtWidgets import QComboBox, QDockWidget

from .state.backends import CPU, BackendChoice, BackendCompareJob, BackendComparison, available_backends
from .views.backend_view import BackendView
from .workers import JobRunner

if TYPE_CHECKING:
    from .main_window import MainWindow


class BackendController(QObject):
    def __init__(self, window: "MainWindow", toolbar, run_menu) -> None:  # noqa: ANN001 - Qt widgets
        super().__init__(window)
        self.window, self.session = window, window.session
        self._choices: list[BackendChoice] | None = None
        self.combo = QComboBox()
        self.combo.setMaximumWidth(280)
        self.combo.setToolTip("Where runs execute: Layerscope's numpy engine, or its Vulkan backend on a device")
        self.combo.addItem(CPU.label)
        self.combo.currentIndexChanged.connect(self._chosen)
        toolbar.addWidget(self.combo)
        self.view = BackendView()
        self.dock = window._dock("Backends", self.view, Qt.DockWidgetArea.BottomDockWidgetArea)
        window.tabifyDockWidget(window.findChild(QDockWidget, "Timing"), self.dock)
        window.findChild(QDockWidget, "Timing").raise_()
        self.act_compare = QAction("Compare CPU and Vulkan", window)
        self.act_compare.triggered.connect(self.compare)
        self.act_compare.setEnabled(False)  # until the devices are known
        run_menu.addAction(self.act_compare)
        self.runner = JobRunner(self)
        self.runner.progress.connect(window._progress)
        self.runner.finished.connect(self._compared)
        self.runner.failed.connect(lambda msg: self._done(f"The CPU/Vulkan comparison failed: {msg}"))
        self.runner.cancelled.connect(lambda: self._done(""))
        self.session.subscribe("model", lambda model: self.view.show_comparison(None))
        # Listing Vulkan devices loads the binding and creates an instance (~0.2 s): after the window is up
        QTimer.singleShot(0, self.ensure_devices)

    @property
    def choices(self) -> list[BackendChoice]:
        self.ensure_devices()
        assert self._choices is not None
        return self._choices

    def ensure_devices(self) -> None:
        if self._choices is not None:
            return
        self._choices = available_backends()
        for choice in self._choices[1:]:  # the CPU entry is already there
            self.combo.addItem(choice.label)
            model = self.combo.model()
            if not choice.available and isinstance(model, QStandardItemModel):
                item = model.item(self.combo.count() - 1)
                item.setEnabled(False)
                item.setToolTip(choice.reason)
        self.act_compare.setEnabled(any(c.kind == "vulkan" and c.available for c in self._choices))

    def _chosen(self, index: int) -> None:
        choice = self.choices[index]
        if not choice.available:
            self.session.report_error(f"Vulkan is not available here: {choice.reason}")
            self.combo.setCurrentIndex(0)
            return
        self.session.set_backend(choice)
        self.window.status.setText(f"Runs now use {choice.label}.")

    def vulkan_choice(self) -> BackendChoice | None:
        current = self.session.backend
        if current.kind == "vulkan":
            return current
        return next((c for c in self.choices if c.kind == "vulkan" and c.available), None)

    def compare(self) -> bool:
        s = self.session
        gpu = self.vulkan_choice()
        if gpu is None:
            s.report_error("No Vulkan device to compare with.")
            return False
        job = s.prepare_run()  # same checks and input as a normal run
        if job is None or self.runner.busy:
            return False
        from engine.vulkan import last_error, reset
        if last_error() is not None:  # asking for the comparison is a new attempt
            reset()
        self.job = BackendCompareJob(job.net, job.inputs, job.repeats, gpu.device, job.model_name)
        self.window.progress.setRange(0, 0)
        self.window.progress.show()
        self.window.status.setText(f"Timing {job.model_name} on the CPU, then on {gpu.label}…")
        self.runner.start(self.job.run)
        return True

    def _compared(self, result: BackendComparison) -> None:
        self._done("")
        self.view.show_comparison(result)
        self.dock.raise_()
        self.window.status.setText(f"CPU {result.cpu.wall.median:.2f} ms vs Vulkan {result.vulkan.wall.median:.2f} ms "
                                   "(median wall time)")
        fallback = result.vulkan.environment.get("vulkan_fallback")
        if fallback:
            self.session.report_error(f"Vulkan was not used, the CPU ran both: {fallback}")

    def _done(self, error: str) -> None:
        self.window.progress.hide()
        if error:
            self.session.report_error(error)
