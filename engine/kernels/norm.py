"""Shared maths for the normalisation layers (InstanceNorm, GroupNorm, LayerNorm, MVN, Normalize, BatchNorm).

ncnn computes statistics in float32: a plain sum, mean = sum / n, then the variance as the mean of
(x - mean)^2 (two passes, never E[x^2] - E[x]^2, which cancels catastrophically for a large mean).
For an input with a large mean and a small spread the last bits of the mean show in the output, so
we add in ncnn's order. ncnn is built with -Ofast -ffast-math, so:

* its plain C++ loops (MVN, Normalize) are vectorised by the compiler for baseline x86-64: four
  accumulators, folded in halves, then the left-over elements one by one (`sse_sum`);
* its hand-written x86 kernels (InstanceNorm, GroupNorm, LayerNorm) run 16-wide on AVX-512
  machines, then one 8-wide and one 4-wide block, then a scalar tail (`x86_sum`);
* `sum / n` becomes `sum * (1 / n)` where the compiler can share the reciprocal (InstanceNorm, MVN
  per channel; each layer says which), and a * b + c becomes a fused multiply-add (`fma`, `fms`).

What we do not reproduce: `1 / sqrtf(v)` is an approximate reciprocal square root plus a Newton step
in that build, one ulp off at times; only with a large mean and a tiny spread (e.g. 100 + 0.01 * noise)
does that ulp show above the tolerance. The lane counts are those of an AVX-512 machine; elsewhere
only the last bits differ.
"""
from __future__ import annotations

import numpy as np

F32 = np.float32


def sequential_sum(x: np.ndarray) -> np.ndarray:
    """Left-to-right float32 sum of each row (numpy's own sum is pairwise, i.e. rounds differently)."""
    rows, n = x.shape
    if n == 0:
        return np.zeros(rows, F32)
    # accumulate is strictly sequential; only its last column is kept
    return np.add.accumulate(x, axis=1, dtype=F32)[:, -1].copy()


def _lane_acc(blocks: np.ndarray, width: int) -> np.ndarray:
    """Per-lane sequential sums of (rows, nblocks, width) blocks; zeros when there are none."""
    if blocks.shape[1] == 0 or blocks.shape[2] == 0:
        return np.zeros((blocks.shape[0], width), F32)
    return np.add.accumulate(blocks, axis=1, dtype=F32)[:, -1]


def sse_sum(x: np.ndarray) -> np.ndarray:
    """A plain `s += x[i]` loop as GCC vectorises it (4 lanes, folded, then the tail in order)."""
    rows, n = x.shape
    n4 = n // 4 * 4
    total = _horizontal_sum(_lane_acc(x[:, :n4].reshape(rows, -1, 4), 4))
    if n4 < n:
        total = sequential_sum(np.concatenate([total[:, None], x[:, n4:]], axis=1))
    return total


def x86_accumulators(seg: np.ndarray) -> tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray]:
    """ncnn's x86 loop over each segment of `seg` (rows, nseg, L), the accumulators running on from one
    segment to the next: 16-wide blocks, at most one 8-wide and one 4-wide block, then scalars.
    Returns the 16-, 8- and 4-lane accumulators and the scalar tail elements in order."""
    rows, nseg, n = seg.shape
    n16 = n // 16 * 16
    n8 = n16 + (8 if n - n16 >= 8 else 0)
    n4 = n8 + (4 if n - n8 >= 4 else 0)
    acc16 = _lane_acc(seg[:, :, :n16].reshape(rows, -1, 16), 16)
    acc8 = _lane_acc(seg[:, :, n16:n8], 8)
    acc4 = _lane_acc(seg[:, :, n8:n4], 4)
    return acc16, acc8, acc4, seg[:, :, n4:].reshape(rows, -1)


def x86_sum(seg: np.ndarray, tail_first: bool) -> np.ndarray:
    """Total of `seg` (rows, nseg, L) in ncnn's x86 order. tail_first: the scalar tail is summed first
    and the folded vectors added after (GroupNorm, LayerNorm); else after them (InstanceNorm)."""
    acc16, acc8, acc4, tail = x86_accumulators(seg)
    if tail_first:
        total = sequential_sum(tail)
        for acc in (acc16, acc8, acc4):
            total += _horizontal_sum(acc)
        return total
    total = _horizontal_sum(acc16)
    total += _horizontal_sum(acc8)
    total += _horizontal_sum(acc4)
    if tail.shape[1]:
        total = sequential_sum(np.concatenate([total[:, None], tail], axis=1))
    return total


def x86_packed_sum(seg: np.ndarray, pack: int) -> np.ndarray:
    """Per-lane totals (rows, pack) of data packed `pack` channels per pixel, (rows, nseg, L) with L a
    multiple of pack, folded the way ncnn's packed LayerNorm folds its wider accumulators."""
    acc16, acc8, acc4, _ = x86_accumulators(seg)
    if pack == 16:
        return acc16
    m8 = acc8 + acc16[:, :8]
    m8 += acc16[:, 8:]
    if pack == 8:
        return m8
    m4 = acc4 + m8[:, :4]
    m4 += m8[:, 4:]
    return m4


def _horizontal_sum(acc: np.ndarray) -> np.ndarray:
    """Fold the lanes in halves, as the reduce-add intrinsics do."""
    while acc.shape[1] > 1:
        half = acc.shape[1] // 2
        acc = acc[:, :half] + acc[:, half:]
    return acc[:, 0]


def mean_var(x: np.ndarray, summer, recip: bool = True) -> tuple[np.ndarray, np.ndarray]:
    """Per-row mean and biased variance of a 2-D float32 array, ncnn's two-pass way.

    `summer` adds each row in the order of the ncnn kernel being matched. ncnn's -ffast-math build
    turns `sum / n` into `sum * (1 / n)` (recip=True).
    """
    n = F32(x.shape[1])
    inv = F32(1) / n
    mean = summer(x) * inv if recip else summer(x) / n
    centered = x - mean[:, None]
    np.multiply(centered, centered, out=centered)
    var = summer(centered) * inv if recip else summer(centered) / n
    return mean.astype(F32, copy=False), var.astype(F32, copy=False)


def fma(x: np.ndarray, a: np.ndarray | np.floating, b: np.ndarray | np.floating) -> np.ndarray:
    """x * a + b rounded once to float32, like the fused multiply-add of ncnn's x86 kernels.

    After normalising an input with a large mean, x * a and b nearly cancel; rounding the product
    first (plain float32) would lose the bits that survive the cancellation. A float32 product is
    exact in float64, so only the final rounding differs from a true FMA (double rounding, rarely).
    """
    y = np.multiply(x, a, dtype=np.float64)
    y += b
    return y.astype(F32)


def fms(x: np.ndarray, a: np.ndarray | np.floating, b: np.ndarray | np.floating) -> np.ndarray:
    """x * a - b rounded once to float32 (see fma)."""
    y = np.multiply(x, a, dtype=np.float64)
    y -= b
    return y.astype(F32)
