"""The int8 part of a profile report (`app.py profile --table T`): for the profiled input, each calibrated
blob's |x| histogram with the table's threshold and the KL / ACIQ / max thresholds of this input drawn, and
the per-layer FP32-vs-int8 error table (accumulated and isolated).

`Int8Section` holds the results as dataclasses; `to_document()` is the JSON form the report bundle carries
(profile.schema.json, `int8`), which the HTML report draws."""
from __future__ import annotations

import math
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np

from engine import Net
from engine.int8.table import Int8Table, read_table

from .compare import ImageComparison, compare_image
from .compare.metrics import METRICS, BlobMetrics
from .compare.twin import make_twin

HISTOGRAM_METHODS = ("kl", "aciq")  # besides "max" (free) and "table" (the scale the table holds)


@dataclass(frozen=True)
class Int8Histogram:
    layer: str  # the calibrated layer; `blob` is its first bottom
    blob: str
    absmax: float
    counts: np.ndarray  # int64 [2048] counts of nonzero |x| over [0, absmax]
    thresholds: dict[str, float]  # "table" (127 / the table's scale), "max", "kl", "aciq"
    clipped_fraction: float  # share of the nonzero values above the table's threshold


@dataclass(frozen=True)
class Int8Section:
    table_path: str
    quantised: tuple[str, ...]
    warnings: tuple[str, ...]
    histograms: tuple[Int8Histogram, ...]
    comparison: ImageComparison

    def worst(self, metric: str = "cosine", mode: str = "accumulated") -> tuple[str, float] | None:
        best: tuple[str, float] | None = None
        for r in self.comparison.rows:
            m = r.metrics(mode)
            if m is None:
                continue
            v = m.get(metric)
            if best is None or (v < best[1] if METRICS[metric] else v > best[1]) or math.isnan(v):
                best = (r.layer, v)
        return best

    def summary(self) -> str:
        rows = self.comparison.rows
        text = (f"{len(self.quantised)} layers run int8 under {Path(self.table_path).name}; "
                f"FP32 vs simulated int8 on the profiled input.")
        if rows and rows[-1].accumulated is not None:
            last = rows[-1]
            text += (f" Last blob '{last.blob}': cosine {last.accumulated.cosine:.6f}, "
                     f"SNR {last.accumulated.snr_db:.2f} dB.")
        worst = self.worst("cosine", "isolated")
        if worst is not None:
            text += f" Layer adding the most error alone (isolated cosine): {worst[0]} ({worst[1]:.6f})."
        return text

    def to_document(self) -> dict[str, Any]:
        """JSON-ready (non-finite numbers become null: SNR is +inf where int8 equals fp32)."""
        return {
            "table": self.table_path,
            "summary": self.summary(),
            "quantised_layers": list(self.quantised),
            "warnings": list(self.warnings),
            "histograms": [{
                "layer": h.layer, "blob": h.blob, "absmax": _finite(h.absmax), "bins": int(h.counts.size),
                "counts": [int(c) for c in h.counts],
                "thresholds": {k: _finite(v) for k, v in h.thresholds.items()},
                "clipped_fraction": _finite(h.clipped_fraction)} for h in self.histograms],
            "errors": [{
                "index": r.index, "layer": r.layer, "type": r.type, "blob": r.blob, "quantised": r.quantised,
                "accumulated": _metrics(r.accumulated), "isolated": _metrics(r.isolated)}
                for r in self.comparison.rows],
        }


def _finite(v: float) -> float | None:
    return float(v) if math.isfinite(v) else None


def _metrics(m: BlobMetrics | None) -> dict[str, Any] | None:
    if m is None:
        return None
    return {**{k: _finite(m.get(k)) for k in METRICS}, "elements": m.elements}


def histograms(net: Net, x: np.ndarray, table: Int8Table, quantised: tuple[str, ...]) -> tuple[Int8Histogram, ...]:
    """ncnn2table's statistics of each quantised layer's input blob on this one input."""
    from .calibration import blob_thresholds, clipped_fraction, collect, find_targets

    targets = [t for t in find_targets(net) if t.layer in set(quantised)]
    stats = collect(net, [x], targets=targets)
    out = []
    for t in targets:
        s = stats.blobs[t.blob]
        ths, _curve = blob_thresholds(s, HISTOGRAM_METHODS)
        scale = table.blob(t.layer)
        table_th = 127.0 / float(scale[0]) if scale is not None and scale[0] > 0 else math.inf
        ths = {"table": table_th, **ths}
        out.append(Int8Histogram(t.layer, t.blob, float(s.absmax), np.asarray(s.histogram, np.int64), ths,
                                 clipped_fraction(s.histogram, s.absmax, table_th)))
    return tuple(out)


def build_section(net: Net, x: np.ndarray, table: Int8Table, table_path: str) -> Int8Section:
    twin = make_twin(net, table)
    comparison = compare_image(net, twin.net, x, "profiled input")
    return Int8Section(table_path, twin.quantised, twin.warnings, histograms(net, x, table, twin.quantised),
                       comparison)


def int8_section(model, x: np.ndarray, table_path: str | Path) -> Int8Section:
    """What `profile --table` adds to the report; `model` is the CLI's LoadedModel (its .net is used)."""
    from engine.errors import ModelFormatError

    from .cli.common import CliError
    from .compare.metrics import CompareError

    try:
        table = read_table(table_path)
        return build_section(model.net, x, table, str(table_path))
    except (CompareError, ModelFormatError) as e:  # a table that is unreadable or does not fit the model
        raise CliError(f"--table: {e}") from None
