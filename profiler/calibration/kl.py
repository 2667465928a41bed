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
glibc's logf there (< 1 ulp apart).
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


def _kl_chunk(h: np.ndarray, ts: np.ndarray) -> np.ndarray:
    """KL(P || Q) for the candidates `ts` at once, one row per candidate, columns = histogram bins."""
    m = ts.size
    n = int(ts.max())  # columns past the largest T of the chunk are never used
    rows = np.arange(m)[:, None]
    cols = np.arange(n)[None, :]
    t = ts[:, None]
    inside = cols < t
    last = (np.arange(m), ts - 1)
    # P (clip_distribution): eps + h[k] for k < T; bin T-1 then takes h[T], h[T+1], ... one by one.
    # Row-wise cumsum over [0 ... 0, eps + h[T-1], h[T], ..., h[2047]] is that sequential sum exactly.
    p = np.where(inside, h[None, :n] + KL_EPS, _F(0)).astype(np.float32, copy=False)
    first = int(ts.min()) - 1
    tcols = np.arange(first, NUM_BINS)[None, :]
    tail = np.where(tcols >= t, h[None, first:], _F(0)).astype(np.float32, copy=False)
    tail[np.arange(m), ts - 1 - first] = p[last]
    p[last] = np.cumsum(tail, axis=1, dtype=np.float32)[:, -1]
    # the 128 groups: float32 edges (exact), ncnn's ceil/floor split into partial and whole bins
    per = ts.astype(np.float32, copy=False)[:, None] / _F(TARGET_BINS)
    j = np.arange(TARGET_BINS, dtype=np.float32)[None, :]
    start, end = (j * per).astype(np.float32, copy=False), ((j + _F(1)) * per).astype(np.float32, copy=False)
    lu = np.ceil(start).astype(np.int64)
    ls = (lu.astype(np.float32, copy=False) - start).astype(np.float32, copy=False)
    rl = np.floor(end).astype(np.int64)
    rs = (end - rl.astype(np.float32, copy=False)).astype(np.float32, copy=False)
    width = rl - lu
    hp = np.append(h, _F(0))  # one spare bin so masked-out indices stay in range
    # Q (quantize_distribution) from the unclipped histogram: left part + right part, then whole bins
    q = (np.where(ls > 0, ls * hp[np.maximum(lu - 1, 0)], _F(0))
         + np.where(rs > 0, rs * hp[np.minimum(rl, n)], _F(0))).astype(np.float32, copy=False)
    for c in range(int(width.max())):  # whole bins, one by one in ncnn's order
        q += np.where(c < width, hp[np.minimum(lu + c, n)], _F(0))
    q = (q / ((width.astype(np.float32, copy=False) + ls) + rs)).astype(np.float32, copy=False)
    # expand_distribution: eps + q over whole bins; a partial bin gets the right part of its group,
    # then the left part of the next group
    e = np.full((m, n), KL_EPS, np.float32)
    flat = e.reshape(-1)
    k = np.arange(int(width.max()))
    inner = lu[:, :, None] + k[None, None, :]
    inner_ok = k[None, None, :] < width[:, :, None]
    idx = (rows[:, :, None] * n + inner)[inner_ok]
    flat[idx] = KL_EPS + np.broadcast_to(q[:, :, None], inner.shape)[inner_ok]
    sel = rs > 0
    idx = (rows * n + rl)[sel]
    flat[idx] += (rs * q)[sel]
    sel = ls > 0
    idx = (rows * n + lu - 1)[sel]
    flat[idx] += (ls * q)[sel]
    with np.errstate(divide="ignore", invalid="ignore"):
        ratio = (p / e).astype(np.float32, copy=False)
        terms = np.where(inside, p * np.log(ratio.astype(np.float64)).astype(np.float32, copy=False), _F(0))
    return np.cumsum(terms.astype(np.float32, copy=False), axis=1, dtype=np.float32)[:, -1]


def kl_curve(histogram: np.ndarray, chunk: int = 64) -> np.ndarray:
    """KL divergence of every candidate T = 128..2047 (index T - 128), float32, as ncnn computes it."""
    h = normalise(histogram)
    ts = np.arange(TARGET_BINS, NUM_BINS)
    return np.concatenate([_kl_chunk(h, ts[i:i + chunk]) for i in range(0, ts.size, chunk)])


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
