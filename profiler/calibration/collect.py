"""Activation statistics for calibration, collected as ncnn2table does (tools/quantize/ncnn2table.cpp).

For every Convolution, ConvolutionDepthWise and InnerProduct the measured blob is its *first bottom*.
Pass 1 takes max|x| of each blob over all samples; pass 2 builds a 2048-bin histogram of |x| with bin
`min(int(|x| / absmax * 2048), 2047)` computed in float32, skipping exact zeros. ncnn2table reads
`w*h` values per channel, so of a 4-D (c, d, h, w) blob only depth slice 0 is measured; we do the same.

Work happens in extractor hooks as each blob is produced, so lightmode can free blobs as usual.
Pass 1 also keeps the nonzero |x| of the first samples (up to `cache_bytes`), so pass 2 re-runs the
model only for the samples that did not fit: the histograms are the same, the second pass is cheaper.
"""
from __future__ import annotations

import threading
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from pathlib import Path

import numpy as np

from engine import Net
from engine.errors import EngineError
from engine.hooks import LayerEvent
from engine.preprocess import Preprocess, list_input_files, load_input_file

NUM_BINS = 2048
CALIBRATED_TYPES = ("Convolution", "ConvolutionDepthWise", "InnerProduct")
DEFAULT_CACHE_BYTES = 512 << 20
Progress = Callable[[int, int, str], None]


class CalibrationError(Exception):
    """Bad calibration input or a model that cannot be calibrated; the message says what and where."""


class CalibrationCancelled(CalibrationError):
    """The cancel event was set."""


@dataclass(frozen=True)
class QuantTarget:
    """One calibrated layer and the blob it quantises (its first bottom)."""

    layer_index: int
    layer: str
    type: str
    blob: str


@dataclass(frozen=True)
class BlobStats:
    """What ncnn2table knows about one measured blob after both passes."""

    blob: str
    absmax: float
    histogram: np.ndarray  # int64 [NUM_BINS], counts of nonzero |x|
    elements: int  # measured values per sample (ACIQ's N)
    zeros: int  # exact zeros seen (not in the histogram)
    samples: int

    @property
    def bin_width(self) -> float:
        return self.absmax / NUM_BINS


@dataclass(frozen=True)
class CollectedStats:
    targets: tuple[QuantTarget, ...]
    blobs: dict[str, BlobStats]
    samples: tuple[str, ...]  # sample names, in the order they were run


def find_targets(net: Net) -> tuple[QuantTarget, ...]:
    """ncnn2table's conv_layers: calibrated layers in model order (dynamic-weight convolutions skipped:
    they have no weights to quantise)."""
    out = []
    for i, layer in enumerate(net.layers):
        spec = layer.spec
        if spec.type not in CALIBRATED_TYPES or not spec.bottoms or getattr(layer, "dynamic_weight", 0):
            continue
        w = layer.weights.get("weight_data")
        if w is not None and w.dtype == np.int8:
            raise CalibrationError(f"layer '{spec.name}' already has int8 weights: calibrate the fp32 model")
        out.append(QuantTarget(i, spec.name, spec.type, spec.bottoms[0]))
    return tuple(out)


def list_samples(folder: str | Path) -> list[Path]:
    """Images and .npy files directly in `folder`, sorted by name (a fixed, reproducible order)."""
    try:
        return list_input_files(folder, "calibration images")
    except EngineError as e:
        raise CalibrationError(str(e)) from e


def load_sample(path: str | Path, spec: Preprocess) -> np.ndarray:
    """An image through the model's preprocessing, or a .npy array as it is (ncnn2table's type=1)."""
    try:
        return load_input_file(path, spec)
    except EngineError as e:
        raise CalibrationError(str(e)) from e


def measured(x: np.ndarray) -> np.ndarray:
    """The values ncnn2table reads of a blob: all of them, except depth slice 0 only for 4-D blobs."""
    return x[:, 0] if x.ndim == 4 else x


