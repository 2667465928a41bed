"""Per-layer FP32-vs-int8 error over a set of inputs (e.g. the calibration images): mean and worst of
each metric per row, the worst image named, with progress and cancel for a GUI worker thread."""
from __future__ import annotations

import threading
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from pathlib import Path

import numpy as np

from engine import EngineError, Net
from engine.preprocess import Preprocess, list_input_files, load_input_file

from .compare import CompareCancelled, ImageComparison, LayerError, _Pair, modes_wanted
from .metrics import METRICS, Bound, CompareError, worse

Progress = Callable[[int, int, str], None]
Sample = str | Path | np.ndarray


@dataclass(frozen=True)
class MetricSummary:
    """One metric of one row over the set: per-image values (set order), their mean, the worst one."""

    values: tuple[float, ...]
    mean: float
    worst: float
    worst_image: str


@dataclass(frozen=True)
class LayerSetError:
    index: int
    layer: str
    type: str
    blob: str
    quantised: bool
    accumulated: dict[str, MetricSummary] | None  # metric name -> summary
    isolated: dict[str, MetricSummary] | None

    def summary(self, mode: str) -> dict[str, MetricSummary] | None:
        return self.accumulated if mode == "accumulated" else self.isolated


@dataclass(frozen=True)
class SetComparison:
    images: tuple[str, ...]
    rows: tuple[LayerSetError, ...]  # execution order
    per_image: tuple[ImageComparison, ...]
    quantised: tuple[str, ...]

    def first_crossing(self, bound: Bound, mode: str = "accumulated") -> tuple[LayerSetError, str] | None:
        """The first row (execution order) whose worst value over the set crosses `bound`, and that image."""
        for row in self.rows:
            s = row.summary(mode)
            if s is not None and bound.crossed_by(s[bound.metric].worst):
                return row, s[bound.metric].worst_image
        return None


def load_input(sample: Sample, spec: Preprocess, name: str) -> np.ndarray:
    """An array as it is, a .npy file as it is, or an image through the model's preprocessing."""
    if isinstance(sample, np.ndarray):
        return np.asarray(sample, np.float32)
    try:
        return load_input_file(sample, spec)
    except EngineError as e:
        raise CompareError(f"{name}: {e}") from e


def list_inputs(folder: str | Path) -> list[Path]:
    """Images and .npy files directly in `folder`, sorted by name (a fixed, reproducible order)."""
    try:
        return list_input_files(folder, "images")
    except EngineError as e:
        raise CompareError(str(e)) from e


def summarise(values: Sequence[float], images: Sequence[str], metric: str) -> MetricSummary:
    worst_i = 0
    for i, v in enumerate(values):
        if worse(metric, v, values[worst_i]):
            worst_i = i
    with np.errstate(invalid="ignore"):  # +inf and -inf SNRs average to NaN, honestly
        mean = float(np.mean(np.asarray(values, np.float64)))
    return MetricSummary(tuple(values), mean, values[worst_i], images[worst_i])


def _summaries(rows: Sequence[LayerError], images: Sequence[str], mode: str) -> dict[str, MetricSummary] | None:
    ms = [r.metrics(mode) for r in rows]
    if any(m is None for m in ms):
        return None
    return {k: summarise([m.get(k) for m in ms], images, k) for k in METRICS}  # type: ignore[union-attr]


def compare_set(fp32: Net, int8: Net, samples: Sequence[Sample], spec: Preprocess | None = None, *,
                accumulated: bool = True, isolated: bool = True, progress: Progress | None = None,
                cancel: threading.Event | None = None) -> SetComparison:
    """Compare on every sample (paths of images / .npy files, or input arrays); rows keep the execution
    order of the first sample (the graph runs in the same order on every input)."""
    if not samples:
        raise CompareError("no inputs to compare on")
    modes_wanted([m for m, on in (("accumulated", accumulated), ("isolated", isolated)) if on])
    pair = _Pair(fp32, int8)
    spec = spec or Preprocess()
    names = tuple(str(s) if not isinstance(s, np.ndarray) else f"#{i}" for i, s in enumerate(samples))
    results: list[ImageComparison] = []
    for i, (sample, name) in enumerate(zip(samples, names)):
        if cancel is not None and cancel.is_set():
            raise CompareCancelled("comparison cancelled")
        if progress is not None:
            progress(i, len(samples), Path(name).name)
        x = load_input(sample, spec, name)
        results.append(pair.run(x, name, accumulated, isolated, cancel))
    keys = [(r.index, r.blob) for r in results[0].rows]
    by_image = []
    for res in results:
        index = {(r.index, r.blob): r for r in res.rows}
        if set(index) != set(keys):
            raise CompareError(f"{res.image}: the graph ran different layers than on {results[0].image}")
        by_image.append(index)
    rows = []
    for key, first in zip(keys, results[0].rows):
        per = [index[key] for index in by_image]
        rows.append(LayerSetError(first.index, first.layer, first.type, first.blob, first.quantised,
                                  _summaries(per, names, "accumulated") if accumulated else None,
                                  _summaries(per, names, "isolated") if isolated else None))
    if progress is not None:
        progress(len(samples), len(samples), "done")
    return SetComparison(names, tuple(rows), tuple(results), pair.quantised)
