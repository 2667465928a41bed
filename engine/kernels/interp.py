"""Resampling maths of Interp: ncnn's nearest / bilinear / bicubic index and weight tables.

Tables are computed as ncnn computes them (src/layer/interp.cpp): the scale in float64, the source
coordinate cast to float32, floored, its fraction and the cubic weights in float32, and the same border
folding. Each output position then reads `taps` source cells with weights; resizing is separable, the
horizontal pass first as in ncnn.

Taps that fall outside the input (bilinear from 1 cell, bicubic from fewer than 4) read the nearest
border cell: ncnn's C source reads out of bounds there, but the pip build (1.0.20261020) gives the
clamped result, which is matched. An align_corner resize to size 1 reads cell 0 (the source divides by
zero there; the pip build reads cell 0).
"""
from __future__ import annotations

import numpy as np

F32 = np.float32


class InterpError(ValueError):
    """The resize cannot be computed (a scale that gives no valid source index)."""


def nearest_index(n: int, out: int, scale: np.float32) -> np.ndarray:
    """Source index per output position: min(int(x * scale), n - 1), the product in float32."""
    idx = (np.arange(out, dtype=F32) * scale).astype(np.int64)
    idx = np.minimum(idx, n - 1)
    if idx.size and idx.min() < 0:
        raise InterpError(f"nearest resize reads source index {idx.min()} (scale {scale})")
    return idx


def _source_coords(n: int, out: int, scale: np.float32, align_corner: bool) -> tuple[np.ndarray, np.ndarray]:
    """(sx, fx): ncnn's integer source cell and float32 fraction per output position.

    `scale` is the float32 step (n / out or 1 / written scale), widened to float64 as ncnn does;
    align_corner replaces it by (n - 1) / (out - 1) in float64.
    """
    dx = np.arange(out, dtype=np.float64)
    if align_corner:
        # (n - 1) / (out - 1) is infinite for out == 1; ncnn's build then reads cell 0 with fraction 0.
        step = np.float64(n - 1) / np.float64(out - 1) if out != 1 else np.float64(0)
        fx = (dx * step).astype(F32)
    else:
        fx = ((dx + 0.5) * np.float64(scale) - 0.5).astype(F32)
    sx = np.floor(fx).astype(np.int64)
    fx = fx - sx.astype(F32)
    return sx, fx


def linear_table(n: int, out: int, scale: np.float32, align_corner: bool) -> tuple[np.ndarray, np.ndarray]:
    """(first tap index (out,), weights (out, 2)) of ncnn's linear_coeffs."""
    sx, fx = _source_coords(n, out, scale, align_corner)
    low = sx < 0
    sx = np.where(low, 0, sx)
    fx = np.where(low, F32(0), fx)
    high = sx >= n - 1
    sx = np.where(high, n - 2, sx)
    fx = np.where(high, F32(1), fx)
    return sx, np.stack([F32(1) - fx, fx], axis=1)


def _cubic_weights(fx: np.ndarray) -> np.ndarray:
    """Keys' cubic (A = -0.75) weights of the 4 taps, in ncnn's float32 operation order."""
    a = F32(-0.75)
    fx0 = fx + F32(1)
    fx1 = fx
    fx2 = F32(1) - fx
    c0 = a * fx0 * fx0 * fx0 - F32(5) * a * fx0 * fx0 + F32(8) * a * fx0 - F32(4) * a
    c1 = (a + F32(2)) * fx1 * fx1 * fx1 - (a + F32(3)) * fx1 * fx1 + F32(1)
    c2 = (a + F32(2)) * fx2 * fx2 * fx2 - (a + F32(3)) * fx2 * fx2 + F32(1)
    c3 = F32(1) - c0 - c1 - c2
    return np.stack([c0, c1, c2, c3], axis=1).astype(F32)


def cubic_table(n: int, out: int, scale: np.float32, align_corner: bool) -> tuple[np.ndarray, np.ndarray]:
    """(first tap index (out,), weights (out, 4)) of ncnn's cubic_coeffs; taps read sx-1 .. sx+2."""
    sx, fx = _source_coords(n, out, scale, align_corner)
    with np.errstate(invalid="ignore", over="ignore"):
        c = _cubic_weights(fx)
    c0, c1, c2, c3 = (c[:, i] for i in range(4))
    one = F32(1)
    zero = np.zeros_like(c0)
    # ncnn folds the taps that fall off the borders, one `if` after another (later ones see earlier ones).
    m = sx <= -1
    sx = np.where(m, 1, sx)
    c0, c1, c2, c3 = (np.where(m, one - c3, c0), np.where(m, c3, c1), np.where(m, zero, c2), np.where(m, zero, c3))
    m = sx == 0
    sx = np.where(m, 1, sx)
    c0, c1, c2, c3 = (np.where(m, c0 + c1, c0), np.where(m, c2, c1), np.where(m, c3, c2), np.where(m, zero, c3))
    m = sx == n - 2
    sx = np.where(m, n - 3, sx)
    c0, c1, c2, c3 = (np.where(m, zero, c0), np.where(m, c0, c1), np.where(m, c1, c2), np.where(m, c2 + c3, c3))
    m = sx >= n - 1
    sx = np.where(m, n - 3, sx)
    c0, c1, c2, c3 = (np.where(m, zero, c0), np.where(m, zero, c1), np.where(m, c0, c2), np.where(m, one - c0, c3))
    return sx - 1, np.stack([c0, c1, c2, c3], axis=1).astype(F32)


def tap_indices(first: np.ndarray, weights: np.ndarray, n: int) -> np.ndarray:
    """(out, taps) source indices, clamped to the input's cells."""
    idx = first[:, None] + np.arange(weights.shape[1])[None, :]
    return np.clip(idx, 0, n - 1)


def resample_axis(x: np.ndarray, axis: int, idx: np.ndarray, weights: np.ndarray) -> np.ndarray:
    """sum_t x[idx[:, t]] * weights[:, t] along axis, the taps added left to right as ncnn does."""
    shape = [1] * x.ndim
    shape[axis] = idx.shape[0]
    out = None
    for t in range(idx.shape[1]):
        g = np.take(x, idx[:, t], axis=axis)
        g *= weights[:, t].reshape(shape)
        if out is None:
            out = g
        else:
            out += g
    assert out is not None
    return out