def absmax_of(x: np.ndarray) -> float:
    if x.size == 0:
        return 0.0
    return float(max(x.max(), -x.min()))


def histogram_of(absx: np.ndarray, absmax: float) -> np.ndarray:
    """Counts of nonzero |x| in NUM_BINS bins, bin = min(int(float32(|x| / absmax) * 2048), 2047).

    float32(|x| / absmax) * 2048 == float32(|x| / (absmax / 2048)) since the scaling by 2**11 is exact,
    so one float32 division per value gives ncnn's bin exactly. Zeros land in bin 0 and are taken out.
    """
    absx = absx.reshape(-1)
    if absmax <= 0 or absx.size == 0:
        return np.zeros(NUM_BINS, np.int64)
    step = np.float32(absmax) / np.float32(NUM_BINS)
    idx = np.divide(absx, step, dtype=np.float32).astype(np.int32)
    counts = np.bincount(idx, minlength=NUM_BINS + 1).astype(np.int64)
    counts[NUM_BINS - 1] += counts[NUM_BINS:].sum()  # |x| == absmax lands on 2048: ncnn clamps to 2047
    counts = counts[:NUM_BINS]
    counts[0] -= absx.size - np.count_nonzero(absx)
    return counts


def sinks(net: Net, wanted: Sequence[str]) -> list[str]:
    """The blobs of `wanted` that no other wanted blob depends on: extracting just these computes them all
    while lightmode still frees everything else (layers are in topological order in ncnn files)."""
    blobs, want = net.blobs, set(wanted)
    reaches = [False] * len(blobs)  # some wanted blob is computed from this blob
    for layer in reversed(net.layers):
        if any(reaches[net.blob_index(t)] or t in want for t in layer.spec.tops):
            for b in layer.spec.bottoms:
                reaches[net.blob_index(b)] = True
    return [b for b in dict.fromkeys(wanted) if not reaches[net.blob_index(b)]]


class _Runner:
    """Runs one sample and hands every measured blob to `visit(blob, array)` as soon as it exists."""

    def __init__(self, net: Net, targets: Sequence[QuantTarget], cancel: threading.Event | None) -> None:
        self.net = net
        self.cancel = cancel
        self.wanted = {t.blob for t in targets}
        inputs = net.input_names()
        if len(inputs) != 1:
            raise CalibrationError(f"calibration runs single-input models; this one has inputs {inputs}")
        self.input = inputs[0]
        self.sinks = sinks(net, [t.blob for t in targets])

    def run(self, x: np.ndarray, visit: Callable[[str, np.ndarray, str | None], None], label: str = "") -> None:
        """visit(blob, array, same_as): same_as names an earlier blob of this run holding the very same
        array (Split tops alias their bottom), whose results the visitor can reuse."""
        seen: set[str] = set()
        first: dict[int, tuple[np.ndarray, str]] = {}  # id -> (array kept alive, blob)

        def give(name: str, out: np.ndarray) -> None:
            seen.add(name)
            prior = first.get(id(out))
            if prior is None:
                first[id(out)] = (out, name)
            visit(name, out, prior[1] if prior is not None else None)

        def hook(event: LayerEvent) -> None:
            for name, out in zip(event.top_names, event.outputs, strict=True):
                if name in self.wanted and name not in seen:
                    give(name, out)
            if self.cancel is not None and self.cancel.is_set():
                raise CalibrationCancelled("calibration cancelled")

        ex = self.net.create_extractor()
        ex.add_hook(hook)
        ex.input(self.input, x)
        if self.input in self.wanted:
            give(self.input, ex.computed(self.input))
        try:
            ex.extract_many(self.sinks)  # one plan: lightmode frees each blob after its last use
            for name in self.wanted - seen:  # only reached for graphs not in topological order
                ex.extract(name)
        except CalibrationCancelled:
            raise
        except EngineError as e:
            raise CalibrationError(f"{label or 'sample'}: the model failed on this sample: {e}") from e


