"""Calibration end to end: statistics -> thresholds per method -> scales -> an ncnn2table-style table.

Everything a GUI needs to draw a blob's calibration travels in `BlobCalibration` (frozen, numpy arrays).
"""
from __future__ import annotations

import threading
from collections.abc import Sequence
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np

from engine import Net
from engine.int8.table import Int8Table
from engine.preprocess import Preprocess

from .collect import (
    DEFAULT_CACHE_BYTES,
    NUM_BINS,
    BlobStats,
    CalibrationCancelled,
    CalibrationError,
    CollectedStats,
    Progress,
    collect,
    find_targets,
)
from .kl import TARGET_BINS, kl_threshold
from .methods import DEFAULT_PERCENTILE, aciq_threshold, clipped_fraction, percentile_threshold, scale_for
from .weights import weight_scales

METHODS = ("kl", "aciq", "eq", "max", "percentile")


@dataclass(frozen=True)
class BlobCalibration:
    """One calibrated layer's input blob: its statistics, every method's threshold, the choice."""

    layer: str
    blob: str
    absmax: float
    histogram: np.ndarray  # int64 [2048] counts of nonzero |x|, bin width absmax / 2048
    elements: int  # values per sample
    thresholds: dict[str, float]  # method -> threshold (|x| units); "kl" only when computed
    kl_curve: np.ndarray | None  # float32 KL divergence for candidate bins KL_FIRST_BIN..2047
    method: str
    threshold: float  # the chosen one
    scale: float  # 127 / threshold, what the table holds
    clipped_fraction: float  # share of nonzero values above the chosen threshold

    KL_FIRST_BIN = TARGET_BINS

    @property
    def bin_width(self) -> float:
        return self.absmax / NUM_BINS

    def kl_candidates(self) -> np.ndarray:
        """Thresholds (|x| units) the KL curve is plotted against: (T + 0.5) * bin width."""
        return (np.arange(TARGET_BINS, NUM_BINS) + 0.5) * self.bin_width


@dataclass(frozen=True)
class CalibrationResult:
    method: str
    table: Int8Table
    blobs: tuple[BlobCalibration, ...]  # one per calibrated layer, model order
    weight_scales: dict[str, np.ndarray]  # layer -> per channel / group
    stats: CollectedStats
    percentile: float = DEFAULT_PERCENTILE
    notes: tuple[str, ...] = field(default_factory=tuple)

    def blob(self, layer: str) -> BlobCalibration:
        for b in self.blobs:
            if b.layer == layer:
                return b
        raise KeyError(layer)


class _Stages:
    """One progress bar over several stages of known size."""

    def __init__(self, progress: Progress | None, sizes: dict[str, int]) -> None:
        self.progress, self.offsets, acc = progress, {}, 0
        for name, size in sizes.items():
            self.offsets[name] = acc
            acc += size
        self.total = acc

    def stage(self, name: str) -> Progress:
        offset = self.offsets[name]

        def report(done: int, _total: int, message: str) -> None:
            if self.progress is not None:
                self.progress(min(offset + done, self.total), self.total, message)
        return report


def blob_thresholds(stats: BlobStats, methods: Sequence[str], percentile: float = DEFAULT_PERCENTILE,
                    ) -> tuple[dict[str, float], np.ndarray | None]:
    """Thresholds of the histogram-based methods asked for (plus max, which is free)."""
    out: dict[str, float] = {"max": float(stats.absmax)}
    curve = None
    if "kl" in methods:
        out["kl"], curve = kl_threshold(stats.histogram, stats.absmax)
    if "aciq" in methods:
        out["aciq"] = aciq_threshold(stats.absmax, stats.elements)
    if "percentile" in methods:
        out["percentile"] = percentile_threshold(stats.histogram, stats.absmax, percentile)
    return out, curve


