"""The only place that turns engine/profiler callbacks into Qt signals: jobs on a worker thread.

A job is a plain callable `job(progress) -> result` (Qt-free, see gui/state/session.py). Its result,
failure or cancellation comes back on the GUI thread through queued signals.
"""
from __future__ import annotations

import gc
import time
import traceback
from typing import Any, Callable

from PySide6.QtCore import QCoreApplication, QObject, QRunnable, QThreadPool, QTimer, Signal

from engine import EngineError, ExtractionCancelled
from profiler.calibration.collect import CalibrationCancelled, CalibrationError
from profiler.compare import CompareCancelled, CompareError

# Failures that carry a message meant for the user (no traceback); cancellations of each kind.
USER_ERRORS = (EngineError, CalibrationError, CompareError)
CANCELLATIONS = (ExtractionCancelled, CalibrationCancelled, CompareCancelled)

JobFunction = Callable[[Callable[[int, int, str], None]], Any]


class _JobSignals(QObject):  # lives on the GUI thread; the worker only emits
    progress = Signal(int, int, str)
    finished = Signal(object)
    failed = Signal(str)
    cancelled = Signal()


class _Runnable(QRunnable):
    def __init__(self, fn: JobFunction, signals: _JobSignals) -> None:
        super().__init__()
        self.fn = fn
        self.signals = signals
        self._last_emit = 0.0

    def _progress(self, done: int, total: int, message: str) -> None:
        now = time.monotonic()
        if done >= total or now - self._last_emit > 0.05:  # at most ~20 updates a second
            self._last_emit = now
            self.signals.progress.emit(done, total, message)

    def run(self) -> None:
        try:
            result = self.fn(self._progress)
        except CANCELLATIONS:
            self.signals.cancelled.emit()
        except USER_ERRORS as e:
            self.signals.failed.emit(str(e))
        except MemoryError:
            self.signals.failed.emit("Out of memory while running the model.")
        except Exception as e:  # a bug must not kill the app: show it and stay usable
            self.signals.failed.emit(f"{type(e).__name__}: {e}\n\n{traceback.format_exc(limit=6)}")
        else:
            self.signals.finished.emit(result)


class GuiThreadGc(QObject):
    """Python's cycle collector runs in whichever thread happens to allocate past a threshold. If that is
    a worker and the garbage holds Qt widgets (a closed window's cycles), Qt objects get destroyed off the
    GUI thread: seen here as a deadlock (worker: ~QMenu waiting for the GIL; GUI thread: a Qt mutex).
    So automatic collection is switched off and the GUI thread collects on a timer, with the same
    generation thresholds (the approach pyqtgraph's GarbageCollector takes)."""

    _instance: "GuiThreadGc | None" = None

    def __init__(self, app: QObject, interval_ms: int = 500) -> None:
        super().__init__(app)
        self.thresholds = gc.get_threshold()
        gc.disable()
        self.timer = QTimer(self)
        self.timer.timeout.connect(self.collect)
        self.timer.start(interval_ms)

    def collect(self) -> None:
        counts = gc.get_count()
        if counts[0] <= self.thresholds[0]:
            return
        generation = 2 if counts[2] > self.thresholds[2] else 1 if counts[1] > self.thresholds[1] else 0
        gc.collect(generation)

    @classmethod
    def install(cls) -> None:
        app = QCoreApplication.instance()
        if cls._instance is None and app is not None:
            cls._instance = cls(app)
        elif cls._instance is not None:
            gc.disable()  # someone may have switched it back on (tests, plugins)


class JobRunner(QObject):
    """Runs one job at a time per runner on the global thread pool and relays its outcome."""

    progress = Signal(int, int, str)
    finished = Signal(object)
    failed = Signal(str)
    cancelled = Signal()

    def __init__(self, parent: QObject | None = None) -> None:
        super().__init__(parent)
        # One signals object for the runner's whole life, created and destroyed on the GUI thread. A
        # per-job one could lose its last reference inside the worker (when the autodeleted runnable
        # goes), destroying a GUI-thread QObject from the worker thread: a race that hung the suite once.
        self._signals = _JobSignals(self)
        self._signals.progress.connect(self.progress)
        self._signals.finished.connect(self._done(self.finished))
        self._signals.failed.connect(self._done(self.failed))
        self._signals.cancelled.connect(self._done(self.cancelled))
        self.busy = False
        GuiThreadGc.install()  # before any job runs on a worker thread

    def start(self, fn: JobFunction) -> None:
        if self.busy:
            raise RuntimeError("a job is already running")
        self.busy = True  # one job at a time: its final signal is the last one the shared signals carry
        QThreadPool.globalInstance().start(_Runnable(fn, self._signals))

    def _done(self, relay: Signal) -> Callable[..., None]:
        def handler(*args: Any) -> None:
            self.busy = False
            relay.emit(*args)
        return handler
