"""Session: the open model, the image, the last run and the selection. Views subscribe; writes go
through its methods. Slow work is handed out as jobs (plain callables) that workers run off the UI
thread; their results come back through `set_model` / `finish_run`.
"""
from __future__ import annotations

import threading
from collections import defaultdict
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Callable

import numpy as np

from engine import EngineError, Net
from engine.model_files import ModelFiles, find_model_files, read_labels, read_preprocess
from engine.preprocess import Preprocess, default_preprocess, load_image, preprocess
from profiler.records import RunProfile
from profiler.reports import build_bundle, write_report
from profiler.timing import Progress, profile_model

from .backends import CPU, BackendChoice
from .display_graph import HIDEABLE, DisplayGraph, build_display_graph
from .outputs import OutputView, interpret
from .settings import Settings

Callback = Callable[..., None]
EVENTS = ("model", "image", "preprocess", "run_started", "run", "selection", "error", "options", "int8")


@dataclass
class ModelDocument:
    files: ModelFiles
    net: Net
    labels: list[str] | None
    display: DisplayGraph
    synthetic_weights: bool

    @property
    def title(self) -> str:
        return self.files.stem


@dataclass
class RunResult:
    profile: RunProfile
    blobs: dict[str, np.ndarray]
    outputs: list[OutputView]
    image_path: Path | None
    input_array: np.ndarray


@dataclass
class RunJob:
    """A profiling run to execute in a worker thread; `cancel()` stops it between layers."""

    net: Net
    inputs: dict[str, np.ndarray]
    repeats: int
    labels: list[str] | None
    preprocess: Preprocess
    image_path: Path | None
    model_name: str
    backend: str = "cpu"
    vulkan_device: int | None = None
    cancel_event: threading.Event = field(default_factory=threading.Event)

    def cancel(self) -> None:
        self.cancel_event.set()

    def run(self, progress: Progress | None = None) -> RunResult:
        result = profile_model(self.net, self.inputs, repeats=self.repeats, warmup=1, capture_blobs=True,
                               progress=progress, cancel=self.cancel_event, model_name=self.model_name,
                               backend=self.backend, vulkan_device=self.vulkan_device)
        outs = {n: result.blobs[n] for n in self.net.output_names() if n in result.blobs}
        first = next(iter(self.inputs.values()))
        return RunResult(result.profile, result.blobs, interpret(outs, self.labels, self.preprocess),
                         self.image_path, first)


def load_model_document(path: Path, hide: tuple[str, ...] = HIDEABLE) -> ModelDocument:
    """Everything opening a model costs (parse, weights, layout): run it in a worker for big models."""
    files = find_model_files(path)
    net = Net()
    net.opt.lightmode = False
    net.load_param(files.param)
    if files.bin is not None:
        net.load_model(files.bin)
    else:
        net.load_synthetic_weights("random")
    labels = read_labels(files.labels) if files.labels else None
    return ModelDocument(files, net, labels, build_display_graph(net, hide), files.bin is None)