def calibrate(net: Net, samples: Sequence[str | Path | np.ndarray], method: str = "kl",
              spec: Preprocess | None = None, *, percentile: float = DEFAULT_PERCENTILE,
              all_methods: bool = False, progress: Progress | None = None, cancel: threading.Event | None = None,
              cache_bytes: int = DEFAULT_CACHE_BYTES, eq_samples: int = 50, eq_steps: int = 100,
              ) -> CalibrationResult:
    """Calibrate `net` (fp32, loaded) on `samples` with `method`; `all_methods` also computes every other
    method's threshold per blob (for viewers; KL is the expensive one)."""
    if method not in METHODS:
        raise CalibrationError(f"unknown calibration method {method!r}: choose one of {', '.join(METHODS)}")
    if not 0 < percentile <= 100:
        raise CalibrationError(f"percentile must be in (0, 100], not {percentile}")
    targets = find_targets(net)
    if not targets:
        raise CalibrationError("the model has no Convolution, ConvolutionDepthWise or InnerProduct to calibrate")
    n_eq = min(len(samples), eq_samples) if method == "eq" else 0
    unique = list(dict.fromkeys(t.blob for t in targets))
    stages = _Stages(progress, {"collect": 2 * len(samples), "analyse": len(unique), "eq": 2 * n_eq})
    stats = collect(net, samples, spec, progress=stages.stage("collect"), cancel=cancel,
                    cache_bytes=cache_bytes, targets=targets)
    wanted = METHODS if all_methods else (("kl",) if method == "eq" else (method,))
    per_blob: dict[str, tuple[dict[str, float], np.ndarray | None]] = {}
    groups: dict[tuple[bytes, float, int], list[str]] = {}  # Split copies share one search
    for blob in unique:
        s = stats.blobs[blob]
        groups.setdefault((s.histogram.tobytes(), s.absmax, s.elements), []).append(blob)
    analyse = stages.stage("analyse")

    def search(blobs: list[str]) -> tuple[list[str], tuple[dict[str, float], np.ndarray | None]]:
        if cancel is not None and cancel.is_set():
            raise CalibrationCancelled("calibration cancelled")
        return blobs, blob_thresholds(stats.blobs[blobs[0]], wanted, percentile)

    # numpy releases the GIL in the KL search's array work: the model's thread count, one blob each
    with ThreadPoolExecutor(max_workers=max(1, min(net.opt.num_threads, len(groups)))) as pool:
        for done, (blobs, found) in enumerate(pool.map(search, groups.values())):
            analyse(done + 1, len(groups), f"thresholds {blobs[0]}"[:40])
            for blob in blobs:
                per_blob[blob] = found

    layers = net.layers
    w_method = "aciq" if method == "aciq" else "kl"
    wscales = {t.layer: weight_scales(layers[t.layer_index], w_method) for t in targets}
    chosen = {t.layer: per_blob[t.blob][0].get("kl" if method == "eq" else method, 0.0) for t in targets}
    notes: list[str] = []
    eq_scales: dict[str, float] = {}
    if method == "eq":
        from .eq import easyquant
        init_scales = {name: scale_for(th) for name, th in chosen.items()}
        wscales, eq_scales = easyquant(net, targets, samples[:n_eq], spec, wscales, init_scales,
                                    progress=stages.stage("eq"), cancel=cancel, steps=eq_steps)
        chosen = {name: (127.0 / s if s > 0 else 0.0) for name, s in eq_scales.items()}
    table = Int8Table()
    for t in targets:
        table.weight_scales[t.layer] = {0: np.asarray(wscales[t.layer], np.float32)}
    blobs = []
    for t in targets:
        s = stats.blobs[t.blob]
        ths, curve = per_blob[t.blob]
        ths = dict(ths)
        threshold = chosen[t.layer]
        if method == "eq":
            ths["eq"] = threshold
        scale = eq_scales[t.layer] if method == "eq" else scale_for(threshold)
        if scale == 1.0 and not (threshold > 0 and np.isfinite(threshold)):
            notes.append(f"{t.layer}: blob '{t.blob}' is all zeros on the calibration set; scale 1.0 written")
        table.blob_scales[t.layer] = np.array([scale], np.float32)
        blobs.append(BlobCalibration(t.layer, t.blob, s.absmax, s.histogram, s.elements, ths, curve, method,
                                     threshold, scale, clipped_fraction(s.histogram, s.absmax, threshold)))
    if progress is not None:
        progress(stages.total, stages.total, "done")
    return CalibrationResult(method, table, tuple(blobs), wscales, stats, percentile, tuple(notes))


def table_with(result: CalibrationResult, thresholds: dict[str, float] | None = None,
               keep_fp32: Sequence[str] = ()) -> Int8Table:
    """The result's table with hand-set thresholds (layer -> |x| threshold, e.g. a dragged line or another
    method's value) and some layers left in fp32 (no lines: ncnn2int8 then keeps them float)."""
    thresholds = thresholds or {}
    known = {b.layer for b in result.blobs}
    unknown = sorted((set(thresholds) | set(keep_fp32)) - known)
    if unknown:
        raise CalibrationError(f"not calibrated layers: {', '.join(unknown)}")
    table = Int8Table()
    for b in result.blobs:
        if b.layer in keep_fp32:
            continue
        table.weight_scales[b.layer] = {0: np.asarray(result.weight_scales[b.layer], np.float32)}
    for b in result.blobs:
        if b.layer in keep_fp32:
            continue
        scale = scale_for(thresholds[b.layer]) if b.layer in thresholds else b.scale
        table.blob_scales[b.layer] = np.array([scale], np.float32)
    return table
