"""How far an int8 blob is from its fp32 reference: five numbers, computed in float64.

With r the fp32 blob, t the int8 one and d = t - r (all flattened):
  cosine  = r·t / (|r| |t|)          1 = same direction; both zero -> 1, one zero -> 0
  snr_db  = 10 log10(r·r / d·d)      +inf when t == r, -inf when r is zero and t is not
  max_abs = max |d|,  mean_abs = mean |d|
  rel_l2  = |d| / |r|                0 when t == r, +inf when r is zero and t is not
NaN anywhere gives NaN, which every bound treats as crossed (never as "fine").
"""
from __future__ import annotations

import math
from dataclasses import asdict, dataclass

import numpy as np

# metric -> True when bigger is better (the bound is a floor), False when it is a ceiling
METRICS: dict[str, bool] = {"cosine": True, "snr_db": True, "max_abs": False, "mean_abs": False, "rel_l2": False}
LABELS = {"cosine": "cosine", "snr_db": "SNR dB", "max_abs": "max |err|", "mean_abs": "mean |err|",
          "rel_l2": "rel L2"}
_ALIASES = {"cos": "cosine", "cosine": "cosine", "snr": "snr_db", "snr_db": "snr_db", "max_abs": "max_abs",
            "maxabs": "max_abs", "max": "max_abs", "mean_abs": "mean_abs", "meanabs": "mean_abs",
            "mean": "mean_abs", "rel_l2": "rel_l2", "rell2": "rel_l2", "l2": "rel_l2"}


class CompareError(Exception):
    """Bad comparison input (shapes, names, bounds, images); the message says what and where."""


@dataclass(frozen=True)
class BlobMetrics:
    cosine: float
    snr_db: float
    max_abs: float
    mean_abs: float
    rel_l2: float
    elements: int

    def get(self, metric: str) -> float:
        return float(getattr(self, metric_name(metric)))

    def as_dict(self) -> dict[str, float | int]:
        return asdict(self)


def metric_name(text: str) -> str:
    """The canonical metric name for `text` (cosine, snr / snr_db, max_abs, mean_abs, rel_l2; '-' = '_')."""
    key = text.strip().lower().replace("-", "_")
    if key not in _ALIASES:
        raise CompareError(f"unknown error metric {text!r}: choose one of {', '.join(METRICS)} (or snr)")
    return _ALIASES[key]


_CHUNK = 1 << 16  # float64 pieces that stay in cache: ~3x faster than converting whole blobs at once


def _sums(ref: np.ndarray, test: np.ndarray) -> tuple[float, float, float, float, float, float]:
    """r.r, t.t, r.t, d.d, sum |d| and max |d| in float64, a chunk at a time."""
    rr = tt = rt = dd = sum_abs = 0.0
    max_abs = 0.0
    for start in range(0, ref.size, _CHUNK):
        r = ref[start:start + _CHUNK].astype(np.float64)
        t = test[start:start + _CHUNK].astype(np.float64)
        d = t - r
        rr += float(r @ r)
        tt += float(t @ t)
        rt += float(r @ t)
        dd += float(d @ d)
        np.abs(d, out=d)
        sum_abs += float(d.sum())
        m = float(d.max())
        max_abs = m if (m > max_abs or math.isnan(m)) and not math.isnan(max_abs) else max_abs
    return rr, tt, rt, dd, sum_abs, max_abs


def blob_metrics(reference: np.ndarray, test: np.ndarray, what: str = "blob") -> BlobMetrics:
    """Metrics of `test` against `reference` (same shape; any numeric dtype, compared as float64)."""
    ref = np.asarray(reference)
    out = np.asarray(test)
    if ref.shape != out.shape:
        raise CompareError(f"{what}: shapes differ, fp32 {ref.shape} vs int8 {out.shape}")
    n = int(ref.size)
    if n == 0:
        return BlobMetrics(1.0, math.inf, 0.0, 0.0, 0.0, 0)
    rr, tt, rt, dd, sum_abs, max_abs = _sums(ref.reshape(-1), out.reshape(-1))
    mean_abs = sum_abs / n
    if any(math.isnan(v) for v in (rr, tt, rt, dd)):
        return BlobMetrics(math.nan, math.nan, max_abs, mean_abs, math.nan, n)
    if rr == 0.0 and tt == 0.0:
        cosine = 1.0
    elif rr == 0.0 or tt == 0.0:
        cosine = 0.0
    else:
        cosine = min(1.0, max(-1.0, rt / (math.sqrt(rr) * math.sqrt(tt))))
    if dd == 0.0:
        snr, rel = math.inf, 0.0
    elif rr == 0.0:
        snr, rel = -math.inf, math.inf
    else:
        snr, rel = 10.0 * math.log10(rr / dd), math.sqrt(dd) / math.sqrt(rr)
    return BlobMetrics(cosine, snr, max_abs, mean_abs, rel, n)


def worse(metric: str, a: float, b: float) -> bool:
    """Whether value `a` of `metric` is strictly worse than `b` (NaN is worse than any number)."""
    if math.isnan(a) or math.isnan(b):
        return math.isnan(a) and not math.isnan(b)
    return a < b if METRICS[metric] else a > b


@dataclass(frozen=True)
class Bound:
    """An error bound, e.g. cosine >= 0.99 (`cosine=0.99`) or max_abs <= 0.5 (`max_abs=0.5`)."""

    metric: str
    threshold: float

    def crossed_by(self, value: float) -> bool:
        if math.isnan(value):
            return True
        return value < self.threshold if METRICS[self.metric] else value > self.threshold

    def crossed(self, metrics: BlobMetrics) -> bool:
        return self.crossed_by(metrics.get(self.metric))

    def describe(self) -> str:
        return f"{self.metric} {'<' if METRICS[self.metric] else '>'} {self.threshold:g}"


def parse_bound(text: str) -> Bound:
    """`METRIC=VALUE` (cosine=0.99, snr=20, max_abs=0.5, mean_abs=0.01, rel_l2=0.1)."""
    metric, sep, value = text.partition("=")
    if not sep:
        raise CompareError(f"bad bound {text!r}: write METRIC=VALUE, e.g. cosine=0.99 or snr=20")
    name = metric_name(metric)
    try:
        threshold = float(value)
    except ValueError:
        raise CompareError(f"bad bound {text!r}: {value!r} is not a number") from None
    if not math.isfinite(threshold):
        raise CompareError(f"bad bound {text!r}: the value must be finite")
    return Bound(name, threshold)
