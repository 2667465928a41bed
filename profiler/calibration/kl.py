"""ncnn2table's KL threshold search (QuantNet::quantize_KL), reproduced in float32 step by step.

For each candidate T in 128..2047 (histogram bins):
* P: the first T normalised bins, each + 1e-4, with the mass of bins >= T added one by one to bin T-1;
* Q: the T bins merged into 128 groups of T/128 (fractional) bins, each the weighted mean of its bins
  (of the *unclipped* histogram), spread back uniformly over its bins, each + 1e-4;
* KL = sum P * log(P / Q), without renormalising after the epsilon.
The T with the smallest KL wins (first one on ties); threshold = (T + 0.5) * absmax / 2048.

Every quantity is float32 and every sum runs in ncnn's order (sequential sums through np.cumsum, which
accumulates strictly left to right); group edges are exact in float32 (T * j / 128 has <= 18 bits),
so the only expected difference from ncnn's build is log(): float64 log rounded to float32 here,
glibc's logf there (< 1 ulp apart). tests/profiler/calibration/test_kl.py checks this against a scalar
transliteration of ncnn's loop, bit for bit; all 1920 candidates take ~50 ms per blob.
"""
from __future__ import annotations

import numpy as np

from .collect import NUM_BINS

TARGET_BINS = 128
KL_EPS = np.float32(0.0001)
_F = np.float32


def normalise(histogram: np.ndarray) -> np.ndarray:
    """histogram_normed: float32(count / (double)sum)."""
    h = np.asarray(histogram, np.float64)
    total = h.sum()
    if total <= 0:
        return np.zeros(h.size, np.float32)
    return (h / total).astype(np.float32, copy=False)


def _seq_sum(values: np.ndarray) -> np.float32:
    """Left-to-right float32 sum (C's `for (...) s += v[i]`)."""
    if values.size == 0:
        return _F(0)
    return np.cumsum(values, dtype=np.float32)[-1]


class _Geometry:
    """Everything about candidates `ts` that does not depend on the histogram: group edges and where each
    group's value lands in P's and Q's bins. Built once per chunk and reused for every blob."""

    def __init__(self, ts: np.ndarray) -> None:
        m, n = ts.size, int(ts.max())  # columns past the largest T of the chunk are never used
        self.ts, self.m, self.n = ts, m, n
        rows = np.arange(m)[:, None]
        self.last = rows[:, 0] * n + ts - 1  # flat index of bin T-1 in each row
        self.first = int(ts.min()) - 1
        self.tail_before = np.arange(self.first, NUM_BINS)[None, :] < ts[:, None]
        self.tail_start = ts - 1 - self.first
        per = ts.astype(np.float32)[:, None] / _F(TARGET_BINS)
        j = np.arange(TARGET_BINS, dtype=np.float32)[None, :]
        start, end = j * per, (j + _F(1)) * per  # exact in float32
        lu, rl = np.ceil(start).astype(np.int64), np.floor(end).astype(np.int64)
        self.ls = (lu.astype(np.float32) - start).astype(np.float32)
        self.rs = (end - rl.astype(np.float32)).astype(np.float32)
        self.width = rl - lu
        self.denom = ((self.width.astype(np.float32) + self.ls) + self.rs).astype(np.float32)
        self.left_at = np.where(self.ls > 0, lu - 1, NUM_BINS)  # NUM_BINS: the spare zero bin
        self.right_at = np.where(self.rs > 0, np.minimum(rl, NUM_BINS), NUM_BINS)
        self.lu = lu
        k = np.arange(int(self.width.max()))
        ok = k[None, None, :] < self.width[:, :, None]
        inner = lu[:, :, None] + k[None, None, :]
        self.e_inner = (rows[:, :, None] * n + inner)[ok]  # whole bins of each group ...
        self.q_inner = np.broadcast_to((rows * TARGET_BINS + np.arange(TARGET_BINS))[:, :, None],
                                       ok.shape)[ok]
        r, lft = self.rs > 0, self.ls > 0  # ... and the bins a group's end cuts
        self.e_right, self.q_right = (rows * n + rl)[r], (rows * TARGET_BINS + np.arange(TARGET_BINS))[r]
        self.e_left, self.q_left = (rows * n + lu - 1)[lft], (rows * TARGET_BINS + np.arange(TARGET_BINS))[lft]


