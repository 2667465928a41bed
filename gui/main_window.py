"""The main window: the graph in the middle, inspector / blob / outputs / timing in docks; menus,
toolbar, drag-and-drop, progress and errors. Wires the Session to the views and jobs to workers."""
from __future__ import annotations

from pathlib import Path

from PySide6.QtCore import QThreadPool, Qt, QTimer
from PySide6.QtGui import QAction, QDragEnterEvent, QDropEvent, QKeySequence
from PySide6.QtWidgets import (
    QCheckBox, QDockWidget, QFileDialog, QLabel, QLineEdit, QMainWindow, QProgressBar, QPushButton, QSpinBox,
    QToolBar, QVBoxLayout, QWidget,
)

from engine.preprocess import IMAGE_SUFFIXES

from .state.session import ModelDocument, RunResult, Session, load_model_document
from .views.blob_view import BlobView
from .views.graph_view import GraphView
from .views.inspector_view import InspectorView
from .views.output_view import OutputPanel
from .views.preprocess_dialog import PreprocessDialog
from .views.timing_view import TimingView
from .workers import JobRunner

MODEL_SUFFIXES = (".param", ".bin")  # .param and .param.bin


def is_model_path(path: Path) -> bool:
    return path.name.endswith(".param") or path.name.endswith(".param.bin")