class Session:
    def __init__(self, settings: Settings | None = None) -> None:
        self.settings = settings or Settings(None)
        self.model: ModelDocument | None = None
        self.preprocess: Preprocess = Preprocess()
        self.image_path: Path | None = None
        self.input_array: np.ndarray | None = None
        self.run: RunResult | None = None
        self.selected_layer: int | None = None
        self.selected_blob: str | None = None
        self.hide_passthrough = True
        self.colour_by_time = False
        self.colour_by_error = False  # graph overlay: int8 error of the lab's last comparison
        self.int8_lab = None  # gui.state.int8_lab.Int8Lab once the model is calibrated
        self.backend = CPU  # what runs use: the CPU engine or one Vulkan device
        self.repeats = 5
        self.last_error: str | None = None
        self._subscribers: dict[str, list[Callback]] = defaultdict(list)

    # -- events ---------------------------------------------------------------------------
    def subscribe(self, event: str, callback: Callback) -> None:
        if event not in EVENTS:
            raise ValueError(f"unknown event {event!r}; known: {EVENTS}")
        self._subscribers[event].append(callback)

    def _emit(self, event: str, **payload: Any) -> None:
        for callback in list(self._subscribers[event]):
            callback(**payload)

    def report_error(self, message: str) -> None:
        self.last_error = message
        self._emit("error", message=message)

    # -- model ----------------------------------------------------------------------------
    def open_model(self, path: Path) -> bool:
        """Synchronous open (tests, small models); the window uses a worker + set_model()."""
        try:
            doc = load_model_document(Path(path), self.hidden_types())
        except (EngineError, OSError) as e:
            self.report_error(f"Cannot open {path}: {e}")
            return False
        self.set_model(doc)
        return True

    def hidden_types(self) -> tuple[str, ...]:
        return HIDEABLE if self.hide_passthrough else ()

    def set_model(self, doc: ModelDocument) -> None:
        self.model, self.run, self.int8_lab = doc, None, None
        self.selected_layer = self.selected_blob = None
        self.settings.add_recent_model(doc.files.param)
        remembered = self.settings.preprocess_for(doc.files.param)
        if remembered is not None:
            self.preprocess = remembered
        elif doc.files.preprocess is not None:
            self.preprocess = read_preprocess(doc.files.preprocess)
        else:
            self.preprocess = default_preprocess(doc.net.declared_input_shape())
        self.input_array = None
        self._emit("model", model=doc)
        self._emit("preprocess", preprocess=self.preprocess)
        if self.image_path is not None:
            self._prepare_input()

    def set_hide_passthrough(self, hide: bool) -> None:
        self.hide_passthrough = hide
        if self.model is not None:
            self.model.display = build_display_graph(self.model.net, self.hidden_types())
            self._emit("model", model=self.model)
        self._emit("options")

    def set_colour_by_time(self, on: bool) -> None:
        self.colour_by_time = on
        self.colour_by_error = self.colour_by_error and not on
        self._emit("options")

    def set_colour_by_error(self, on: bool) -> None:
        self.colour_by_error = on
        self.colour_by_time = self.colour_by_time and not on
        self._emit("options")

    def set_int8_lab(self, lab) -> None:  # noqa: ANN001 - Int8Lab (imported lazily: it pulls calibration)
        self.int8_lab = lab
        self._emit("int8")
        self._emit("options")

    def int8_changed(self) -> None:
        """The lab's choices or comparison changed."""
        self._emit("int8")
        self._emit("options")

    def set_repeats(self, repeats: int) -> None:
        self.repeats = max(1, int(repeats))
        self._emit("options")

    # -- input ----------------------------------------------------------------------------
    def set_image(self, path: Path) -> bool:
        path = Path(path)
        try:
            self._image = load_image(path)
        except EngineError as e:
            self.report_error(str(e))
            return False
        self.image_path = path
        self.settings.add_recent_image(path)
        self._prepare_input()
        self._emit("image", path=path)
        return True

    def set_preprocess(self, spec: Preprocess) -> None:
        self.preprocess = spec
        if self.model is not None:
            self.settings.set_preprocess(self.model.files.param, spec)
        self._emit("preprocess", preprocess=spec)
        if self.image_path is not None:
            self._prepare_input()

    def _prepare_input(self) -> None:
        self.input_array = preprocess(self._image, self.preprocess)

    # -- runs -----------------------------------------------------------------------------
    def prepare_run(self) -> RunJob | None:
        """A job for a worker, or None (with an error reported) when something is missing."""
        if self.model is None:
            self.report_error("Open a model first (File > Open Model, or drop a .param on the window).")
            return None
        if self.input_array is None:
            self.report_error("Choose an image first (File > Open Image, or drop an image on the window).")
            return None
        net = self.model.net
        inputs = net.input_names()
        if len(inputs) != 1:
            self.report_error(f"The model has {len(inputs)} inputs ({', '.join(inputs)}); "
                              "the app feeds models with one input.")
            return None
        self._emit("run_started")
        return RunJob(net, {inputs[0]: self.input_array}, self.repeats, self.model.labels, self.preprocess,
                      self.image_path, self.model.title, self.backend.kind, self.backend.device)

    def set_backend(self, choice: BackendChoice) -> None:
        """The user's choice is a new attempt: forget an earlier Vulkan fault (engine/vulkan is sticky)."""
        self.backend = choice
        if choice.kind == "vulkan":
            from engine.vulkan import last_error, reset
            if last_error() is not None:
                reset()
        self._emit("options")

    def finish_run(self, result: RunResult) -> None:
        self.run = result
        self.last_error = None
        self._emit("run", run=result)
        fallback = result.profile.environment.get("vulkan_fallback")
        if fallback:  # the results stand (the CPU ran them); say why Vulkan did not
            self.report_error(f"Vulkan was not used, the CPU ran the model instead: {fallback}")

    # -- selection ------------------------------------------------------------------------
    def select_layer(self, index: int | None) -> None:
        if index == self.selected_layer:
            return
        self.selected_layer = index
        if index is not None and self.model is not None:
            tops = self.model.net.layers[index].spec.tops
            self.selected_blob = tops[0] if tops else None
        self._emit("selection", layer=index, blob=self.selected_blob)

    def select_blob(self, name: str | None) -> None:
        self.selected_blob = name
        if name is not None and self.model is not None:
            idx = self.model.net.graph.blob_index(name) if self.model.net.graph else None
            producer = self.model.net.blobs[idx].producer if idx is not None else None
            self.selected_layer = self.model.display.node_of_blob(name, self.model.net) \
                if producer in self.model.display.hidden else producer
        self._emit("selection", layer=self.selected_layer, blob=name)

    # -- export -------------------------------------------------------------------------
    def export_report(self, out_dir: Path) -> dict[str, Path] | None:
        """Write the report bundle of the last run (as `app.py profile` does); None + error if impossible."""
        if self.model is None or self.run is None:
            self.report_error("Run the model first: the report shows the last run.")
            return None
        try:
            int8 = None
            if self.int8_lab is not None:  # the lab's current table (with the user's choices) on this input
                from profiler.int8_report import build_section
                int8 = build_section(self.model.net, self.run.input_array, self.int8_lab.table(),
                                     "the int8 lab's table (Layerscope app)")
            bundle = build_bundle(self.model.net, self.run.profile, self.run.blobs, self.model.title, int8=int8)
            return write_report(bundle, out_dir)
        except OSError as e:
            self.report_error(f"Cannot write the report into {out_dir}: {e}")
            return None

    def blob(self, name: str) -> np.ndarray | None:
        return self.run.blobs.get(name) if self.run else None

    def layer_time_ms(self, index: int) -> float | None:
        if self.run is None:
            return None
        for record in self.run.profile.layers:
            if record.index == index:
                return record.timing.median
        return None
