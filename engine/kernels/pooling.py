"""Pooling maths shared by Pooling (2-D windows over (c, h, w)) and Pooling1D (rows of (h, w)).

Everything works on a (c, h, w) float32 array; Pooling1D passes its rows as channels of height 1.
ncnn's conventions (src/layer/pooling.cpp), matched here:

* pad_mode 0 "full" borders the explicit pads plus a tail on the bottom/right so that the last window
  fits (C remainder semantics, so a negative `in + pads - kernel` still adds a tail); 1 "valid" borders
  the explicit pads only; 2/3 SAME_UPPER/SAME_LOWER border the TF-style amounts and ignore the explicit
  pads (the layers refuse other values, as ncnn does).
* MAX borders with -FLT_MAX, AVG with 0.
* AVG with avgpool_count_include_pad=0 sums and counts only the cells inside
  [pad_top, H_bordered - pad_bottom - tail) x [pad_left, W_bordered - pad_right - tail), where the pads
  are the *params* whatever pad_mode did (so SAME padding is counted, and a param pad in mode 2/3 can
  exclude real data); an empty window gives 0/0 = NaN as in ncnn.
* Adaptive bins are [floor(i*n/out), ceil((i+1)*n/out)); the average is sum / hk / wk.
"""
from __future__ import annotations

from typing import Callable

import numpy as np

MAX, AVG = 0, 1
NEG_FLT_MAX = np.float32(-np.finfo(np.float32).max)


class PoolingShapeError(ValueError):
    """The input is too small for the windows (ncnn fails or reads out of bounds)."""


def _c_div(a: int, b: int) -> int:
    """C integer division (truncates towards zero)."""
    q = abs(a) // abs(b)
    return q if (a >= 0) == (b > 0) else -q


def _c_mod(a: int, b: int) -> int:
    return a - b * _c_div(a, b)


def global_pool(x: np.ndarray, pooling_type: int) -> np.ndarray:
    """(c, ...) -> (c,): max or mean over everything but the first axis."""
    flat = x.reshape(x.shape[0], -1)
    if pooling_type == MAX:
        return np.max(flat, axis=1)
    total = np.add.reduce(flat, axis=1, dtype=np.float32)
    return total / np.float32(flat.shape[1])


def resolve_border(h: int, w: int, kernel: tuple[int, int], stride: tuple[int, int],
                   pads: tuple[int, int, int, int], pad_mode: int) -> tuple[tuple[int, int, int, int], tuple[int, int]]:
    """The border ncnn adds, (top, bottom, left, right), and the mode-0 tail pads (htail, wtail)."""
    (kh, kw), (sh, sw) = kernel, stride
    top, bottom, left, right = pads
    if pad_mode == 0:
        htail = _c_mod(h + top + bottom - kh, sh)
        wtail = _c_mod(w + left + right - kw, sw)
        htail = sh - htail if htail else 0
        wtail = sw - wtail if wtail else 0
        return (top, bottom + htail, left, right + wtail), (htail, wtail)
    if pad_mode == 1:
        return (top, bottom, left, right), (0, 0)
    if pad_mode in (2, 3):
        wpad = kw + (w - 1) // sw * sw - w
        hpad = kh + (h - 1) // sh * sh - h
        if wpad <= 0 and hpad <= 0:
            return (0, 0, 0, 0), (0, 0)
        if wpad < 0 or hpad < 0:
            # ncnn would hand copy_make_border a negative pad on one axis: it writes out of bounds.
            raise PoolingShapeError(f"SAME padding needs a negative pad ({hpad} rows, {wpad} columns): "
                                    "ncnn's result is undefined when the kernel is smaller than the stride")
        big_h, small_h = hpad - hpad // 2, hpad // 2
        big_w, small_w = wpad - wpad // 2, wpad // 2
        if pad_mode == 2:  # SAME_UPPER: the odd pixel goes to the end
            return (small_h, big_h, small_w, big_w), (0, 0)
        return (big_h, small_h, big_w, small_w), (0, 0)
    raise ValueError(f"pad_mode {pad_mode}")


def border(x: np.ndarray, border_pads: tuple[int, int, int, int], value: np.float32) -> np.ndarray:
    """A fresh (c, h+top+bottom, w+left+right) copy of x framed with value (x itself when no border)."""
    top, bottom, left, right = border_pads
    if not any(border_pads):
        return x
    c, h, w = x.shape
    out = np.empty((c, h + top + bottom, w + left + right), np.float32)
    out[:, :top] = value
    out[:, top + h:] = value
    out[:, top:top + h, :left] = value
    out[:, top:top + h, left + w:] = value
    out[:, top:top + h, left:left + w] = x
    return out