class MainWindow(QMainWindow):
    def __init__(self, session: Session) -> None:
        super().__init__()
        self.session = session
        self.setWindowTitle("Layerscope")
        self.setAcceptDrops(True)
        self.resize(1400, 900)
        self.graph = GraphView(session)
        self.error_banner = QLabel()
        self.error_banner.setWordWrap(True)
        self.error_banner.setStyleSheet("background:#fdecea;color:#8a1c12;padding:6px;border:1px solid #e6a19a;")
        self.error_banner.hide()
        self.error_banner.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        central = QWidget()
        box = QVBoxLayout(central)
        box.setContentsMargins(0, 0, 0, 0)
        box.addWidget(self.error_banner)
        box.addWidget(self.graph)
        self.setCentralWidget(central)
        self.inspector = InspectorView(session)
        self.blob_view = BlobView(session)
        self.outputs = OutputPanel(session)
        self.timing = TimingView(session)
        self._dock("Layer", self.inspector, Qt.DockWidgetArea.RightDockWidgetArea)
        self._dock("Outputs", self.outputs, Qt.DockWidgetArea.RightDockWidgetArea)
        self._dock("Blob", self.blob_view, Qt.DockWidgetArea.RightDockWidgetArea)
        self._dock("Timing", self.timing, Qt.DockWidgetArea.BottomDockWidgetArea)
        self.progress = QProgressBar()
        self.progress.setMaximumWidth(240)
        self.progress.hide()
        self.status = QLabel("Open a model (File > Open Model, or drop a .param here).")
        self.statusBar().addWidget(self.status, 1)
        self.statusBar().addPermanentWidget(self.progress)
        self.open_runner, self.run_runner = JobRunner(self), JobRunner(self)
        self.open_runner.finished.connect(self._model_loaded)
        self.open_runner.failed.connect(lambda msg: self._job_failed("Cannot open the model", msg))
        self.run_runner.progress.connect(self._progress)
        self.run_runner.finished.connect(self._run_finished)
        self.run_runner.failed.connect(lambda msg: self._job_failed("The run failed", msg))
        self.run_runner.cancelled.connect(self._run_cancelled)
        self._current_job = None
        self._pending_run = False
        self._build_actions()
        from .backend_controller import BackendController  # CPU / Vulkan switch and comparison
        from .int8_controller import Int8Controller  # the int8 lab: its own menu, docks and jobs
        self.backends = BackendController(self, self.toolbar, self.run_menu)
        self.int8 = Int8Controller(self)
        self._docks_sized = False
        session.subscribe("error", self.show_error)
        session.subscribe("model", self._model_shown)
        session.subscribe("image", lambda path: self.status.setText(f"Image {path.name}"))
        session.subscribe("selection", lambda layer, blob: self.raise_dock("Layer") if layer is not None else None)

    # -- layout --------------------------------------------------------------------------
    def _dock(self, title: str, widget: QWidget, area: Qt.DockWidgetArea) -> QDockWidget:
        """Right side: Layer and Outputs as tabs on top, Blob below them; Timing at the bottom."""
        dock = QDockWidget(title, self)
        dock.setObjectName(title)
        dock.setWidget(widget)
        self.addDockWidget(area, dock)
        if title == "Outputs":
            self.tabifyDockWidget(self.findChild(QDockWidget, "Layer"), dock)
        return dock

    def raise_dock(self, title: str) -> None:
        dock = self.findChild(QDockWidget, title)
        if dock is not None:
            dock.raise_()

    def _action(self, text: str, slot, shortcut: str | None = None, checkable: bool = False) -> QAction:  # noqa: ANN001
        act = QAction(text, self)
        if shortcut:
            act.setShortcut(QKeySequence(shortcut))
        act.setCheckable(checkable)
        (act.toggled if checkable else act.triggered).connect(slot)
        return act

    def _build_actions(self) -> None:
        s = self.session
        self.act_open = self._action("Open Model…", self.choose_model, "Ctrl+O")
        self.act_image = self._action("Open Image…", self.choose_image, "Ctrl+I")
        self.act_export = self._action("Export Report…", self.choose_export_dir, "Ctrl+E")
        self.act_export.setEnabled(False)
        self.act_run = self._action("Run", self.run_model, "F5")
        self.act_cancel = self._action("Cancel", self.cancel_run, "Esc")
        self.act_prep = self._action("Preprocessing…", self.edit_preprocess)
        self.act_fit = self._action("Fit", self.graph.fit, "Ctrl+0")
        self.act_hide = self._action("Hide Split/Noop", s.set_hide_passthrough, checkable=True)
        self.act_hide.setChecked(s.hide_passthrough)
        self.act_heat = self._action("Colour by time", s.set_colour_by_time, checkable=True)
        file_menu = self.menuBar().addMenu("&File")
        file_menu.addActions([self.act_open, self.act_image, self.act_export])
        self.recent_menu = file_menu.addMenu("Recent models")
        self.recent_menu.aboutToShow.connect(self._fill_recent)
        file_menu.addSeparator()
        file_menu.addAction(self._action("Quit", self.close, "Ctrl+Q"))
        view_menu = self.menuBar().addMenu("&View")
        view_menu.addActions([self.act_fit, self.act_hide, self.act_heat])
        run_menu = self.menuBar().addMenu("&Run")
        run_menu.addActions([self.act_run, self.act_cancel, self.act_prep])
        self.run_menu = run_menu
        bar = QToolBar("Main")
        self.toolbar = bar
        bar.setObjectName("Main")
        self.addToolBar(bar)
        bar.addActions([self.act_open, self.act_image, self.act_run, self.act_cancel])
        self.repeats = QSpinBox()
        self.repeats.setRange(1, 1000)
        self.repeats.setValue(s.repeats)
        self.repeats.setPrefix("repeats ")
        self.repeats.valueChanged.connect(s.set_repeats)
        bar.addWidget(self.repeats)
        bar.addSeparator()
        self.search_box = QLineEdit()
        self.search_box.setPlaceholderText("Find layer by name or type (Enter: next)")
        self.search_box.setMaximumWidth(280)
        self.search_box.returnPressed.connect(lambda: self.graph.search(self.search_box.text()))
        self.graph.search_result.connect(
            lambda pos, n: self.status.setText(f"{pos + 1} of {n} matches" if n else "no match"))
        bar.addWidget(self.search_box)
        bar.addActions([self.act_fit, self.act_hide, self.act_heat])
        self.act_cancel.setEnabled(False)

    def _fill_recent(self) -> None:
        self.recent_menu.clear()
        for path in self.session.settings.recent_models:
            self.recent_menu.addAction(path, lambda p=path: self.open_model(Path(p)))

    # -- commands ------------------------------------------------------------------------
    def choose_model(self) -> None:
        path, _ = QFileDialog.getOpenFileName(self, "Open ncnn model", "", "ncnn param (*.param *.param.bin)")
        if path:
            self.open_model(Path(path))

    def choose_image(self) -> None:
        path, _ = QFileDialog.getOpenFileName(self, "Open image", "",
                                              "Images (" + " ".join(f"*{s}" for s in IMAGE_SUFFIXES) + ")")
        if path:
            self.open_image(Path(path))

    def open_model(self, path: Path, then_run: bool = False) -> None:
        if self.open_runner.busy:
            return
        self.hide_error()
        self._pending_run = then_run
        self.status.setText(f"Opening {path.name}…")
        hide = self.session.hidden_types()
        self.open_runner.start(lambda progress: load_model_document(path, hide))

    def open_image(self, path: Path, run: bool = True) -> None:
        self.hide_error()
        if self.session.set_image(path) and run and self.session.model is not None:
            self.run_model()

    def run_model(self) -> None:
        if self.run_runner.busy or self.open_runner.busy:
            self._pending_run = self.open_runner.busy
            return
        self.hide_error()
        job = self.session.prepare_run()
        if job is None:
            return
        self._current_job = job
        self.progress.setRange(0, 0)
        self.progress.show()
        self.act_cancel.setEnabled(True)
        self.act_run.setEnabled(False)
        self.status.setText(f"Running {job.model_name} ({job.repeats} timed runs)…")
        self.run_runner.start(job.run)

    def cancel_run(self) -> None:
        if self._current_job is not None:
            self._current_job.cancel()
            self.status.setText("Cancelling…")

    def choose_export_dir(self) -> None:
        path = QFileDialog.getExistingDirectory(self, "Export the report into folder")
        if path:
            self.export_report(Path(path))

    def export_report(self, out_dir: Path) -> dict[str, Path] | None:
        """The CLI's report bundle (HTML, JSON, CSV, trace) for the current run, written atomically."""
        files = self.session.export_report(out_dir)
        if files is not None:
            self.status.setText(f"Report written to {files['report.html']}")
        return files

    def edit_preprocess(self) -> None:
        dialog = PreprocessDialog(self.session.preprocess, self)
        if dialog.exec():
            self.session.set_preprocess(dialog.spec())

    # -- job results -------------------------------------------------------------------------
    def _model_loaded(self, doc: ModelDocument) -> None:
        self.session.set_model(doc)
        if self._pending_run and self.session.input_array is not None:
            QTimer.singleShot(0, self._start_pending_run)  # stays "pending" (busy) until it starts
        else:
            self._pending_run = False

    def _start_pending_run(self) -> None:
        self._pending_run = False
        self.run_model()

    def showEvent(self, event) -> None:  # noqa: ANN001 - Qt signature
        super().showEvent(event)
        if not self._docks_sized:  # dock sizes only take once the window has its own size
            self._docks_sized = True
            dock = lambda name: self.findChild(QDockWidget, name)  # noqa: E731
            self.resizeDocks([dock("Layer")], [460], Qt.Orientation.Horizontal)  # the graph keeps the most
            self.resizeDocks([dock("Timing")], [330], Qt.Orientation.Vertical)
            self.resizeDocks([dock("Layer"), dock("Blob")], [340, 160], Qt.Orientation.Vertical)

    def closeEvent(self, event) -> None:  # noqa: ANN001 - Qt signature
        """Stop a running job before the window (and the signal objects it reports to) goes away."""
        if self._current_job is not None:
            self._current_job.cancel()
        QThreadPool.globalInstance().waitForDone(10_000)
        super().closeEvent(event)

    def _model_shown(self, model: ModelDocument) -> None:
        self.act_export.setEnabled(False)
        self.setWindowTitle(f"Layerscope — {model.title}")
        unsupported = model.net.unsupported_layers()
        note = f"; {len(unsupported)} layer(s) of unsupported types (marked red)" if unsupported else ""
        weights = "synthetic random weights (no .bin found)" if model.synthetic_weights else "weights loaded"
        self.status.setText(f"{model.files.param.name}: {len(model.net.layers)} layers, {weights}{note}")

    def _progress(self, done: int, total: int, message: str) -> None:
        self.progress.setRange(0, max(total, 1))
        self.progress.setValue(done)

    def _end_run(self) -> None:
        self._current_job = None
        self.progress.hide()
        self.act_cancel.setEnabled(False)
        self.act_run.setEnabled(True)

    def _run_finished(self, result: RunResult) -> None:
        self._end_run()
        self.session.finish_run(result)
        self.act_export.setEnabled(True)
        self.raise_dock("Outputs")
        w = result.profile.wall
        self.status.setText(f"Ran {result.profile.repeats}×: median {w.median:.2f} ms (min {w.min:.2f}, "
                            f"p95 {w.p95:.2f}) on {result.profile.threads} threads, {result.profile.backend}")

    def _run_cancelled(self) -> None:
        self._end_run()
        self.status.setText("Run cancelled.")

    def _job_failed(self, what: str, message: str) -> None:
        self._end_run()
        self.session.report_error(f"{what}: {message}")

    # -- errors --------------------------------------------------------------------------
    def show_error(self, message: str) -> None:
        self.error_banner.setText(message)
        self.error_banner.show()
        self.status.setText(message.splitlines()[0][:200])

    def hide_error(self) -> None:
        self.error_banner.hide()

    # -- drag and drop -------------------------------------------------------------------------
    def dragEnterEvent(self, event: QDragEnterEvent) -> None:
        if event.mimeData().hasUrls():
            event.acceptProposedAction()

    def dropEvent(self, event: QDropEvent) -> None:
        paths = [Path(u.toLocalFile()) for u in event.mimeData().urls() if u.isLocalFile()]
        self.handle_dropped(paths)
        event.acceptProposedAction()

    def handle_dropped(self, paths: list[Path]) -> None:
        models = [p for p in paths if is_model_path(p)]
        images = [p for p in paths if p.suffix.lower() in IMAGE_SUFFIXES]
        if images:
            self.open_image(images[0], run=not models)
        if models:
            self.open_model(models[0], then_run=self.session.input_array is not None or bool(images))
        if not models and not images and paths:
            self.session.report_error(f"Cannot open {paths[0].name}: drop an ncnn .param (with its .bin beside "
                                      "it) or an image.")