_GEOMETRY: dict[tuple[int, int], _Geometry] = {}  # ~50 MB once filled: cuts the search time by ~40 %


def _geometry(t0: int, t1: int) -> _Geometry:
    g = _GEOMETRY.get((t0, t1))
    if g is None:
        g = _GEOMETRY[(t0, t1)] = _Geometry(np.arange(t0, t1))
    return g


def _kl_chunk(h: np.ndarray, g: _Geometry) -> np.ndarray:
    """KL(P || Q) for the chunk's candidates, one row per candidate, columns = histogram bins."""
    m, n = g.m, g.n
    hp = np.append(h, _F(0))  # the spare zero bin absent parts point at
    # P (clip_distribution) is eps + h[k] in every row, except bin T-1, which then takes h[T], h[T+1], ...
    # one by one: a row-wise cumsum over [0 ... 0, eps + h[T-1], h[T], ..., h[2047]] is that sum exactly.
    p = (h[:n] + KL_EPS).astype(np.float32)
    tail = np.where(g.tail_before, _F(0), h[None, g.first:])
    tail[np.arange(m), g.tail_start] = p[g.ts - 1]
    p_last = np.cumsum(tail, axis=1, dtype=np.float32)[:, -1]
    # Q (quantize_distribution) from the unclipped histogram: left part + right part, then whole bins
    q = g.ls * hp[g.left_at] + g.rs * hp[g.right_at]
    for c in range(int(g.width.max())):
        q += hp[np.where(c < g.width, g.lu + c, NUM_BINS)]
    q = (q / g.denom).astype(np.float32, copy=False).reshape(-1)
    # expand_distribution: eps + q over whole bins; a cut bin gets the right part of its group, then the
    # left part of the next group
    e = np.full(m * n, KL_EPS, np.float32)
    e[g.e_inner] += q[g.q_inner]
    e[g.e_right] += g.rs.reshape(-1)[g.q_right] * q[g.q_right]
    e[g.e_left] += g.ls.reshape(-1)[g.q_left] * q[g.q_left]
    # terms p * log(p / e) in float32 (log rounded from double); bins past T are summed after bin T-1
    # and never read
    e = e.reshape(m, n)
    pm = np.broadcast_to(p, (m, n)).copy()
    pm.reshape(-1)[g.last] = p_last
    with np.errstate(divide="ignore", invalid="ignore"):
        lg = np.log(np.divide(pm, e, dtype=np.float32).astype(np.float64)).astype(np.float32)
    terms = pm * lg
    return np.cumsum(terms, axis=1, dtype=np.float32).reshape(-1)[g.last]


def kl_curve(histogram: np.ndarray, chunk: int = 64) -> np.ndarray:
    """KL divergence of every candidate T = 128..2047 (index T - 128), float32, as ncnn computes it."""
    h = normalise(histogram)
    return np.concatenate([_kl_chunk(h, _geometry(t, min(t + chunk, NUM_BINS)))
                           for t in range(TARGET_BINS, NUM_BINS, chunk)])


def kl_threshold_bin(curve: np.ndarray) -> int:
    """ncnn's `if (kl < min) { min = kl; T = t; }` starting from FLT_MAX: the first minimum wins, NaNs
    never do (then T stays 128)."""
    best, best_t = np.float32(np.finfo(np.float32).max), TARGET_BINS
    finite = np.where(np.isnan(curve), np.inf, curve)
    if finite.size and np.min(finite) < best:
        best_t = TARGET_BINS + int(np.argmin(finite))
    return best_t


def kl_threshold(histogram: np.ndarray, absmax: float) -> tuple[float, np.ndarray]:
    """(threshold, KL curve) for a blob: threshold = (T + 0.5) * absmax / 2048 in float32."""
    curve = kl_curve(histogram)
    t = kl_threshold_bin(curve)
    threshold = (_F(t) + _F(0.5)) * _F(absmax) / _F(NUM_BINS)
    return float(threshold), curve
