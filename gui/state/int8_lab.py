"""The int8 lab's state (Qt-free): a calibration, the user's per-layer choices (method, a hand-set
threshold, keep in fp32), the table they make, and the FP32-vs-int8 comparison on the current image.

Slow work (calibration, comparison) is returned as plain callables for a worker, like RunJob.
"""
from __future__ import annotations

import threading
from dataclasses import dataclass, field
from pathlib import Path
from typing import Callable, Sequence

import numpy as np

from engine import Net
from engine.int8.export import write_int8_model
from engine.int8.simulate import int8_net
from engine.int8.table import Int8Table, write_table
from engine.preprocess import Preprocess
from profiler.calibration.calibrate import METHODS, BlobCalibration, CalibrationResult, calibrate, table_with
from profiler.calibration.methods import clipped_fraction
from profiler.compare import Bound, ImageComparison, LayerError, compare_image, float_blobs

Progress = Callable[[int, int, str], None]
DEFAULT_BOUND = Bound("cosine", 0.99)


@dataclass
class LayerChoice:
    """What the user decided for one calibrated layer; None = the calibration's own choice."""

    method: str | None = None
    threshold: float | None = None  # set by dragging the line; wins over `method`
    fp32: bool = False


@dataclass
class LabComparison:
    """One comparison run: metrics per layer, and every blob of both runs for the side-by-side view."""

    comparison: ImageComparison
    fp32_blobs: dict[str, np.ndarray]
    int8_blobs: dict[str, np.ndarray]
    table: Int8Table


@dataclass
class CalibrationJob:
    net: Net
    samples: Sequence[Path]
    method: str
    preprocess: Preprocess
    cancel_event: threading.Event = field(default_factory=threading.Event)

    def cancel(self) -> None:
        self.cancel_event.set()

    def run(self, progress: Progress | None = None) -> CalibrationResult:
        return calibrate(self.net, list(self.samples), self.method, self.preprocess, all_methods=True,
                         progress=progress, cancel=self.cancel_event)


@dataclass
class CompareJob:
    net: Net
    table: Int8Table
    x: np.ndarray
    image: str
    input_name: str
    cancel_event: threading.Event = field(default_factory=threading.Event)

    def cancel(self) -> None:
        self.cancel_event.set()

    def run(self, progress: Progress | None = None) -> LabComparison:
        quantised = int8_net(self.net, self.table)
        comparison = compare_image(self.net, quantised, self.x, self.image, accumulated=True, isolated=True,
                                   cancel=self.cancel_event)
        fp32 = float_blobs(self.net, self.x)
        int8 = float_blobs(quantised, self.x)  # int8 blobs dequantised with the scale they carry
        return LabComparison(comparison, fp32, int8, self.table)


class Int8Lab:
    """Choices over one CalibrationResult of one Net."""

    def __init__(self, net: Net, result: CalibrationResult) -> None:
        self.net = net
        self.result = result
        self.choices: dict[str, LayerChoice] = {b.layer: LayerChoice() for b in result.blobs}
        self.comparison: LabComparison | None = None
        self.bound = DEFAULT_BOUND

    # -- per-layer choices ------------------------------------------------------------------
    def layers(self) -> list[str]:
        return [b.layer for b in self.result.blobs]

    def blob(self, layer: str) -> BlobCalibration:
        return self.result.blob(layer)

    def method(self, layer: str) -> str:
        choice = self.choices[layer]
        if choice.threshold is not None:
            return "manual"
        return choice.method or self.result.method

    def threshold(self, layer: str) -> float:
        choice, blob = self.choices[layer], self.blob(layer)
        if choice.threshold is not None:
            return choice.threshold
        method = choice.method or self.result.method
        return blob.thresholds.get(method, blob.threshold) if method != self.result.method else blob.threshold

    def clipped(self, layer: str) -> float:
        blob = self.blob(layer)
        return clipped_fraction(blob.histogram, blob.absmax, self.threshold(layer))

    def set_method(self, layer: str, method: str) -> None:
        if method not in METHODS:
            raise ValueError(f"unknown method {method!r}")
        if method not in self.blob(layer).thresholds and method != self.result.method:
            raise ValueError(f"'{method}' was not computed for {layer}; calibrate again with it")
        self.choices[layer].method, self.choices[layer].threshold = method, None

    def set_threshold(self, layer: str, value: float) -> None:
        blob = self.blob(layer)
        self.choices[layer].threshold = float(min(max(value, blob.absmax / 2048), blob.absmax))

    def set_fp32(self, layer: str, keep: bool) -> None:
        self.choices[layer].fp32 = keep

    # -- results -------------------------------------------------------------------------------
    def table(self) -> Int8Table:
        thresholds = {layer: self.threshold(layer) for layer, c in self.choices.items()
                      if c.threshold is not None or (c.method and c.method != self.result.method)}
        keep = [layer for layer, c in self.choices.items() if c.fp32]
        return table_with(self.result, thresholds, keep)

    def compare_job(self, x: np.ndarray, image: str) -> CompareJob:
        return CompareJob(self.net, self.table(), x, image, self.net.input_names()[0])

    def error_of(self, row: LayerError, metric: str = "cosine", mode: str = "accumulated") -> float | None:
        m = row.metrics(mode)
        return None if m is None else m.get(metric)

    def first_bad(self, mode: str = "accumulated") -> LayerError | None:
        return self.comparison.comparison.first_crossing(self.bound, mode) if self.comparison else None

    def save_table(self, path: Path) -> None:
        write_table(self.table(), path)

    def save_int8_model(self, param_out: Path) -> Path:
        bin_out = param_out.with_suffix(".bin")
        write_int8_model(self.net, self.table(), param_out, bin_out)
        return bin_out
