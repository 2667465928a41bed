"""Activation thresholds other than KL, and what a threshold means for a histogram.

ACIQ follows ncnn2table's compute_aciq_gaussian_clip: a Gaussian fitted from absmax and the element
count N, std = absmax * 2 * 0.175 * (1 + sqrt(pi * ln 4)) / sqrt(2 ln N), clipped at alpha_bits * std
(double arithmetic, the alphas stored as float32, the result cast to float32).
"""
from __future__ import annotations

import math

import numpy as np

from .collect import NUM_BINS

# ncnn2table's alpha_gaussian table (optimal clipping in stds for 1..8 bits), as float32 like its source
ALPHA_GAUSSIAN = np.array([0, 1.71063519, 2.15159277, 2.55913646, 2.93620062, 3.28691474, 3.6151146, 3.92403714],
                          np.float32)
DEFAULT_PERCENTILE = 99.99


def aciq_threshold(absmax: float, n: int, bits: int = 8) -> float:
    """Gaussian clipping threshold for `n` values with max |x| = absmax (inf for n <= 1, as ncnn)."""
    if not 1 <= bits <= 8:
        raise ValueError(f"ACIQ bits must be 1..8, not {bits}")
    gaussian_const = (0.5 * 0.35) * (1 + math.sqrt(math.pi * math.log(4)))
    absmax = float(np.float32(absmax))
    denom = math.sqrt(2 * math.log(n)) if n > 1 else 0.0
    if denom == 0.0:
        return float("inf")
    std = (absmax * 2 * gaussian_const) / denom
    return float(np.float32(float(ALPHA_GAUSSIAN[bits - 1]) * std))


def percentile_threshold(histogram: np.ndarray, absmax: float, percent: float = DEFAULT_PERCENTILE) -> float:
    """The `percent` percentile of the nonzero |x| the histogram counts, linear inside a bin."""
    if not 0 < percent <= 100:
        raise ValueError(f"percentile must be in (0, 100], not {percent}")
    h = np.asarray(histogram, np.float64)
    total = h.sum()
    if total <= 0 or absmax <= 0:
        return 0.0
    want = total * percent / 100.0
    cum = np.cumsum(h)
    b = int(np.searchsorted(cum, want - 1e-9 * total))  # first bin whose cumulative count reaches `want`
    b = min(b, NUM_BINS - 1)
    before = cum[b - 1] if b else 0.0
    frac = (want - before) / h[b] if h[b] > 0 else 1.0
    return float(min(absmax, (b + min(max(frac, 0.0), 1.0)) * absmax / NUM_BINS))


def clipped_fraction(histogram: np.ndarray, absmax: float, threshold: float) -> float:
    """Share of the counted (nonzero) values above `threshold`, values spread evenly inside a bin."""
    h = np.asarray(histogram, np.float64)
    total = h.sum()
    if total <= 0 or absmax <= 0 or not np.isfinite(threshold):
        return 0.0
    pos = threshold / absmax * NUM_BINS
    if pos >= NUM_BINS:
        return 0.0
    if pos <= 0:
        return 1.0
    b = int(pos)
    above = h[b + 1:].sum() + h[b] * (b + 1 - pos)
    return float(above / total)


def scale_for(threshold: float, levels: int = 127) -> float:
    """`levels / threshold` in float32, as ncnn2table; an all-zero blob (threshold 0) gets 1.0 instead of
    ncnn's inf, which the table format cannot carry (any scale quantises zeros to zero)."""
    if not np.isfinite(threshold) or threshold <= 0:
        return 1.0
    return float(np.float32(levels) / np.float32(threshold))
