"""Frozen records: the contract between the profiler, the GUI and the report exporters."""
from __future__ import annotations

import statistics
from dataclasses import dataclass, field
from typing import Any


def percentile(values: list[float] | tuple[float, ...], q: float) -> float:
    """Linear-interpolated percentile (q in 0..100) of a non-empty sample."""
    s = sorted(values)
    if len(s) == 1:
        return float(s[0])
    pos = (len(s) - 1) * q / 100.0
    lo = int(pos)
    hi = min(lo + 1, len(s) - 1)
    return float(s[lo] + (s[hi] - s[lo]) * (pos - lo))


@dataclass(frozen=True)
class TimingStats:
    """Statistics of repeated samples, in milliseconds."""

    samples_ms: tuple[float, ...]

    @property
    def min(self) -> float:
        return min(self.samples_ms)

    @property
    def median(self) -> float:
        return float(statistics.median(self.samples_ms))

    @property
    def p95(self) -> float:
        return percentile(self.samples_ms, 95)

    @property
    def max(self) -> float:
        return max(self.samples_ms)

    @property
    def mean(self) -> float:
        return float(statistics.fmean(self.samples_ms))

    def as_dict(self) -> dict[str, float]:
        return {"min": self.min, "median": self.median, "p95": self.p95, "max": self.max, "mean": self.mean}


@dataclass(frozen=True)
class LayerRecord:
    """One layer over all repeats of a profile."""

    index: int  # layer index in the model
    name: str
    type: str
    backend: str  # "cpu", "vulkan", or "cpu-fallback"
    timing: TimingStats
    input_shapes: tuple[tuple[int, ...], ...]
    output_shapes: tuple[tuple[int, ...], ...]
    top_names: tuple[str, ...]
    macs: int  # multiply-accumulates of one run (0 when not meaningful)
    weight_count: int  # number of weight values the layer holds
    start_offsets_ms: tuple[float, ...] = ()  # per repeat: start time from the start of that run


@dataclass(frozen=True)
class BlobStats:
    name: str
    shape: tuple[int, ...]
    dtype: str
    min: float
    max: float
    mean: float
    std: float
    zeros_pct: float
    nan_count: int
    inf_count: int


@dataclass(frozen=True)
class RunProfile:
    """Per-layer timing of one model over several runs, with the conditions it was measured under."""

    model: str
    input_shapes: dict[str, tuple[int, ...]]
    backend: str
    threads: int
    repeats: int
    warmup: int
    layers: tuple[LayerRecord, ...]  # execution order
    wall: TimingStats  # whole inference per run (what the user waits for)
    environment: dict[str, Any] = field(default_factory=dict)
    overheads: dict[str, TimingStats] = field(default_factory=dict)  # upload, download, sync, ...

    @property
    def layer_total_ms(self) -> float:
        """Sum of per-layer medians (the rest of the wall time is engine overhead)."""
        return sum(r.timing.median for r in self.layers)

    def share(self, record: LayerRecord) -> float:
        total = self.layer_total_ms
        return 100.0 * record.timing.median / total if total > 0 else 0.0

    def by_type(self) -> list[tuple[str, int, float]]:
        """(type, layer count, summed median ms), slowest first."""
        acc: dict[str, list[float]] = {}
        for r in self.layers:
            acc.setdefault(r.type, []).append(r.timing.median)
        rows = [(t, len(v), sum(v)) for t, v in acc.items()]
        return sorted(rows, key=lambda row: -row[2])