def _window_reduce(xb: np.ndarray, kernel: tuple[int, int], stride: tuple[int, int], outh: int, outw: int,
                   op: Callable[..., np.ndarray]) -> np.ndarray:
    """Reduce every kh x kw window (stride sh, sw) of xb with op; separable: columns first, then rows."""
    (kh, kw), (sh, sw) = kernel, stride
    wspan, hspan = sw * (outw - 1) + 1, sh * (outh - 1) + 1
    rows = xb[:, :, 0:wspan:sw].copy()
    for kj in range(1, kw):
        op(rows, xb[:, :, kj:kj + wspan:sw], out=rows)
    out = rows[:, 0:hspan:sh].copy()
    for ki in range(1, kh):
        op(out, rows[:, ki:ki + hspan:sh], out=out)
    return out


def _overlap(starts: np.ndarray, k: int, lo: int, hi: int) -> np.ndarray:
    """How many of the cells [s, s+k) lie inside [lo, hi), per window start s."""
    return np.maximum(np.minimum(starts + k, hi) - np.maximum(starts, lo), 0)


def window_pool(x: np.ndarray, pooling_type: int, kernel: tuple[int, int], stride: tuple[int, int],
                pads: tuple[int, int, int, int], pad_mode: int, count_include_pad: int) -> np.ndarray:
    """ncnn's windowed pooling of x (c, h, w) -> (c, outh, outw)."""
    c, h, w = x.shape
    (kh, kw), (sh, sw) = kernel, stride
    bpads, (htail, wtail) = resolve_border(h, w, kernel, stride, pads, pad_mode)
    hb, wb = h + bpads[0] + bpads[1], w + bpads[2] + bpads[3]
    if hb < kh or wb < kw:
        raise PoolingShapeError(f"the padded input {hb}x{wb} is smaller than the kernel {kh}x{kw}")
    outh, outw = (hb - kh) // sh + 1, (wb - kw) // sw + 1
    if pooling_type == MAX:
        xb = border(x, bpads, NEG_FLT_MAX)
        return _window_reduce(xb, kernel, stride, outh, outw, np.maximum)

    xb = border(x, bpads, np.float32(0))
    if count_include_pad:
        total = _window_reduce(xb, kernel, stride, outh, outw, np.add)
        total /= np.float32(kh * kw)
        return total
    top, bottom, left, right = pads
    r0, r1 = top, hb - bottom - htail
    c0, c1 = left, wb - right - wtail
    # Cells outside the counted region are skipped by ncnn: zero them so the sums skip them too.
    if r0 > 0 or r1 < hb or c0 > 0 or c1 < wb:
        if xb is x:
            xb = x.copy()
        xb[:, :max(r0, 0)] = 0
        xb[:, max(r1, 0):] = 0
        xb[:, :, :max(c0, 0)] = 0
        xb[:, :, max(c1, 0):] = 0
    total = _window_reduce(xb, kernel, stride, outh, outw, np.add)
    rows = _overlap(np.arange(outh) * sh, kh, r0, r1)
    cols = _overlap(np.arange(outw) * sw, kw, c0, c1)
    area = (rows[:, None] * cols[None, :]).astype(np.float32)
    with np.errstate(divide="ignore", invalid="ignore"):
        total /= area
    return total


def _adaptive_axis(x: np.ndarray, axis: int, out: int, pooling_type: int) -> tuple[np.ndarray, np.ndarray]:
    """Reduce axis of x into `out` adaptive bins; returns (reduced, bin lengths)."""
    n = x.shape[axis]
    i = np.arange(out)
    starts = n * i // out
    ends = (n * (i + 1) + out - 1) // out
    lengths = ends - starts
    k = int(lengths.max())
    idx = starts[:, None] + np.arange(k)[None, :]
    inside = idx < ends[:, None]
    idx = np.minimum(idx, ends[:, None] - 1)  # repeat a bin's last cell: harmless for max, masked for sums
    g = np.take(x, idx, axis=axis)  # axis becomes (out, k)
    if pooling_type == MAX:
        return np.max(g, axis=axis + 1), lengths
    shape = [1] * g.ndim
    shape[axis], shape[axis + 1] = out, k
    g = np.where(inside.reshape(shape), g, np.float32(0))  # where, not a 0/1 product: inf * 0 is NaN
    return np.add.reduce(g, axis=axis + 1, dtype=np.float32), lengths


def adaptive_pool(x: np.ndarray, pooling_type: int, outh: int, outw: int) -> np.ndarray:
    """PyTorch-style adaptive pooling of x (c, h, w) -> (c, outh, outw)."""
    h, w = x.shape[1:]
    if h % outh == 0 and w % outw == 0:  # equal, disjoint bins: windows with stride = kernel
        kh, kw = h // outh, w // outw
        if pooling_type == MAX:
            return _window_reduce(x, (kh, kw), (kh, kw), outh, outw, np.maximum)
        y = _window_reduce(x, (kh, kw), (kh, kw), outh, outw, np.add)
        y /= np.float32(kh)
        y /= np.float32(kw)
        return y
    y, wk = _adaptive_axis(x, 2, outw, pooling_type)
    y, hk = _adaptive_axis(y, 1, outh, pooling_type)
    if pooling_type == MAX:
        return y
    y /= hk.astype(np.float32)[:, None]
    y /= wk.astype(np.float32)[None, :]
    return y