def collect(net: Net, samples: Sequence[str | Path | np.ndarray], spec: Preprocess | None = None, *,
            progress: Progress | None = None, cancel: threading.Event | None = None,
            cache_bytes: int = DEFAULT_CACHE_BYTES, targets: Sequence[QuantTarget] | None = None,
            ) -> CollectedStats:
    """Both passes over `samples` (paths of images / .npy files, or ready input arrays)."""
    if not samples:
        raise CalibrationError("no calibration samples")
    targets = tuple(targets if targets is not None else find_targets(net))
    if not targets:
        raise CalibrationError("the model has no Convolution, ConvolutionDepthWise or InnerProduct to calibrate")
    spec = spec or Preprocess()
    runner = _Runner(net, targets, cancel)
    names = tuple(s if isinstance(s, (str, Path)) else f"#{i}" for i, s in enumerate(samples))
    names = tuple(str(n) for n in names)
    n = len(samples)
    total = 2 * n

    def tick(done: int, message: str) -> None:
        if cancel is not None and cancel.is_set():
            raise CalibrationCancelled("calibration cancelled")
        if progress is not None:
            progress(done, total, message)

    def load(i: int) -> np.ndarray:
        s = samples[i]
        return np.asarray(s, np.float32) if isinstance(s, np.ndarray) else load_sample(s, spec)

    absmax: dict[str, float] = {b: 0.0 for b in runner.wanted}
    elements: dict[str, int] = {}
    zeros: dict[str, int] = {b: 0 for b in runner.wanted}
    cache: list[dict[str, np.ndarray]] = []
    cached_bytes = 0

    # pass 1: absmax (+ the nonzero |x| of the first samples, while they fit)
    keep: dict[str, np.ndarray] | None = None
    seen_max: dict[str, float] = {}  # this sample's max |x| per blob

    def visit1(blob: str, x: np.ndarray, same_as: str | None) -> None:
        nonlocal cached_bytes
        m = measured(x)
        v = seen_max[same_as] if same_as else absmax_of(m)
        if not np.isfinite(v):  # NaN would poison absmax silently and break the histogram
            raise CalibrationError(f"{names[current]}: blob '{blob}' holds NaN or infinite values")
        seen_max[blob] = v
        absmax[blob] = max(absmax[blob], v)
        elements[blob] = int(m.size)
        if keep is not None:
            nz = keep[same_as] if same_as else np.abs(m[m != 0])
            zeros[blob] += m.size - nz.size
            keep[blob] = nz
            cached_bytes += 0 if same_as else nz.nbytes

    current = 0
    for i in range(n):
        current = i
        tick(i, f"absmax {i + 1}/{n}")
        keep = {} if cached_bytes < cache_bytes else None
        seen_max.clear()
        runner.run(load(i), visit1, names[i])
        if keep is not None:
            cache.append(keep)

    # pass 2: histograms over the final absmax (an aliased blob has the same values, so the same absmax)
    hist = {b: np.zeros(NUM_BINS, np.int64) for b in runner.wanted}
    seen_hist: dict[str, np.ndarray] = {}

    def visit2(blob: str, x: np.ndarray, same_as: str | None) -> None:
        m = measured(x)
        h = seen_hist[same_as] if same_as else histogram_of(np.abs(m), absmax[blob])
        seen_hist[blob] = h
        zeros[blob] += m.size - int(h.sum())
        hist[blob] += h

    for i in range(n):
        tick(n + i, f"histogram {i + 1}/{n}")
        if i < len(cache):
            done: dict[int, np.ndarray] = {}
            for blob, nz in cache[i].items():
                if id(nz) not in done:
                    done[id(nz)] = histogram_of(nz, absmax[blob])
                hist[blob] += done[id(nz)]
            cache[i] = {}  # free as we go
            continue
        seen_hist.clear()
        runner.run(load(i), visit2, names[i])
    if progress is not None:
        progress(total, total, "done")
    stats = {b: BlobStats(b, absmax[b], hist[b], elements.get(b, 0), zeros[b], n) for b in runner.wanted}
    return CollectedStats(targets, stats, names)
